import { patched, proxyActivities, uuid4, workflowInfo } from '@temporalio/workflow';
import type { AuditActivities } from '../activities/audit';
import type { ActionOffer } from '../domain/action-links';
import { AUDIT_TRANSITIONS, auditReviewTimers, DEFAULT_AUDIT_REVIEW, type AuditCommand, type AuditState } from '../domain/audit';
import type { DeadlineTimer } from '../domain/deadlines';
import { auditDetails, deadlineTimerSummary, ESCALATION_LEVEL } from '../domain/governance-metadata';
import { mailLabel } from '../domain/workflow-metadata';
import { ItsmDueAt, ItsmEscalationLevel, ItsmState } from '../domain/search-attributes';
import { assignAuditorUpdate, auditStatusQuery, finishFieldworkUpdate, recordFindingUpdate, signOffAuditUpdate, type AuditStatus } from './annual-audit.messages';
import { startCorrectiveAction } from './corrective-action';
import { sendGovernanceMail } from './governance-mail';
import { RecordProcess } from './record-process';
import { ILLEGAL_TRANSITION, NOT_ALLOWED } from './refusals';

const { openAudit, checkAuditor, recordAudit, recordFinding } = proxyActivities<AuditActivities>({ startToCloseTimeout: '2 minutes', retry: { maximumInterval: '1 minute' } });

/** The managers can sign off the management review from the mails that ask for it. */
const SIGN_OFF: ActionOffer = { step: 'audit.sign-off' };

type AuditPatch = Parameters<AuditActivities['recordAudit']>[0]['patch'];

/** Guards the audit's state, escalation level and review deadline as search attributes: audits before it set none. */
export const AUDIT_SEARCH_ATTRIBUTES_PATCH = 'annual-audit-search-attributes';

export interface AnnualAuditInput {
  /** How long the management review may take after the fieldwork, and reminders before that. */
  reviewSeconds?: number;
  remindBeforeSeconds?: number[];
}

/**
 * The yearly internal audit (ISO/IEC 20000-1 clauses 9.2 and 9.3), run by its Schedule: the evidence per clause
 * is compiled from the live records; an independent auditor is assigned (one involved in the audited services is
 * refused); each finding becomes a corrective action with its own workflow; a manager signs off the management
 * review by its deadline.
 */
