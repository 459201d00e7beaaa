import { readInbox } from '../../scripts/mail-catcher';
import { registerSchedules } from '../../temporal-config/schedules';
import { changeTestService } from '../support/change-fixtures';
import { eventually, startHarness, type Harness } from '../support/harness';
import { deleteSuiteSchedules, runSchedule, suiteScheduleId } from '../support/schedules';
import { recordHistoryIfAsked } from '../support/sla-fixtures';

describe('yearly continuity tests from their Schedule, with second-scale deadlines', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness('pglite');
  });
  afterAll(async () => {
    await deleteSuiteSchedules(h);
    await h?.close();
  });

  // Each mail's kind and recipient, and whether it carries a link to record the outcome.
  const mails = async (testId: string) =>
    (await readInbox(process.env.ITSM_TEST_MAIL_INBOX!))
      .filter((m) => m.headers['x-itsm-continuity-test-id'] === testId)
      .map((m) => `${m.headers['x-itsm-kind']} ${m.to[0].address}${m.text?.includes('/actions/') ? ' +link' : ''}`)
      .sort();

  it('tests each plan once a year, reminds and escalates once each, and turns a failure into a corrective action', async () => {
    const service = await changeTestService(h);
    const plan = await h.http.post('/api/continuity-plans').set(h.as('manager')).send({ serviceId: service.id, title: 'Fail over to the second site', scenario: 'Switch DNS and the database to the standby site, run the smoke tests, switch back.', ownerId: h.userIds.agent2, testSeconds: 4, remindBeforeSeconds: [2] });
    expect(plan.status).toBe(201);
    await registerSchedules(h.temporal, { taskQueue: h.taskQueue, trendDetectionEvery: '1h', idPrefix: h.apiDeps.schedulePrefix! });
    const run = (runs: number) => runSchedule<{ started: number }>(h, suiteScheduleId(h, 'continuity-tests'), runs);
    expect(await run(1)).toEqual({ started: 1 });
    // A second run in the same year starts no second test.
    expect(await run(2)).toEqual({ started: 0 });

    const test = await eventually(() => h.db.prisma.continuityTest.findFirstOrThrow({ where: { planId: plan.body.id } }));
    await eventually(async () => expect((await h.db.prisma.continuityTest.findUniqueOrThrow({ where: { id: test.id } })).escalated).toBe(true), 15_000);
    await eventually(async () => expect(await mails(test.id)).toEqual(['continuity-test-due sam.taylor@itsm.local +link', 'continuity-test-overdue li.wei@itsm.local', 'continuity-test-reminder sam.taylor@itsm.local +link']));

    expect((await h.http.post(`/api/continuity-tests/${test.id}/outcome`).set(h.as('agent')).send({ outcome: 'passed', notes: 'not my plan' })).status).toBe(403);
    // The owner and a manager record outcomes at the same instant, delivered in one activation: the first is the
    // outcome (one corrective action), the other is refused with the state.
    const outcomeBy = (role: 'agent2' | 'manager') => h.http.post(`/api/continuity-tests/${test.id}/outcome`).set(h.as(role)).send({ outcome: 'failed', notes: 'The standby database was two hours behind.' });
    const both = await h.together(() => [outcomeBy('agent2'), outcomeBy('manager')]);
    expect(both.map((r) => r.status).sort()).toEqual([200, 409]);
    const failed = both.find((r) => r.status === 200)!;
    expect(failed.body).toMatchObject({ state: 'failed', escalated: true });
    expect(both.find((r) => r.status === 409)!.body.currentState).toBe('failed');
    const action = await h.db.prisma.correctiveAction.findUniqueOrThrow({ where: { id: failed.body.actionId } });
    expect(action).toMatchObject({ source: 'continuity', ownerId: h.userIds.agent2, state: 'open', title: `Continuity test failed: ${service.code}: Fail over to the second site` });
    expect(await h.db.prisma.correctiveAction.count({ where: { source: 'continuity', title: action.title } })).toBe(1);
    await eventually(async () => expect((await h.temporal.workflow.getHandle(action.workflowId).describe()).status.name).toBe('RUNNING'));
    expect(await h.temporal.workflow.getHandle(test.workflowId).result()).toMatchObject({ state: 'failed', actionId: action.id });
    await recordHistoryIfAsked(test.workflowId, 'continuity-test-failed-v2');
    expect((await h.http.post(`/api/continuity-tests/${test.id}/outcome`).set(h.as('agent2')).send({ outcome: 'passed', notes: 'again' })).body.currentState).toBe('failed');
    await h.temporal.workflow.getHandle(action.workflowId).terminate('test over');
  });
});
