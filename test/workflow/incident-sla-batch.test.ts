import { readFileSync } from 'node:fs';
import type { temporal } from '@temporalio/proto';
import { defaultPayloadConverter } from '@temporalio/common';
import { NativeConnection, Worker } from '@temporalio/worker';
import { createActivities, createMailActivities } from '../../activities';
import type { IncidentEventRecord } from '../../activities/incident';
import { mailTaskQueue } from '../../domain/task-queues';
import { eventually, startHarness, type Harness } from '../support/harness';
import { expectEachMailOnce, openIncidentVia, recordHistoryIfAsked, secondScaleService, slaEvents } from '../support/sla-fixtures';

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

/** Every activity the workflow scheduled: its type, the task queue it went to and its decoded input. */
async function scheduledActivities(h: Harness, workflowId: string) {
  const { events } = await h.temporal.workflow.getHandle(workflowId).fetchHistory();
  return (events ?? [])
    .map((event: HistoryEvent) => event.activityTaskScheduledEventAttributes)
    .filter((attributes): attributes is temporal.api.history.v1.IActivityTaskScheduledEventAttributes => !!attributes)
    .map((attributes) => ({
      type: attributes.activityType!.name!,
      taskQueue: attributes.taskQueue!.name!,
      input: defaultPayloadConverter.fromPayload<Record<string, unknown>>(attributes.input!.payloads![0]),
    }));
}

/**
 * Waits until the workflow has scheduled `requests` mail activities, all on the mail queue, and each has been
 * sent to its recipients; then the inbox must hold exactly one mail per notification, none repeated.
 */
async function eachMailOnce(h: Harness, incident: { id: string; workflowId: string }, requests: number) {
  const notifications = await eventually(async () => {
    const mail = (await scheduledActivities(h, incident.workflowId)).filter((a) => a.type === 'sendIncidentNotification');
    const rows = await h.db.prisma.notification.findMany({ where: { incidentId: incident.id } });
    const sentKeys = new Set(rows.filter((row) => row.status === 'sent').map((row) => row.idempotencyKey.replace(/:[^:]+$/, '')));
    if (mail.length < requests || rows.some((row) => row.status !== 'sent') || !mail.every((a) => sentKeys.has(a.input.key as string))) throw new Error(`${sentKeys.size} of ${requests} sent`);
    expect(mail).toHaveLength(requests);
    expect(mail.map((a) => a.taskQueue)).toEqual(mail.map(() => mailTaskQueue(h.taskQueue)));
    expect(new Set(mail.map((a) => a.input.key))).toEqual(sentKeys);
    return rows;
  }, 30_000);
  await expectEachMailOnce(incident.id, notifications.length);
  return notifications;
}

const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Opens an incident on the same-instant policy and gives it a person, so every notice has a recipient. */
async function openAssigned(h: Harness, serviceId: string) {
  const incident = await openIncidentVia(h, serviceId);
  const serviceDeskId = (await h.db.prisma.group.findUniqueOrThrow({ where: { name: 'Service Desk' } })).id;
  await h.http.post(`/api/incidents/${incident.id}/assign`).set(h.as('agent')).send({ groupId: serviceDeskId, assigneeId: h.userIds.agent2 }).expect(200);
  return incident;
}

// Both clocks with the same target: at 50 % two warnings fall due together, at 100 % two breaches and the two
// escalations the breach triggers.
const SAME_INSTANT_POLICY = {
  responseSeconds: 4,
  resolutionSeconds: 4,
  warningThresholds: [0.5],
  escalationChain: [
    { level: 1, atFraction: 1, notify: ['groupLead' as const] },
    { level: 2, atFraction: 1, notify: ['serviceOwner' as const] },
  ],
};
const SAME_INSTANT_KEYS = ['escalation:1', 'escalation:2', 'resolution:breach', 'resolution:warning:0.5', 'response:breach', 'response:warning:0.5'];
// The intake's notice and the assignment's, a warning per clock and the at-risk notice, a breach per clock, two escalations.
const SAME_INSTANT_MAIL_REQUESTS = 9;