export async function annualAudit(input: AnnualAuditInput = {}): Promise<AuditStatus> {
  const review = { reviewSeconds: input.reviewSeconds ?? DEFAULT_AUDIT_REVIEW.reviewSeconds, remindBeforeSeconds: input.remindBeforeSeconds ?? DEFAULT_AUDIT_REVIEW.remindBeforeSeconds };
  let opened: Partial<Awaited<ReturnType<AuditActivities['openAudit']>>> = {};
  let auditorId: string | null = null;
  let findings = 0;
  let reviewDueAt: string | null = null;
  let escalatedAt: number | null = null;
  const timers = () => auditReviewTimers(reviewDueAt, review);
  const fired = new Set<string>();
  const audit: RecordProcess<AuditState, AuditCommand> = new RecordProcess({
    table: AUDIT_TRANSITIONS,
    keyPrefix: workflowInfo().workflowId,
    searchAttributes: patched(AUDIT_SEARCH_ATTRIBUTES_PATCH)
      ? () => [
          [ItsmState, audit.state],
          [ItsmEscalationLevel, escalatedAt === null ? 0 : ESCALATION_LEVEL],
          [ItsmDueAt, reviewDueAt ? new Date(reviewDueAt) : null],
        ]
      : undefined,
    details: () =>
      auditDetails(
        { state: audit.state, periodStart: opened.periodStart, periodEnd: opened.periodEnd, auditorId, findings, apiUrl: opened.apiUrl },
        { dueAt: reviewDueAt, escalatedAt, next: audit.state === 'closed' ? null : (timers().find((timer) => !fired.has(timer.key)) ?? null), now: Date.now() },
      ),
  });
  const auditId = () => opened.auditId!;
  const status = (): AuditStatus => ({ auditId: opened.auditId ?? null, state: audit.state, auditorId, findings, reviewDueAt, escalated: escalatedAt !== null });

  const save = (summary: string, patch: AuditPatch) => audit.write(() => recordAudit.executeWithOptions({ summary }, [{ auditId: auditId(), patch }]));
  const mail = (kind: string, subject: string, text: string, offer?: ActionOffer) =>
    audit.send(kind, (key) => sendGovernanceMail.executeWithOptions({ summary: mailLabel(kind, 'managers') }, [{ key, kind, toUserIds: 'managers', subject, text, headers: { 'X-Itsm-Audit-Id': auditId() }, offer }]));
  const byAuditor = (command: AuditCommand, actorId: string) => {
    if (actorId !== auditorId) audit.refuse(NOT_ALLOWED, command, 'only the assigned auditor does that');
  };

  audit.query(auditStatusQuery, status);

  audit.update(assignAuditorUpdate, 'assignAuditor', async ({ auditorId: candidate }) => {
    // Checked again here, against the records as they are now: the API's check may be a moment old. While it
    // runs the audit takes no other command, so a second assignment is refused instead of racing this one.
    await audit.decided('assignAuditor', async () => {
      const conflicts = await checkAuditor.executeWithOptions({ summary: 'check: auditor independent of the audited services' }, [{ auditId: auditId(), auditorId: candidate }]);
      if (conflicts.length > 0) audit.refuse(ILLEGAL_TRANSITION, 'assignAuditor', `the auditor is not independent of the audited services: ${conflicts.join('; ')}`);
    });
    auditorId = candidate;
    await save('record: auditor assigned', { auditorId: candidate, state: audit.state });
    return status();
  });

  audit.update(
    recordFindingUpdate,
    'recordFinding',
    async (finding) => {
      audit.transition('recordFinding');
      const actionId = uuid4();
      const findingId = uuid4();
      const dueAt = new Date(Date.now() + finding.dueInSeconds * 1000).toISOString();
      const workflowId = `corrective-action-${actionId}`;
      const recorded = await audit.write(() =>
        recordFinding.executeWithOptions({ summary: `record: finding ${finding.clause}` }, [
          { auditId: auditId(), findingId, actionId, workflowId, clause: finding.clause, title: finding.title, severity: finding.severity, description: finding.description, ownerId: finding.ownerId, dueAt },
        ]),
      );
      await startCorrectiveAction(workflowId, {
        actionId,
        title: finding.title,
        ownerId: finding.ownerId,
        dueAt,
        remindBeforeSeconds: input.remindBeforeSeconds ?? [Math.round(finding.dueInSeconds / 4)],
        source: `finding ${finding.clause}`,
        // Findings recorded before the activity answered it have no owner's name.
        ownerName: recorded?.ownerName,
        apiUrl: opened.apiUrl,
      });
      findings++;
      return status();
    },
    ({ actorId }) => byAuditor('recordFinding', actorId),
  );

  audit.update(
    finishFieldworkUpdate,
    'finishFieldwork',
    async () => {
      audit.transition('finishFieldwork');
      reviewDueAt = new Date(Date.now() + review.reviewSeconds * 1000).toISOString();
      await save('record: fieldwork finished, review due', { state: audit.state, reviewDueAt });
      mail('audit-review-request', 'Management review: the internal audit report is ready', `Review the audit report and sign it off by ${reviewDueAt}.`, SIGN_OFF);
      return status();
    },
    ({ actorId }) => byAuditor('finishFieldwork', actorId),
  );

  audit.update(
    signOffAuditUpdate,
    'signOffAudit',
    async ({ actorId }) => {
      audit.transition('signOffAudit');
      await save('record: audit signed off', { state: audit.state, signedOffById: actorId, signedOffAt: new Date(Date.now()).toISOString() });
      return status();
    },
    ({ actorId, isManager }) => {
      if (!isManager) audit.refuse(NOT_ALLOWED, 'signOffAudit', 'the management review is signed off by a manager');
      if (actorId === auditorId) audit.refuse(NOT_ALLOWED, 'signOffAudit', 'the auditor does not sign off their own audit');
    },
  );

  opened = await openAudit.executeWithOptions({ summary: 'record: audit opened with its evidence' }, [{ workflowId: workflowInfo().workflowId, at: new Date(Date.now()).toISOString() }]);
  audit.transition('open');
  mail('audit-opened', 'The yearly internal audit is open', 'Its evidence is compiled; assign an auditor who is independent of the audited services.');

  await audit.untilDone(
    () => audit.state === 'closed',
    timers,
    async (timer: DeadlineTimer) => {
      if (timer.kind === 'reminder') {
        audit.transition('remind');
        return mail('audit-review-reminder', 'Reminder: management review of the internal audit', `Sign it off by ${reviewDueAt}.`, SIGN_OFF);
      }
      escalatedAt = Date.now();
      audit.transition('escalate');
      mail('audit-review-overdue', 'ESCALATED: management review of the internal audit is overdue', `It was due by ${reviewDueAt}.`, SIGN_OFF);
      await save('record: audit escalated', { escalated: true });
    },
    fired,
    (timer) => deadlineTimerSummary('management review', timer),
  );
  // An Update that ended the wait may still be finishing its work.
  await audit.drain();
  return status();
}
