import supertest from 'supertest';
import { createApp } from '../../api/app';
import { ItsmEscalationLevel, ItsmKind, ItsmState } from '../../domain/search-attributes';
import { registerSchedules, SCHEDULE_NAMES } from '../../temporal-config/schedules';
import { changeTestService } from '../support/change-fixtures';
import { eventually, startHarness, type Harness } from '../support/harness';
import { deleteSuiteSchedules, runSchedule, suiteScheduleId, triggerSchedule } from '../support/schedules';
import { recordHistoryIfAsked } from '../support/sla-fixtures';
import { timeline, uiView } from '../support/ui-metadata';

/** The README's saved query "overdue audits and reviews", without the suite's own scope. */
const OVERDUE_AUDITS_AND_REVIEWS = 'ItsmKind IN ("audit", "corrective-action", "competence-review", "continuity-test") AND ItsmEscalationLevel >= 1 AND ExecutionStatus = "Running"';

describe('audits, corrective actions, competence reviews and continuity tests as a manager sees them in the Temporal UI', () => {
  let h: Harness;
  const year = new Date().getUTCFullYear();
  const nameOf = async (userId: string) => (await h.db.prisma.user.findUniqueOrThrow({ where: { id: userId } })).name;
  const handle = (workflowId: string) => h.temporal.workflow.getHandle(workflowId);
  type UiView = Awaited<ReturnType<typeof uiView>>;
  /** The workflow's view once `ready` passes on it (its timers fire within seconds). */
  const viewOnce = (workflowId: string, ready: (view: UiView) => void) =>
    eventually(async () => {
      const view = await uiView(handle(workflowId));
      ready(view);
      return view;
    }, 15_000);
  const escalated = (view: UiView) => expect(view.attributes.get(ItsmEscalationLevel)).toBe(1);
  /** Running workflows the suite leaves behind are ended at its close. */
  const running: string[] = [];

  beforeAll(async () => {
    h = await startHarness('pglite');
    await registerSchedules(h.temporal, {
      taskQueue: h.taskQueue,
      trendDetectionEvery: '1h',
      idPrefix: h.apiDeps.schedulePrefix!,
      audit: { reviewSeconds: 4, remindBeforeSeconds: [2] },
      competence: { reviewSeconds: 4, remindBeforeSeconds: [2] },
    });
  });
  afterAll(async () => {
    await deleteSuiteSchedules(h);
    for (const workflowId of running) await handle(workflowId).terminate('test over').catch(() => undefined);
    await h?.close();
  });

  it("gives every Schedule's runs a summary and details", async () => {
    const actions = await Promise.all(SCHEDULE_NAMES.map(async (name) => (await h.temporal.schedule.getHandle(suiteScheduleId(h, name)).describe()).action));
    expect(Object.fromEntries(SCHEDULE_NAMES.map((name, i) => [name, actions[i].staticSummary]))).toEqual({
      'trend-detection': 'Incident trend detection',
      'asset-alerts': 'Daily asset alerts: licences and warranties',
      'annual-audit': 'Yearly internal audit · ISO/IEC 20000-1 9.2, 9.3',
      'service-reports': 'Monthly service reports',
      'continuity-tests': 'Yearly continuity tests · every continuity plan',
      'competence-reviews': 'Yearly competence reviews · all staff',
      'certification-reminders': 'Daily certification reminders',
      'calendar-holidays': 'Daily holiday refresh and coverage check · business calendars',
      'access-recertification': 'Yearly access recertification · every system',
    });
    const audit = actions[SCHEDULE_NAMES.indexOf('annual-audit')];
    expect(audit.staticDetails).toContain('| What | Yearly on 15 January: the internal audit of the service management system (ISO/IEC 20000-1 9.2, 9.3) |');
    expect(audit.staticDetails).toContain(`| Started by schedule | ${suiteScheduleId(h, 'annual-audit')} |`);
  });

  let auditWorkflowId: string;
  let overdueActionWorkflowId: string;

  it('shows the audit and the corrective action of each finding: summary, details, escalation level, timeline', async () => {
    auditWorkflowId = await triggerSchedule(h, suiteScheduleId(h, 'annual-audit'));
    running.push(auditWorkflowId);
    const audit = await eventually(() => h.db.prisma.audit.findUniqueOrThrow({ where: { workflowId: auditWorkflowId } }));
    const opened = await viewOnce(auditWorkflowId, (view) => expect(view.currentDetails).toContain('| State | awaiting_auditor |'));
    expect(opened.summary).toBe('Yearly internal audit · ISO/IEC 20000-1 9.2, 9.3');
    expect(opened.details).toContain('Yearly on 15 January');
    expect(opened.currentDetails).toContain(`**Yearly internal audit ${audit.periodEnd.getUTCFullYear()}**`);
    expect(opened.currentDetails).toContain(`| Audited period | ${audit.periodStart.toISOString().slice(0, 10)} to ${audit.periodEnd.toISOString().slice(0, 10)} |`);
    expect(opened.currentDetails).toContain('| Escalation level | 0 (nobody escalated to) |');
    expect(opened.currentDetails).toContain(`[API record](${h.baseUrl}/api/audits/${audit.id})`);
    expect(opened.attributes.get(ItsmEscalationLevel)).toBe(0);

    expect((await h.http.post(`/api/audits/${audit.id}/auditor`).set(h.as('manager')).send({ auditorId: h.userIds.auditor })).status).toBe(200);
    const finding = (title: string, dueInSeconds: number) => h.http.post(`/api/audits/${audit.id}/findings`).set(h.as('auditor')).send({ clause: '8.6.1', title, severity: 'minor', ownerId: h.userIds.agent, dueInSeconds });
    expect((await finding('Resolution target missed on DESK', 3)).status).toBe(200);
    expect((await finding('Escalation chain undocumented', 3_600)).status).toBe(200);
    const actions = await eventually(async () => {
      const found = await h.db.prisma.correctiveAction.findMany({ where: { auditId: audit.id }, orderBy: { dueAt: 'asc' } });
      expect(found).toHaveLength(2);
      return found;
    });
    running.push(...actions.map((a) => a.workflowId));
    overdueActionWorkflowId = actions[0].workflowId;

    const owner = await nameOf(h.userIds.agent);
    const overdue = await viewOnce(overdueActionWorkflowId, (view) => expect(view.currentDetails).toContain('| Escalation level | 1 → managers, told '));
    expect(overdue.summary).toBe(`CA · finding 8.6.1 · ${owner} · due ${actions[0].dueAt.toISOString().slice(0, 10)} · Resolution target missed on DESK`);
    expect(overdue.details).toContain(`| Owner | ${owner} |`);
    expect(overdue.details).toContain(`[API record](${h.baseUrl}/api/audits/${audit.id})`);
    // The audit's API answer links its workflow and each finding's corrective action in the Temporal UI.
    const ui = 'http://temporal-ui.example';
    const linked = (await supertest(createApp({ ...h.apiDeps, temporalUiUrl: ui })).get(`/api/audits/${audit.id}`).set(h.as('auditor'))).body;
    expect(linked.workflow).toEqual({ id: auditWorkflowId, temporalUiUrl: `${ui}/namespaces/default/workflows/${encodeURIComponent(auditWorkflowId)}` });
    expect(linked.findings.map((f: { action: { workflow: { temporalUiUrl: string } } }) => f.action.workflow.temporalUiUrl)).toEqual(
      expect.arrayContaining(actions.map((a) => `${ui}/namespaces/default/workflows/${encodeURIComponent(a.workflowId)}`)),
    );
    expect(overdue.currentDetails).toContain('| State | open |');
    expect(overdue.attributes.get(ItsmKind)).toBe('corrective-action');
    expect(overdue.attributes.get(ItsmEscalationLevel)).toBe(1);
    expect(overdue.attributes.get(ItsmState)).toBe('open');
    await eventually(async () => expect(await timeline(handle(overdueActionWorkflowId))).toEqual(expect.arrayContaining(['mail: corrective-action-assigned → owner', 'corrective action reminder', 'escalation level 1 → managers', 'mail: corrective-action-overdue → managers', 'record: corrective action escalated'])));

    const later = await uiView(handle(actions[1].workflowId));
    expect(later.currentDetails).toContain('| Escalation level | 0 (nobody escalated to) |');
    expect(later.currentDetails).toMatch(/\| Next deadline \| corrective action reminder at \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC \|/);
    expect(later.attributes.get(ItsmEscalationLevel)).toBe(0);

    expect((await h.http.post(`/api/audits/${audit.id}/finish-fieldwork`).set(h.as('auditor')).send({})).body.state).toBe('management_review');
    const overdueReview = await viewOnce(auditWorkflowId, escalated);
    expect(overdueReview.currentDetails).toContain('| State | management_review |');
    expect(overdueReview.currentDetails).toContain('| Findings | 2 |');
    expect(overdueReview.currentDetails).toContain('| Escalation level | 1 → managers, told ');
    expect(await timeline(handle(auditWorkflowId))).toEqual(expect.arrayContaining(['record: audit opened with its evidence', 'record: finding 8.6.1', 'management review reminder', 'escalation level 1 → managers', 'mail: audit-review-overdue → managers']));
  });

  let competenceWorkflowIds: string[];
  let reviewDone: string;

  it('names the person in each competence review and keeps its deadline and escalation current', async () => {
    const staff = await h.db.prisma.user.count({ where: { roles: { hasSome: ['agent', 'manager', 'cab', 'auditor', 'admin'] }, deactivatedAt: null } });
    expect(await runSchedule(h, suiteScheduleId(h, 'competence-reviews'))).toEqual({ started: staff });
    competenceWorkflowIds = (await eventually(async () => {
      const reviews = await h.db.prisma.competenceReview.findMany({ where: { year } });
      expect(reviews).toHaveLength(staff);
      return reviews;
    })).map((r) => r.workflowId);
    running.push(...competenceWorkflowIds);
    const review = await h.db.prisma.competenceReview.findFirstOrThrow({ where: { userId: h.userIds.agent, year } });
    const person = await nameOf(h.userIds.agent);
    const view = await viewOnce(review.workflowId, escalated);
    expect(view.summary).toBe(`Competence review · ${person} · ${year}`);
    expect(view.details).toContain(`[API record](${h.baseUrl}/api/users/${h.userIds.agent}/competences)`);
    expect(view.currentDetails).toContain(`**Competence review of ${person}**`);
    expect(view.currentDetails).toContain('| State | due |');
    expect(view.currentDetails).toContain(`| Due | ${review.dueAt.toISOString().slice(0, 19).replace('T', ' ')} UTC |`);
    expect(view.currentDetails).toContain('| Escalation level | 1 → managers, told ');
    expect(view.attributes.get(ItsmKind)).toBe('competence-review');
    expect(await timeline(handle(review.workflowId))).toEqual(expect.arrayContaining(['record: competence review opened', 'mail: competence-review-due → person reviewed', 'competence review reminder', 'escalation level 1 → managers']));

    // Done, it leaves the managers' list of overdue work.
    const done = await h.http.post(`/api/competence-reviews/${review.id}/complete`).set(h.as('manager')).send({ summary: 'ITIL 4 practitioner' });
    expect(done.body.state).toBe('done');
    await handle(review.workflowId).result();
    reviewDone = review.workflowId;
    await recordHistoryIfAsked(review.workflowId, 'competence-review-done-v3');
  });

  let continuityWorkflowId: string;

  it('names the plan in its continuity test and, once failed, the corrective action it raised', async () => {
    const service = await changeTestService(h);
    const plan = await h.http.post('/api/continuity-plans').set(h.as('manager')).send({ serviceId: service.id, title: 'Fail over to the second site', scenario: 'Switch to the standby site and back.', ownerId: h.userIds.agent2, testSeconds: 4, remindBeforeSeconds: [2] });
    expect(plan.status).toBe(201);
    expect(await runSchedule(h, suiteScheduleId(h, 'continuity-tests'))).toEqual({ started: 1 });
    const test = await eventually(() => h.db.prisma.continuityTest.findFirstOrThrow({ where: { planId: plan.body.id } }));
    continuityWorkflowId = test.workflowId;
    running.push(test.workflowId);
    const title = `${service.code}: Fail over to the second site`;
    const owner = await nameOf(h.userIds.agent2);
    const view = await viewOnce(test.workflowId, escalated);
    expect(view.summary).toBe(`Continuity test · ${title} · ${year}`);
    expect(view.details).toContain(`[API record](${h.baseUrl}/api/continuity-plans/${plan.body.id})`);
    expect(view.currentDetails).toContain(`| Plan owner | ${owner} |`);
    expect(view.currentDetails).toContain('| Escalation level | 1 → managers, told ');
    expect(view.attributes.get(ItsmKind)).toBe('continuity-test');
    expect(view.currentDetails).not.toContain('| Next deadline |');

    const failed = await h.http.post(`/api/continuity-tests/${test.id}/outcome`).set(h.as('agent2')).send({ outcome: 'failed', notes: 'The standby database was behind.' });
    expect(failed.body.state).toBe('failed');
    await handle(test.workflowId).result();
    const action = await h.db.prisma.correctiveAction.findUniqueOrThrow({ where: { id: failed.body.actionId } });
    running.push(action.workflowId);
    // A closed workflow answers queries from its last state (replayed by a worker).
    const ended = await uiView(handle(test.workflowId));
    expect(ended.currentDetails).toContain(`| Corrective action | ${action.id} |`);
    const raised = await eventually(() => uiView(handle(action.workflowId)));
    expect(raised.summary).toBe(`CA · continuity test ${title} · ${owner} · due ${action.dueAt.toISOString().slice(0, 10)} · Continuity test failed: ${title}`);
    expect(raised.attributes.get(ItsmEscalationLevel)).toBe(0);
    await recordHistoryIfAsked(test.workflowId, 'continuity-test-failed-v3');
  });

  it('finds exactly the overdue audits and reviews with the saved query', async () => {
    const query = `${OVERDUE_AUDITS_AND_REVIEWS} AND TaskQueue = "${h.taskQueue}"`;
    // Overdue and still open: the audit's review, the first finding's action and every review but the one done.
    // Not: the action not yet due, the review done, the continuity test that ended, the action it raised, the
    // Schedules' own runs.
    const expected = [auditWorkflowId, overdueActionWorkflowId, ...competenceWorkflowIds.filter((id) => id !== reviewDone)].sort();
    expect(expected).not.toContain(continuityWorkflowId);
    await eventually(async () => {
      expect(await h.temporal.workflow.count(query)).toMatchObject({ count: expected.length });
      const listed: string[] = [];
      for await (const execution of h.temporal.workflow.list({ query })) listed.push(execution.workflowId);
      expect(listed.sort()).toEqual(expected);
    });
  });

  it('drops the corrective action and the audit from the query once they are done', async () => {
    const query = `${OVERDUE_AUDITS_AND_REVIEWS} AND TaskQueue = "${h.taskQueue}"`;
    const before = (await h.temporal.workflow.count(query)).count;
    const action = await h.db.prisma.correctiveAction.findUniqueOrThrow({ where: { workflowId: overdueActionWorkflowId } });
    expect((await h.http.post(`/api/corrective-actions/${action.id}/complete`).set(h.as('agent')).send({ notes: 'Escalation chain shortened' })).body.state).toBe('done');
    const audit = await h.db.prisma.audit.findUniqueOrThrow({ where: { workflowId: auditWorkflowId } });
    expect((await h.http.post(`/api/audits/${audit.id}/sign-off`).set(h.as('manager')).send({})).body.state).toBe('closed');
    await handle(overdueActionWorkflowId).result();
    await handle(auditWorkflowId).result();
    expect((await uiView(handle(auditWorkflowId))).currentDetails).toContain('| State | closed |');
    await eventually(async () => expect((await h.temporal.workflow.count(query)).count).toBe(before - 2));
    await recordHistoryIfAsked(overdueActionWorkflowId, 'corrective-action-escalated-v2');
    await recordHistoryIfAsked(auditWorkflowId, 'annual-audit-escalated-v2');
  });
});
