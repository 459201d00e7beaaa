import { readInbox } from '../../scripts/mail-catcher';
import { contractRenewalScheduleId, contractReviewScheduleId, registerSchedules } from '../../temporal-config/schedules';
import { changeTestService } from '../support/change-fixtures';
import { eventually, startHarness, type Harness } from '../support/harness';
import { runSchedule, triggerSchedule } from '../support/schedules';
import { recordHistoryIfAsked } from '../support/sla-fixtures';

const DAY = 86_400_000;

describe('supplier review from its yearly Schedule, with second-scale deadlines', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness('pglite');
  });
  afterAll(() => h?.close());

  /** Incidents written as records only: the review reads records, so their workflows do not matter here. */
  async function seedIncidents(serviceId: string, breaches: { response: boolean; resolution: boolean }[]) {
    for (const [index, breach] of breaches.entries()) {
      await h.db.prisma.incident.create({
        data: { workflowId: `seeded-${serviceId}-${index}`, title: `Seeded ${index}`, description: '', impact: 'low', urgency: 'low', priority: 'P4', serviceId, requesterId: h.userIds.requester, responseBreached: breach.response, resolutionBreached: breach.resolution, createdAt: new Date(Date.now() - DAY) },
      });
    }
  }
  const review = (workflowId: string) => eventually(() => h.db.prisma.supplierReview.findUniqueOrThrow({ where: { workflowId } }));

  it('gathers the performance the records show, reminds and escalates once each, and records the owner\'s assessment', async () => {
    const service = await changeTestService(h);
    await seedIncidents(service.id, [
      { response: false, resolution: true },
      { response: true, resolution: false },
      { response: false, resolution: false },
    ]);
    const supplier = await h.http.post('/api/suppliers').set(h.as('manager')).send({ name: `Hosting Ltd ${Date.now()}` });
    const startsOn = new Date(Date.now() - 60 * DAY).toISOString().slice(0, 10);
    const created = await h.http.post('/api/contracts').set(h.as('manager')).send({
      reference: `HOST-${Date.now()}`,
      title: 'Hosting of the service desk platform',
      supplierId: supplier.body.id,
      ownerId: h.userIds.agent2,
      serviceIds: [service.id],
      targets: [
        { metric: 'resolution-sla', target: 0.9 },
        { metric: 'response-sla', target: 0.5 },
      ],
      startsOn,
      endsOn: new Date(Date.now() + 300 * DAY).toISOString().slice(0, 10),
      noticeDays: 60,
      renewal: 'tacit',
      assessmentSeconds: 5,
      remindBeforeSeconds: [3],
    });
    expect(created.status).toBe(201);
    const contract = created.body;
    const scheduleId = contractReviewScheduleId(h.apiDeps.schedulePrefix!, contract.id);
    const schedule = h.temporal.schedule.getHandle(scheduleId);
    try {
      const described = await schedule.describe();
      expect(described.spec.calendars?.[0]).toMatchObject({ dayOfMonth: [{ start: Number(startsOn.slice(8)), end: Number(startsOn.slice(8)), step: 1 }] });
      // The worker registers every active contract at start: the contract's schedule is brought up to date, not copied.
      const prefix = h.apiDeps.schedulePrefix!;
      const registered = await registerSchedules(h.temporal, { taskQueue: h.taskQueue, trendDetectionEvery: '1h', idPrefix: prefix, contracts: [{ id: contract.id, reference: contract.reference, startsOn: new Date(startsOn), endsOn: new Date(contract.endsOn), noticeDays: contract.noticeDays }] });
      expect(registered.updated).toEqual([scheduleId, contractRenewalScheduleId(prefix, contract.id)]);
      for (const id of registered.created) await h.temporal.schedule.getHandle(id).delete();

      const workflowId = await triggerSchedule(h, scheduleId);
      const awaiting = await eventually(async () => {
        const row = await review(workflowId);
        if (row.state !== 'awaiting-assessment') throw new Error(row.state);
        return row;
      });
      expect(awaiting.reason).toBe('yearly');
      expect(awaiting.performance).toMatchObject({
        incidents: 3,
        incidentsByPriority: { P4: 3 },
        targets: [
          { metric: 'resolution-sla', target: 0.9, achieved: 0.6667, met: false, breaches: 1 },
          { metric: 'response-sla', target: 0.5, achieved: 0.6667, met: true, breaches: 1 },
        ],
        changes: 0,
        openDisputes: 0,
      });

      await eventually(async () => expect((await review(workflowId)).escalated).toBe(true), 15_000);
      const mails = await eventually(async () => {
        const found = (await readInbox(process.env.ITSM_TEST_MAIL_INBOX!)).filter((m) => m.headers['x-itsm-supplier-review-id'] === awaiting.id);
        if (!found.some((m) => m.headers['x-itsm-kind'] === 'supplier-review-escalation')) throw new Error('no escalation yet');
        return found;
      });
      // The owner's request and reminder carry a link to assess from the mail.
      expect(mails.map((m) => `${m.headers['x-itsm-kind']} ${m.to[0].address}${m.text?.includes('/actions/') ? ' +link' : ''}`).sort()).toEqual([
        'supplier-review-escalation li.wei@itsm.local',
        'supplier-review-reminder sam.taylor@itsm.local +link',
        'supplier-review-request sam.taylor@itsm.local +link',
      ]);

      const stranger = await h.http.post(`/api/supplier-reviews/${awaiting.id}/assess`).set(h.as('agent')).send({ outcome: 'terminate' });
      expect(stranger.status).toBe(403);
      // Two assessments at once (a double click), delivered in one activation: one is the assessment, the other
      // is refused with the state.
      const assessOnce = () => h.http.post(`/api/supplier-reviews/${awaiting.id}/assess`).set(h.as('agent2')).send({ outcome: 'renegotiate', actions: [{ title: 'Add a resolution penalty clause', dueOn: '2027-03-31' }], notes: 'Resolution target missed' });
      const both = await h.together(() => [assessOnce(), assessOnce()]);
      expect(both.map((r) => r.status).sort()).toEqual([200, 409]);
      expect(both.find((r) => r.status === 200)!.body).toMatchObject({ state: 'assessed', outcome: 'renegotiate', escalated: true });
      expect(both.find((r) => r.status === 409)!.body.currentState).toBe('assessed');
      expect(await h.temporal.workflow.getHandle(workflowId).result()).toMatchObject({ state: 'assessed' });
      await recordHistoryIfAsked(workflowId, 'supplier-review-assessed');
      expect(await review(workflowId)).toMatchObject({ outcome: 'renegotiate', assessorId: h.userIds.agent2, actions: [{ title: 'Add a resolution penalty clause', dueOn: '2027-03-31' }] });
      expect((await h.http.post(`/api/supplier-reviews/${awaiting.id}/assess`).set(h.as('agent2')).send({ outcome: 'continue' })).status).toBe(409);

      // On a significant change, a review at once: its period starts where the last one ended.
      await h.http.post(`/api/contracts/${contract.id}/disputes`).set(h.as('agent2')).send({ title: 'Outage credits not paid' });
      const now = await h.http.post(`/api/contracts/${contract.id}/review`).set(h.as('manager')).send({ note: 'Supplier acquired by a competitor' });
      expect(now.status).toBe(202);
      const second = await eventually(async () => {
        const row = await review(now.body.workflowId);
        if (row.state !== 'awaiting-assessment') throw new Error(row.state);
        return row;
      });
      expect(second).toMatchObject({ reason: 'significant-change', periodStart: awaiting.periodEnd, performance: { incidents: 0, openDisputes: 1 } });
      await h.temporal.workflow.getHandle(now.body.workflowId).terminate('test over');

      // The renewal reminder fires once, on the day the 60-day notice period starts.
      const renewal = h.temporal.schedule.getHandle(contractRenewalScheduleId(h.apiDeps.schedulePrefix!, contract.id));
      const noticeDay = new Date(Date.parse(contract.endsOn) - 60 * DAY);
      expect((await renewal.describe()).info.nextActionTimes[0].toISOString()).toBe(`${noticeDay.toISOString().slice(0, 10)}T09:00:00.000Z`);
      await runSchedule(h, renewal.scheduleId);
      const reminder = await eventually(async () => {
        const found = (await readInbox(process.env.ITSM_TEST_MAIL_INBOX!)).filter((m) => m.headers['x-itsm-contract-id'] === contract.id);
        if (found.length === 0) throw new Error('no renewal reminder yet');
        return found;
      });
      expect(reminder.map((m) => `${m.to[0].address} ${m.subject}`)).toEqual([`sam.taylor@itsm.local [${contract.reference}] notice period starts: ${supplier.body.name} contract ends ${contract.endsOn}`]);
    } finally {
      await schedule.delete();
      await h.temporal.schedule.getHandle(contractRenewalScheduleId(h.apiDeps.schedulePrefix!, contract.id)).delete().catch(() => undefined);
    }
  });
});
