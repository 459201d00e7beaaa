import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { EscalationLevel } from '../../domain/sla';
import type { Db } from '../../prisma/database';
import type { Priority } from '../../domain/priority';
import { readInbox, type CapturedMail } from '../../scripts/mail-catcher';
import { eventually, type Harness } from './harness';

export interface SecondScalePolicy {
  responseSeconds: number;
  resolutionSeconds: number;
  warningThresholds?: number[];
  escalationChain?: EscalationLevel[];
  progressEverySeconds?: number | null;
  autoCloseSeconds?: number;
  reopenWindowSeconds?: number;
  /** Another calendar than 24x7 (by id). */
  calendarId?: string;
  holdNotificationsOutsideHours?: boolean;
  unassignedAlertSeconds?: number | null;
}

let serviceCounter = 0;

/**
 * A service whose policies run on the 24x7 calendar (or `policy.calendarId`) with targets in seconds. With
 * `scaleByPriority` each priority gets the targets times its rank (P1 x1 ... P4 x4), unless `perPriority` says
 * otherwise; without it, every priority gets the same targets.
 */
export async function createSecondScaleService(
  prisma: Db,
  options: { code: string; ownerId: string | null; defaultGroupId?: string; policy: SecondScalePolicy; perPriority?: Partial<Record<Priority, Partial<SecondScalePolicy>>>; scaleByPriority?: boolean },
) {
  const { policy, perPriority = {}, scaleByPriority = true } = options;
  const calendar = policy.calendarId ? { id: policy.calendarId } : await prisma.businessCalendar.findUniqueOrThrow({ where: { name: '24x7' } });
  const service = await prisma.service.create({ data: { code: options.code, name: `Second-scale service ${options.code}`, ownerId: options.ownerId, defaultGroupId: options.defaultGroupId } });
  for (const [rank, priority] of (['P1', 'P2', 'P3', 'P4'] as const).entries()) {
    const p = { ...policy, ...perPriority[priority] };
    const scale = scaleByPriority ? rank + 1 : 1;
    await prisma.slaPolicy.create({
      data: {
        serviceId: service.id,
        priority,
        calendarId: calendar.id,
        responseTargetSeconds: perPriority[priority]?.responseSeconds ?? p.responseSeconds * scale,
        resolutionTargetSeconds: perPriority[priority]?.resolutionSeconds ?? p.resolutionSeconds * scale,
        warningThresholds: p.warningThresholds ?? [0.5, 0.75, 0.9],
        escalationChain: (p.escalationChain ?? []) as object[],
        progressUpdateEverySeconds: p.progressEverySeconds ?? null,
        autoCloseAfterSeconds: p.autoCloseSeconds ?? 3_600,
        reopenWindowSeconds: p.reopenWindowSeconds ?? 3_600,
        holdNotificationsOutsideHours: p.holdNotificationsOutsideHours ?? false,
        unassignedAlertSeconds: p.unassignedAlertSeconds ?? null,
      },
    });
  }
  return service;
}

/** A second-scale service of the suite's own, owned by the demo manager. */
export function secondScaleService(h: Harness, policy: SecondScalePolicy, perPriority: Partial<Record<Priority, Partial<SecondScalePolicy>>> = {}) {
  return createSecondScaleService(h.db.prisma, { code: `SLA${process.pid}x${++serviceCounter}`, ownerId: h.userIds.manager, policy, perPriority });
}

export async function openIncidentVia(h: Harness, serviceId: string, impact: 'high' | 'medium' | 'low' = 'medium', urgency: 'high' | 'medium' | 'low' = 'medium') {
  const response = await h.http.post('/api/incidents').set(h.as('requester')).send({ title: `SLA test ${Date.now()}`, impact, urgency, serviceId });
  if (response.status !== 201) throw new Error(`intake failed: ${response.status} ${JSON.stringify(response.body)}`);
  return response.body as { id: string; number: number; reference: string; workflowId: string; priority: Priority; groupId: string | null; createdAt: string };
}

export async function slaEvents(h: Harness, incidentId: string) {
  return h.db.prisma.incidentEvent.findMany({ where: { incidentId, type: { startsWith: 'sla.' } }, orderBy: [{ at: 'asc' }, { eventKey: 'asc' }] });
}

/** Mail about one incident (by id: suites run in parallel on databases of their own, so references repeat). */
export async function mailsFor(incidentId: string): Promise<CapturedMail[]> {
  const inbox = await readInbox(process.env.ITSM_TEST_MAIL_INBOX!);
  return inbox.filter((mail) => mail.headers['x-itsm-incident-id'] === incidentId);
}

/** Waits for `expected` mails about the incident in the inbox and checks each notification arrived exactly once. */
export async function expectEachMailOnce(incidentId: string, expected: number): Promise<CapturedMail[]> {
  const mails = await eventually(async () => {
    const found = await mailsFor(incidentId);
    if (found.length < expected) throw new Error(`${found.length} of ${expected} mails`);
    return found;
  });
  expect(mails).toHaveLength(expected);
  expect(new Set(mails.map((m) => m.headers['x-itsm-idempotency-key'])).size).toBe(mails.length);
  return mails;
}

/**
 * With ITSM_RECORD_HISTORIES=1, saves a finished scenario's workflow history under test/histories/, where the
 * replay test checks that today's workflow code still reproduces it exactly.
 */
export async function recordHistoryIfAsked(workflowId: string, name: string) {
  if (process.env.ITSM_RECORD_HISTORIES !== '1') return;
  // The CLI writes the history in the protobuf JSON form that historyFromJSON reads back.
  const json = execFileSync(process.env.ITSM_TEST_TEMPORAL_CLI!, ['workflow', 'show', '--workflow-id', workflowId, '--address', process.env.ITSM_TEST_TEMPORAL_ADDRESS!, '--output', 'json']);
  writeFileSync(path.resolve(__dirname, '../histories', `${name}.json`), json);
}
