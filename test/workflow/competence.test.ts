import { readInbox } from '../../scripts/mail-catcher';
import { registerSchedules, SCHEDULE_NAMES } from '../../temporal-config/schedules';
import { eventually, startHarness, type Harness } from '../support/harness';
import { deleteSuiteSchedules, runSchedule, suiteScheduleId } from '../support/schedules';
import { recordHistoryIfAsked } from '../support/sla-fixtures';

const DAY = 86_400_000;

describe('competence reviews and certification reminders from their Schedules', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness('pglite');
    await registerSchedules(h.temporal, { taskQueue: h.taskQueue, trendDetectionEvery: '1h', idPrefix: h.apiDeps.schedulePrefix!, competence: { reviewSeconds: 4, remindBeforeSeconds: [2] } });
  });
  afterAll(async () => {
    await deleteSuiteSchedules(h);
    await h?.close();
  });

  const trigger = (name: (typeof SCHEDULE_NAMES)[number], run: number) => runSchedule(h, suiteScheduleId(h, name), run);
  const inbox = async (header: string, id: string) => (await readInbox(process.env.ITSM_TEST_MAIL_INBOX!)).filter((m) => m.headers[header] === id);

  it("reviews every member of staff once a year, reminding and escalating once each; a manager other than the person completes it", async () => {
    const staff = await h.db.prisma.user.count({ where: { roles: { hasSome: ['agent', 'manager', 'cab', 'auditor', 'admin'] } } });
    expect(await trigger('competence-reviews', 1)).toEqual({ started: staff });
    expect(await trigger('competence-reviews', 2)).toEqual({ started: 0 });
    const review = await eventually(() => h.db.prisma.competenceReview.findFirstOrThrow({ where: { userId: h.userIds.agent } }));
    await eventually(async () => expect((await h.db.prisma.competenceReview.findUniqueOrThrow({ where: { id: review.id } })).escalated).toBe(true), 15_000);
    await eventually(async () =>
      // Only the managers' mail links to the completion: the person reviewed cannot complete their own review.
      expect((await inbox('x-itsm-competence-review-id', review.id)).map((m) => `${m.headers['x-itsm-kind']} ${m.to[0].address}${m.text?.includes('/actions/') ? ' +link' : ''}`).sort()).toEqual([
        'competence-review-due mei.chen@itsm.local',
        'competence-review-overdue li.wei@itsm.local +link',
        'competence-review-reminder mei.chen@itsm.local',
      ]),
    );
    const managersOwn = await h.db.prisma.competenceReview.findFirstOrThrow({ where: { userId: h.userIds.manager } });
    expect((await h.http.post(`/api/competence-reviews/${managersOwn.id}/complete`).set(h.as('manager')).send({ summary: 'Reviewed myself' })).status).toBe(403);
    // Two completions at once (a double click), delivered in one activation: one completes the review, the other
    // is refused with the state.
    const completeOnce = () => h.http.post(`/api/competence-reviews/${review.id}/complete`).set(h.as('manager')).send({ summary: 'ITIL 4 practitioner; needs the PostgreSQL course' });
    const both = await h.together(() => [completeOnce(), completeOnce()]);
    expect(both.map((r) => r.status).sort()).toEqual([200, 409]);
    expect(both.find((r) => r.status === 200)!.body).toMatchObject({ state: 'done', escalated: true });
    expect(both.find((r) => r.status === 409)!.body.currentState).toBe('done');
    expect(await h.temporal.workflow.getHandle(review.workflowId).result()).toMatchObject({ state: 'done' });
    await recordHistoryIfAsked(review.workflowId, 'competence-review-done-v2');
    expect((await h.http.get(`/api/users/${h.userIds.agent}/competences`).set(h.as('agent2'))).body.reviews[0]).toMatchObject({ state: 'done', reviewerId: h.userIds.manager });
    // The other reviews stay open: ended here so the suite leaves nothing running.
    for (const open of await h.db.prisma.competenceReview.findMany({ where: { state: 'due' } })) await h.temporal.workflow.getHandle(open.workflowId).terminate('test over');
  });

  it('reminds a certification ending within 30 days to its holder once, and none further out', async () => {
    const soon = await h.http.post('/api/competences').set(h.as('manager')).send({ userId: h.userIds.agent2, skill: 'Network security', level: 'expert', certification: 'CCNP Security', expiresOn: new Date(Date.now() + 20 * DAY).toISOString().slice(0, 10) });
    const later = await h.http.post('/api/competences').set(h.as('manager')).send({ userId: h.userIds.agent2, skill: 'Cloud', level: 'practitioner', certification: 'AWS SAA', expiresOn: new Date(Date.now() + 40 * DAY).toISOString().slice(0, 10) });
    expect(soon.status).toBe(201);
    expect(await trigger('certification-reminders', 1)).toEqual({ expiring: 1, sent: 1 });
    expect(await trigger('certification-reminders', 2)).toEqual({ expiring: 1, sent: 0 });
    expect((await inbox('x-itsm-competence-id', soon.body.id)).map((m) => m.to[0].address)).toEqual(['sam.taylor@itsm.local']);
    expect(await inbox('x-itsm-competence-id', later.body.id)).toEqual([]);
  });
});
