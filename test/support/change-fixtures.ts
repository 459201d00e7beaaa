import type { QuorumRule } from '../../domain/change';
import { readInbox, type CapturedMail } from '../../scripts/mail-catcher';
import { eventually, type DemoRole, type Harness } from './harness';

export interface BoardSettings {
  members: DemoRole[];
  quorum: QuorumRule;
  chair?: DemoRole;
  decisionSeconds: number;
  remindBeforeSeconds?: number[];
  escalateBeforeSeconds?: number | null;
  reviewSeconds?: number;
  secondLevel?: { board: string; costAbove: number | null; riskAtLeast: 'low' | 'medium' | 'high' | 'critical' | null } | null;
}

/** Rewrites a seeded board through the API onto the 24x7 calendar, with deadlines in seconds. */
export async function configureBoard(h: Harness, code: string, settings: BoardSettings) {
  const calendar = await h.db.prisma.businessCalendar.findUniqueOrThrow({ where: { name: '24x7' } });
  const response = await h.http
    .put(`/api/approval-boards/${code}`)
    .set(h.as('admin'))
    .send({
      name: `${code} (test)`,
      chairId: h.userIds[settings.chair ?? 'manager'],
      memberIds: settings.members.map((member) => h.userIds[member]),
      quorum: settings.quorum,
      calendarId: calendar.id,
      decisionSeconds: settings.decisionSeconds,
      remindBeforeSeconds: settings.remindBeforeSeconds ?? [],
      escalateBeforeSeconds: settings.escalateBeforeSeconds ?? null,
      reviewSeconds: settings.reviewSeconds ?? 3_600,
      secondLevel: settings.secondLevel ?? null,
    });
  if (response.status !== 200) throw new Error(`board ${code}: ${response.status} ${JSON.stringify(response.body)}`);
}

let serviceCounter = 0;

/** A service of the test's own: no maintenance windows or blackouts unless the test adds them. */
export async function changeTestService(h: Harness) {
  return h.db.prisma.service.create({ data: { code: `CHG${process.pid}x${++serviceCounter}`, name: `Change test service ${serviceCounter}`, ownerId: h.userIds.manager } });
}

let templateCounter = 0;

/**
 * Overrides that make `changeBody` a standard change under a template of the test's own, made through the API:
 * it covers the service (and servers, applications and databases) at low risk, and the change follows its plans.
 */
export async function standardChange(h: Harness, serviceId: string, scope: { serviceIds?: string[]; ciTypes?: string[]; maxRisk?: string } = {}) {
  const response = await h.http
    .post('/api/change-templates')
    .set(h.as('manager'))
    .send({
      name: `Standard work ${process.pid}x${++templateCounter}`,
      implementationPlan: 'Restart the service from the runbook and check its health page',
      backoutPlan: 'Leave it stopped and open an incident',
      maxCost: 0,
      maxDurationMinutes: 60,
      serviceIds: [serviceId],
      ciTypes: ['server', 'application', 'database'],
      maxRisk: 'low',
      ...scope,
    });
  if (response.status !== 201) throw new Error(`template: ${response.status} ${JSON.stringify(response.body)}`);
  return { type: 'standard', templateId: response.body.id as string, estimatedCost: 0, implementationPlan: undefined, backoutPlan: undefined };
}

export const LOW_RISK = { userImpact: 'few', complexity: 'low', downtime: 'none', testedBeforehand: 'yes', backoutTested: 'yes', doneBefore: 'yes' } as const;
export const HIGH_RISK = { userImpact: 'organisation', complexity: 'high', downtime: 'full', testedBeforehand: 'no', backoutTested: 'yes', doneBefore: 'yes' } as const;

export function changeBody(serviceId: string, overrides: Record<string, unknown> = {}) {
  const start = Date.now() + 3_600_000;
  return {
    type: 'normal',
    title: 'Upgrade the database cluster',
    justification: 'Vendor support for the current version ends',
    serviceIds: [serviceId],
    implementationPlan: 'Fail over, upgrade the standby, fail back',
    backoutPlan: 'Restore the snapshot taken before the upgrade',
    plannedStart: new Date(start).toISOString(),
    plannedEnd: new Date(start + 3_600_000).toISOString(),
    estimatedCost: 1_000,
    riskAnswers: LOW_RISK,
    submit: true,
    ...overrides,
  };
}

export async function raiseChange(h: Harness, serviceId: string, overrides: Record<string, unknown> = {}, role: DemoRole = 'requester') {
  const response = await h.http.post('/api/changes').set(h.as(role)).send(changeBody(serviceId, overrides));
  if (response.status !== 201) throw new Error(`raise change: ${response.status} ${JSON.stringify(response.body)}`);
  return response.body as { id: string; number: number; reference: string; workflowId: string; state: string };
}

export async function changeState(h: Harness, id: string): Promise<string> {
  return (await h.db.prisma.changeRequest.findUniqueOrThrow({ where: { id }, select: { state: true } })).state;
}

export function waitForChangeState(h: Harness, id: string, state: string, timeoutMs = 30_000) {
  return eventually(async () => {
    const current = await changeState(h, id);
    if (current !== state) throw new Error(`change ${id} is ${current}, expected ${state}`);
  }, timeoutMs);
}

export async function deadlineEvents(h: Harness, changeId: string) {
  return h.db.prisma.changeEvent.findMany({ where: { changeId, type: { startsWith: 'deadline.' } }, orderBy: [{ at: 'asc' }, { eventKey: 'asc' }] });
}

/** Mail about one change (by id: suites run in parallel on databases of their own, so references repeat). */
export async function changeMails(changeId: string): Promise<CapturedMail[]> {
  const inbox = await readInbox(process.env.ITSM_TEST_MAIL_INBOX!);
  return inbox.filter((mail) => mail.headers['x-itsm-change-id'] === changeId);
}

export const decide = (h: Harness, id: string, role: DemoRole, verb: 'approve' | 'reject', comment = verb === 'reject' ? 'Not with this back-out plan' : '') =>
  h.http.post(`/api/changes/${id}/${verb}`).set(h.as(role)).send({ comment });