describe('incident SLA instants: one write per instant, mail on its own task queue', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness('pglite');
  });
  afterAll(() => h?.close());

  it('records every event due at one instant with one activity, each event and each mail exactly once', async () => {
    const service = await secondScaleService(h, SAME_INSTANT_POLICY, { P3: { responseSeconds: 4, resolutionSeconds: 4 } });
    const incident = await openAssigned(h, service.id);
    const events = await eventually(async () => {
      const found = await slaEvents(h, incident.id);
      if (found.length < SAME_INSTANT_KEYS.length) throw new Error(`${found.length} events`);
      return found;
    }, 30_000);
    await eachMailOnce(h, incident, SAME_INSTANT_MAIL_REQUESTS);
    await wait(1_000); // anything that would repeat would have done so by now
    expect(await slaEvents(h, incident.id)).toHaveLength(events.length);
    expect(events.map((e) => (e.data as { key: string }).key).sort()).toEqual(SAME_INSTANT_KEYS);
    for (const event of events) expect(event.recordedAt.getTime()).toBeGreaterThanOrEqual(Date.parse((event.data as { dueAt: string }).dueAt));

    const activities = await scheduledActivities(h, incident.workflowId);
    const batches = activities.filter((a) => a.type === 'recordIncidentChanges').map((a) => (a.input.events as IncidentEventRecord[]).map((e) => e.data.key as string));
    // Two instants (50 % and 100 %), two writes: never one per event, and every event in exactly one of them.
    expect(batches.length).toBeLessThanOrEqual(2);
    expect(batches.flat().sort()).toEqual(SAME_INSTANT_KEYS);
    expect(batches.some((keys) => keys.length >= 4)).toBe(true);
    expect(activities.filter((a) => a.type === 'recordIncidentChange' && (a.input.event as IncidentEventRecord | null)?.type.startsWith('sla.'))).toHaveLength(0);
    // Written in one transaction each: the events of one write share its time.
    expect(new Set(events.map((e) => e.recordedAt.getTime())).size).toBe(batches.length);

    await recordHistoryIfAsked(incident.workflowId, 'incident-same-instant-batch');
  });
});

describe('incident mail without a mail worker', () => {
  let h: Harness;
  let connection: NativeConnection;
  beforeAll(async () => {
    // The harness's worker polls other queues: this test runs the workflow worker alone, then the mail worker.
    h = await startHarness('pglite', { inProcessWorker: false });
    connection = await NativeConnection.connect({ address: process.env.ITSM_TEST_TEMPORAL_ADDRESS! });
  });
  afterAll(async () => {
    await h?.close();
    await connection?.close();
  });

  it('never holds up the SLA loop: every event is written while mail waits on the mail queue, then each mail goes once', async () => {
    const deps = { ...h.apiDeps, publicUrl: h.baseUrl };
    const workflowWorker = () =>
      Worker.create({ connection, taskQueue: h.taskQueue, workflowBundle: { code: readFileSync(process.env.ITSM_TEST_WORKFLOW_BUNDLE!, 'utf8') }, activities: createActivities(deps) });
    const workflows = await workflowWorker();
    const service = await secondScaleService(h, SAME_INSTANT_POLICY, { P3: { responseSeconds: 4, resolutionSeconds: 4 } });
    const incident = await workflows.runUntil(async () => {
      const opened = await openAssigned(h, service.id);
      await eventually(async () => {
        const found = await slaEvents(h, opened.id);
        if (found.length < SAME_INSTANT_KEYS.length) throw new Error(`${found.length} events`);
      }, 30_000);
      return opened;
    });
    // Nothing serves the mail queue yet: no mail has gone. Mail stays in order, so only the first (the intake's
    // notice) is scheduled, on the mail queue, and every SLA event was written behind it all the same.
    expect(await h.db.prisma.notification.count({ where: { incidentId: incident.id } })).toBe(0);
    const waiting = (await scheduledActivities(h, incident.workflowId)).filter((a) => a.type === 'sendIncidentNotification');
    expect(waiting.map((a) => [a.taskQueue, a.input.kind])).toEqual([[mailTaskQueue(h.taskQueue), 'new-incident']]);

    const [resumed, mail] = await Promise.all([workflowWorker(), Worker.create({ connection, taskQueue: mailTaskQueue(h.taskQueue), activities: createMailActivities(deps) })]);
    await resumed.runUntil(() => mail.runUntil(() => eachMailOnce(h, incident, SAME_INSTANT_MAIL_REQUESTS)));
  });
});
