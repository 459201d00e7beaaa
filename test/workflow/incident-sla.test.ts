import { ItsmEscalationLevel, ItsmSlaBreached, ItsmState } from '../../temporal-config/search-attributes';
import { randomUUID } from 'node:crypto';
import type { IncidentOpened } from '../../domain/incident';
import { incidentLifecycle } from '../../workflows/incident';
import { addNoteUpdate, incidentStatusQuery } from '../../workflows/incident.messages';
import { eventually, startHarness, type Harness } from '../support/harness';
import { expectEachMailOnce, mailsFor, openIncidentVia, recordHistoryIfAsked, secondScaleService, slaEvents } from '../support/sla-fixtures';

const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('incident SLA engine with second-scale policies', () => {
  let h: Harness;
  let serviceDeskId: string;
  beforeAll(async () => {
    h = await startHarness('pglite');
    serviceDeskId = (await h.db.prisma.group.findUniqueOrThrow({ where: { name: 'Service Desk' } })).id;
  });
  afterAll(() => h?.close());

  it('warns at 50/75/90 %, then breaches, then escalates level by level, each exactly once', async () => {
    const service = await secondScaleService(h, {
      responseSeconds: 600,
      resolutionSeconds: 4,
      escalationChain: [
        { level: 1, atFraction: 1, notify: ['assignee', 'groupLead'] },
        { level: 2, atFraction: 1.25, notify: ['serviceOwner'] },
        { level: 3, atFraction: 1.5, notify: [{ userEmail: 'admin@itsm.local' }] },
      ],
    }, { P3: { resolutionSeconds: 4 } });
    const incident = await openIncidentVia(h, service.id);
    await h.http.post(`/api/incidents/${incident.id}/assign`).set(h.as('agent')).send({ groupId: serviceDeskId, assigneeId: h.userIds.agent2 }).expect(200);

    const events = await eventually(async () => {
      const found = await slaEvents(h, incident.id);
      if (!found.some((e) => e.type === 'sla.escalation' && (e.data as { level?: number }).level === 3)) throw new Error('level 3 not yet');
      return found;
    }, 30_000);
    await wait(1_500); // anything that would repeat would have done so by now
    const after = await slaEvents(h, incident.id);
    expect(after).toHaveLength(events.length);
    const keys = after.map((e) => (e.data as { key: string }).key);
    expect(keys).toEqual([
      'resolution:warning:0.5',
      'resolution:warning:0.75',
      'resolution:warning:0.9',
      'resolution:breach',
      'escalation:1',
      'escalation:2',
      'escalation:3',
    ]);
    for (const event of after) {
      // Never early: each fires at or after the instant it was due.
      expect(event.at.getTime()).toBeGreaterThanOrEqual(Date.parse((event.data as { dueAt: string }).dueAt));
    }

    const record = await h.db.prisma.incident.findUniqueOrThrow({ where: { id: incident.id } });
    expect(record).toMatchObject({ escalationLevel: 3, resolutionBreached: true, responseBreached: false });
    const attributes = (await h.temporal.workflow.getHandle(incident.workflowId).describe()).typedSearchAttributes;
    expect(attributes.get(ItsmEscalationLevel)).toBe(3);
    expect(attributes.get(ItsmSlaBreached)).toBe(true);
    expect(attributes.get(ItsmState)).toBe('assigned');

    // Every notification was sent once, and the inbox holds exactly one mail per recorded notification.
    const notifications = await eventually(async () => {
      const rows = await h.db.prisma.notification.findMany({ where: { incidentId: incident.id } });
      if (rows.some((row) => row.status !== 'sent') || !rows.some((row) => row.kind === 'escalation' && row.recipient === 'admin@itsm.local')) throw new Error('not all sent');
      return rows;
    });
    const mails = await expectEachMailOnce(incident.id, notifications.length);
    const escalationRecipients = notifications.filter((n) => n.kind === 'escalation').map((n) => n.recipient).sort();
    expect(escalationRecipients).toEqual(['admin@itsm.local', 'li.wei@itsm.local', 'mei.chen@itsm.local', 'sam.taylor@itsm.local'].sort());
    // Mail goes out in the recipient's language: Mei Chen reads Chinese.
    const zh = mails.find((m) => m.to[0].address === 'mei.chen@itsm.local' && /升级/.test(m.subject));
    expect(zh).toBeDefined();
    await recordHistoryIfAsked(incident.workflowId, 'incident-escalation-chain');
  });

  it('pending pauses the resolution clock and resume restores it with exact credit', async () => {
    const service = await secondScaleService(h, { responseSeconds: 600, resolutionSeconds: 30 }, { P3: { resolutionSeconds: 30 } });
    const incident = await openIncidentVia(h, service.id);
    const handle = h.temporal.workflow.getHandle(incident.workflowId);
    await h.http.post(`/api/incidents/${incident.id}/assign`).set(h.as('agent')).send({ groupId: serviceDeskId }).expect(200);
    const before = await handle.query(incidentStatusQuery);
    await wait(1_000);
    const paused = await h.http.post(`/api/incidents/${incident.id}/pending`).set(h.as('agent')).send({ reason: 'waiting for the customer to reboot' });
    expect(paused.status).toBe(200);
    expect(paused.body.resolution).toMatchObject({ paused: true, dueAt: null });
    const frozen = paused.body.resolution.remainingSeconds;
    await wait(2_000);
    expect((await handle.query(incidentStatusQuery)).resolution!.remainingSeconds).toBe(frozen);
    const resumed = await h.http.post(`/api/incidents/${incident.id}/resume`).set(h.as('agent')).send({});
    expect(resumed.status).toBe(200);

    const events = await h.db.prisma.incidentEvent.findMany({ where: { incidentId: incident.id, type: { in: ['pending', 'resumed'] } }, orderBy: { at: 'asc' } });
    const pausedFor = events[1].at.getTime() - events[0].at.getTime();
    expect(pausedFor).toBeGreaterThanOrEqual(2_000);
    // On a 24x7 calendar the deadline moves by exactly the time spent pending.
    expect(Date.parse(resumed.body.resolution.dueAt) - Date.parse(before.resolution!.dueAt!)).toBe(pausedFor);
    expect(resumed.body.resolution.paused).toBe(false);
    await recordHistoryIfAsked(incident.workflowId, 'incident-pending-resume');
  });

  it('a priority change moves the deadlines and keeps the elapsed time', async () => {
    const service = await secondScaleService(h, { responseSeconds: 600, resolutionSeconds: 100 }, { P3: { resolutionSeconds: 300 }, P1: { resolutionSeconds: 60, responseSeconds: 30 } });
    const incident = await openIncidentVia(h, service.id);
    // The workflow writes the deadlines right after intake.
    const opened = await eventually(async () => {
      const row = await h.db.prisma.incident.findUniqueOrThrow({ where: { id: incident.id } });
      if (!row.resolutionDueAt) throw new Error('no deadline yet');
      return row;
    });
    expect(opened.resolutionDueAt!.getTime() - opened.createdAt.getTime()).toBe(300_000);
    await wait(1_500);
    const changed = await h.http.post(`/api/incidents/${incident.id}/priority`).set(h.as('agent')).send({ impact: 'high', urgency: 'high', reason: 'whole floor affected' });
    expect(changed.status).toBe(200);
    expect(changed.body.priority).toBe('P1');
    expect(changed.body.resolution.targetSeconds).toBe(60);
    expect(changed.body.resolution.elapsedSeconds).toBeGreaterThanOrEqual(1);
    // Same start, shorter target: nothing spent so far is lost or counted twice.
    expect(Date.parse(changed.body.resolution.dueAt) - opened.createdAt.getTime()).toBe(60_000);
    expect(Date.parse(changed.body.response.dueAt) - opened.createdAt.getTime()).toBe(30_000);
    const record = await h.db.prisma.incident.findUniqueOrThrow({ where: { id: incident.id } });
    expect(record.priority).toBe('P1');
    expect(record.resolutionDueAt!.getTime() - opened.createdAt.getTime()).toBe(60_000);
    await recordHistoryIfAsked(incident.workflowId, 'incident-priority-change');
  });

  it('resolve stops both clocks; reopen restarts the resolution clock only; auto-close closes', async () => {
    const service = await secondScaleService(h, { responseSeconds: 600, resolutionSeconds: 60, autoCloseSeconds: 2 }, { P3: { resolutionSeconds: 60 } });
    const incident = await openIncidentVia(h, service.id);
    await h.http.post(`/api/incidents/${incident.id}/acknowledge`).set(h.as('agent')).send({}).expect(200);
    const resolved = await h.http.post(`/api/incidents/${incident.id}/resolve`).set(h.as('agent')).send({ code: 'fixed', summary: 'Replaced the switch' });
    expect(resolved.body).toMatchObject({ state: 'resolved', response: { stopped: true }, resolution: { stopped: true, dueAt: null } });
    const spent = resolved.body.resolution.elapsedSeconds;

    await wait(500);
    const reopened = await h.http.post(`/api/incidents/${incident.id}/reopen`).set(h.as('requester')).send({ reason: 'It broke again' });
    expect(reopened.status).toBe(200);
    expect(reopened.body).toMatchObject({ state: 'in_progress', response: { stopped: true }, resolution: { stopped: false, paused: false } });
    expect(reopened.body.resolution.elapsedSeconds).toBe(spent);
    expect(reopened.body.resolution.dueAt).not.toBeNull();

    await h.http.post(`/api/incidents/${incident.id}/resolve`).set(h.as('agent')).send({ code: 'fixed', summary: 'Firmware updated too' }).expect(200);
    const closed = await eventually(async () => {
      const row = await h.db.prisma.incident.findUniqueOrThrow({ where: { id: incident.id } });
      if (row.state !== 'closed') throw new Error(row.state);
      return row;
    });
    expect(closed.closedAt).not.toBeNull();
    expect((await slaEvents(h, incident.id)).map((e) => e.type)).toContain('sla.autoClose');
    // The workflow ends once the closing mail has gone out.
    await eventually(async () => {
      const { status } = await h.temporal.workflow.getHandle(incident.workflowId).describe();
      if (status.name !== 'COMPLETED') throw new Error(status.name);
    });
    const closingMail = await h.db.prisma.notification.findFirstOrThrow({ where: { incidentId: incident.id, kind: 'closed' } });
    expect(closingMail).toMatchObject({ status: 'sent', recipient: 'riley.requester@itsm.local' });
    await recordHistoryIfAsked(incident.workflowId, 'incident-resolve-reopen-autoclose');
  });

  it('sends the customer progress updates at the agreed interval while open, not while pending', async () => {
    const service = await secondScaleService(h, { responseSeconds: 600, resolutionSeconds: 600, progressEverySeconds: 1 }, { P3: { resolutionSeconds: 600 } });
    const incident = await openIncidentVia(h, service.id);
    await eventually(async () => {
      const count = (await slaEvents(h, incident.id)).filter((e) => e.type === 'sla.progress').length;
      if (count < 2) throw new Error(`${count} updates`);
    });
    await h.http.post(`/api/incidents/${incident.id}/assign`).set(h.as('agent')).send({ groupId: serviceDeskId }).expect(200);
    await h.http.post(`/api/incidents/${incident.id}/pending`).set(h.as('agent')).send({ reason: 'waiting on the vendor' }).expect(200);
    const atPause = (await slaEvents(h, incident.id)).filter((e) => e.type === 'sla.progress').length;
    await wait(2_500);
    expect((await slaEvents(h, incident.id)).filter((e) => e.type === 'sla.progress').length).toBe(atPause);
  });

  it('measures the business time each assignment group held the incident (OLA)', async () => {
    const service = await secondScaleService(h, { responseSeconds: 600, resolutionSeconds: 600 }, { P3: { resolutionSeconds: 600 } });
    const netopsId = (await h.db.prisma.group.findUniqueOrThrow({ where: { name: 'Network Operations' } })).id;
    const incident = await openIncidentVia(h, service.id);
    await h.http.post(`/api/incidents/${incident.id}/assign`).set(h.as('agent')).send({ groupId: serviceDeskId }).expect(200);
    await wait(1_200);
    await h.http.post(`/api/incidents/${incident.id}/assign`).set(h.as('agent')).send({ groupId: netopsId }).expect(200);
    await wait(1_200);
    await h.http.post(`/api/incidents/${incident.id}/pending`).set(h.as('agent')).send({ reason: 'waiting for the carrier' }).expect(200);
    await wait(1_500); // time pending is nobody's
    const resolved = await h.http.post(`/api/incidents/${incident.id}/resolve`).set(h.as('agent')).send({ code: 'carrier', summary: 'Carrier replaced the line card' });
    // Expected from the audit trail: each group holds the incident from the moment it is routed there (at intake,
    // when the service's default group is the desk, else its assignment) to the next change; re-assigning the
    // group it already has keeps its clock running.
    const at = async (type: string) => (await h.db.prisma.incidentEvent.findMany({ where: { incidentId: incident.id, type }, orderBy: { at: 'asc' } })).map((e) => e.at.getTime());
    const [toDesk, toNetops] = await at('assigned');
    const [pendingAt] = await at('pending');
    const deskFrom = incident.groupId === serviceDeskId ? Date.parse(incident.createdAt) : toDesk;
    const expected = { [serviceDeskId]: Math.round((toNetops - deskFrom) / 1000), [netopsId]: Math.round((pendingAt - toNetops) / 1000) };
    expect(expected[serviceDeskId]).toBeGreaterThanOrEqual(1);
    expect(resolved.body.olaSeconds).toEqual(expected);
    const row = await h.db.prisma.incident.findUniqueOrThrow({ where: { id: incident.id } });
    expect(row.olaSeconds).toEqual(expected);
  });

  it('holds mail outside service hours until the next business instant when the policy says so', async () => {
    // A calendar whose only working hour is six hours from now, every day.
    const opensAtHour = (new Date().getUTCHours() + 6) % 24;
    const hhmm = (hour: number) => `${String(hour).padStart(2, '0')}:00`;
    const window: [string, string] = [hhmm(opensAtHour), opensAtHour === 23 ? '24:00' : hhmm(opensAtHour + 1)];
    const calendar = await h.db.prisma.businessCalendar.create({
      data: { name: `night shift ${Date.now()}`, timeZone: 'UTC', weekly: Object.fromEntries(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].map((day) => [day, [window]])) },
    });
    const service = await secondScaleService(h, { responseSeconds: 600, resolutionSeconds: 3_600, calendarId: calendar.id, holdNotificationsOutsideHours: true });
    const incident = await openIncidentVia(h, service.id);
    const assigned = await h.http.post(`/api/incidents/${incident.id}/assign`).set(h.as('agent')).send({ groupId: serviceDeskId, assigneeId: h.userIds.agent });
    expect(assigned.status).toBe(200);
    const opens = new Date();
    opens.setUTCHours(opensAtHour, 0, 0, 0);
    if (opens.getTime() <= Date.now()) opens.setUTCDate(opens.getUTCDate() + 1);
    // The new-incident notice to the service's people waits too.
    expect(assigned.body.heldNotifications).toEqual([{ kind: 'new-incident', at: opens.toISOString() }, { kind: 'assigned', at: opens.toISOString() }]);
    await wait(1_500);
    expect(await h.db.prisma.notification.count({ where: { incidentId: incident.id } })).toBe(0);
    expect(await mailsFor(incident.id)).toHaveLength(0);
    // The change itself is recorded at once; only the mail waits.
    expect(await h.db.prisma.incidentEvent.count({ where: { incidentId: incident.id, type: 'assigned' } })).toBe(1);
  });

  it('continues as new before the history grows large, carrying the clocks and what has fired', async () => {
    const service = await secondScaleService(h, {
      responseSeconds: 600,
      resolutionSeconds: 5,
      escalationChain: [{ level: 1, atFraction: 1.2, notify: ['serviceOwner'] }],
    }, { P3: { resolutionSeconds: 5 } });
    const incidentId = randomUUID();
    const workflowId = `incident-${incidentId}`;
    const opened: IncidentOpened = {
      incidentId,
      number: 900_000 + Math.floor(Math.random() * 90_000),
      title: 'Long-running incident',
      description: '',
      impact: 'medium',
      urgency: 'medium',
      priority: 'P3',
      serviceId: service.id,
      serviceCode: service.code,
      requesterId: h.userIds.requester,
      openedAt: new Date().toISOString(),
    };
    const handle = await h.temporal.workflow.start(incidentLifecycle, { workflowId, taskQueue: h.taskQueue, args: [opened, undefined, { historyLimit: 60 }] });
    const firstRunId = handle.firstExecutionRunId;
    const before = await eventually(async () => {
      const status = await handle.query(incidentStatusQuery);
      if (!status.resolution) throw new Error('not initialised');
      return status;
    });
    for (let i = 0; i < 12; i++) await handle.executeUpdate(addNoteUpdate, { args: [{ actorId: h.userIds.agent, body: `note ${i}`, visibility: 'internal', author: 'agent' }] });
    await eventually(async () => {
      const { runId } = await h.temporal.workflow.getHandle(workflowId).describe();
      if (runId === firstRunId) throw new Error('still the first run');
    });
    const after = await h.temporal.workflow.getHandle(workflowId).query(incidentStatusQuery);
    expect(after.resolution!.dueAt).toBe(before.resolution!.dueAt);
    expect(after.resolution!.elapsedSeconds).toBeGreaterThanOrEqual(before.resolution!.elapsedSeconds);
    const events = await eventually(async () => {
      const found = await slaEvents(h, incidentId);
      if (!found.some((e) => (e.data as { key: string }).key === 'escalation:1')) throw new Error('not escalated yet');
      return found;
    });
    const keys = events.map((e) => (e.data as { key: string }).key);
    expect(keys).toEqual(['resolution:warning:0.5', 'resolution:warning:0.75', 'resolution:warning:0.9', 'resolution:breach', 'escalation:1']);
    expect(await h.db.prisma.incidentEvent.count({ where: { incidentId, type: 'note' } })).toBe(12);
  });
});
