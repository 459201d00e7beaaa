// A release as a manager reads it in the Temporal UI: the line in the workflow list, the plan it started with,
// where each environment stands, who was asked to authorise or confirm, and the names of its steps in the
// timeline; and each environment's child workflow the same way. Pure, so the API, the workflows and the tests
// build the same text.
import { escalationText, noticesSection, type MailNotice } from './mail-notices';
import { releaseReference, type ReleaseState, type ReleaseStep } from './release';
import { detailsMarkdown, humanDuration, summaryLine, utcInstant, type Fact } from './workflow-metadata';

/** What the release's start metadata shows. */
export interface ReleasePlan {
  number: number;
  title: string;
  version: string;
  type: string;
  adapter: string;
  environments: string[];
  production: string[];
  confirmIn: string[];
  confirmSeconds: number;
  productionStart: string | null;
  productionEnd: string | null;
  requesterName: string;
  changes: string[];
}

/** `REL-000003 · Payroll module upgrade 2.1.0 · planned`. */
export function releaseSummary(release: { number: number; title: string; version: string }, state: ReleaseState): string {
  return summaryLine([releaseReference(release.number), `${release.title} ${release.version}`, state]);
}

/** `test → staging → production (production)`: the order, and which environments are gated. */
const environmentList = (environments: string[], production: string[]) => environments.map((env) => (production.includes(env) ? `${env} (production)` : env)).join(' → ');

export function releaseStartDetails(plan: ReleasePlan, apiUrl: string): string {
  const instant = (iso: string | null) => (iso === null ? null : utcInstant(Date.parse(iso)));
  const window = plan.productionStart || plan.productionEnd ? `${instant(plan.productionStart) ?? 'any time'} – ${instant(plan.productionEnd) ?? 'open'}` : null;
  return detailsMarkdown(
    `${releaseReference(plan.number)} · ${plan.title} ${plan.version}`,
    [
      {
        facts: [
          ['Type', plan.type],
          ['Requester', plan.requesterName],
          ['Environments', environmentList(plan.environments, plan.production)],
          ['Smoke test confirmed by a person in', plan.confirmIn.length ? `${plan.confirmIn.join(', ')} (within ${humanDuration(plan.confirmSeconds * 1000)})` : null],
          ['Production window', window],
          ['Linked changes', plan.changes.join(', ') || 'none'],
          ['Deployment adapter', plan.adapter],
        ],
      },
    ],
    [{ label: 'API record', url: apiUrl }],
  );
}

/** `deploy to production`, `roll back staging`: a step's name in the timeline. */
export function releaseStepSummary(step: ReleaseStep, environment: string | null): string {
  switch (step) {
    case 'deploy':
      return `deploy to ${environment}`;
    case 'verify':
      return `verify in ${environment}`;
    case 'rollback':
      return `roll back ${environment}`;
    default:
      return step;
  }
}

/** `REL-000003 · deploy to production`: the child workflow's line in the list. */
export const environmentSummary = (number: number, environment: string) => summaryLine([releaseReference(number), releaseStepSummary('deploy', environment)]);

export interface EnvironmentPlan {
  number: number;
  /** Absent from releases started before the workflow carried them. */
  title?: string;
  version?: string;
  apiUrl?: string;
  environment: string;
  production: boolean;
  confirm: boolean;
  confirmSeconds: number;
}

export function environmentStartDetails(plan: EnvironmentPlan): string {
  return detailsMarkdown(
    `${releaseReference(plan.number)} · ${releaseStepSummary('deploy', plan.environment)}`,
    [
      {
        facts: [
          ['Release', summaryLine([plan.title, plan.version])],
          ['Environment', plan.production ? `${plan.environment} (production: authorised before this deployment)` : plan.environment],
          ['Smoke test', plan.confirm ? `confirmed by a person within ${humanDuration(plan.confirmSeconds * 1000)}, then verified` : 'verified automatically'],
        ],
      },
    ],
    plan.apiUrl ? [{ label: 'API record of the release', url: plan.apiUrl }] : [],
  );
}

/** Who a release mail reaches, by role: its requester, the authoriser whose authorisation was refused, or all authorisers. */
export function releaseAudience(to: (string | null)[] | 'authorisers', requesterId: string): string {
  if (to === 'authorisers') return 'release authorisers';
  return to
    .filter((id) => id !== null)
    .map((id) => (id === requesterId ? 'requester' : 'authoriser'))
    .join(', ');
}

/** Mail that raises the release's escalation level. */
export const RELEASE_ESCALATION_MAIL = ['confirmation-overdue'];

export interface ReleaseNow {
  number: number;
  title?: string;
  version: string;
  state: ReleaseState;
  /** Per environment, in deployment order: pending, deploying, awaiting_confirmation, verifying, deployed, rolled_back. */
  environments: Record<string, string>;
  production: string[];
  /** When each environment's smoke-test confirmation is due, while one is awaited. */
  confirmationDue: Record<string, number>;
  awaitingAuthorisationFor: string | null;
  authorisedFor: string | null;
  escalationLevel: number;
  failureReason: string | null;
  notices: MailNotice[];
}

/** The earliest smoke-test confirmation still awaited: what the release waits for next from a person. */
export function releaseDueAt(now: Pick<ReleaseNow, 'environments' | 'confirmationDue'>): number | null {
  const due = Object.entries(now.confirmationDue)
    .filter(([env]) => now.environments[env] === 'awaiting_confirmation')
    .map(([, at]) => at);
  return due.length ? Math.min(...due) : null;
}

export function releaseCurrentDetails(now: ReleaseNow): string {
  const due = releaseDueAt(now);
  const awaiting = Object.keys(now.confirmationDue).find((env) => now.environments[env] === 'awaiting_confirmation');
  return detailsMarkdown(
    `${releaseReference(now.number)} · ${summaryLine([now.title, now.version])}`,
    [
      {
        facts: [
          ['State', now.state],
          ['Waiting for authorisation of', now.awaitingAuthorisationFor],
          ['Authorised for', now.authorisedFor],
          ['Escalation level', escalationText(now.escalationLevel, now.notices, RELEASE_ESCALATION_MAIL)],
          ['Next deadline', due !== null ? `smoke-test confirmation in ${awaiting} at ${utcInstant(due)}` : null],
          ['Failure', now.failureReason],
        ],
      },
      { heading: 'Environments', facts: Object.entries(now.environments).map(([env, state]): Fact => [now.production.includes(env) ? `${env} (production)` : env, state]) },
      noticesSection(now.notices),
    ],
  );
}

export interface EnvironmentNow {
  /** `REL-000003`; the release's id in children started before they were told its number. */
  reference: string;
  environment: string;
  phase: string;
  /** When the smoke-test confirmation is due, once it is awaited. */
  confirmationDue: number | null;
  overdue: boolean;
}

export function environmentCurrentDetails(now: EnvironmentNow): string {
  return detailsMarkdown(`${now.reference} · ${releaseStepSummary('deploy', now.environment)}`, [
    {
      facts: [
        ['Phase', now.phase],
        ['Smoke-test confirmation due', utcInstant(now.confirmationDue)],
        ['Escalation', now.overdue ? 'confirmation overdue: the release authorisers were told' : null],
      ],
    },
  ]);
}
