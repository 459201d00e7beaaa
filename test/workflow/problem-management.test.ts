import { randomUUID } from 'node:crypto';
import type { TrendFinding } from '../../activities/trend';
import { registerSchedules, SCHEDULE_NAMES } from '../../temporal-config/schedules';
import { problemStatusQuery } from '../../workflows/problem.messages';
import { changeBody } from '../support/change-fixtures';
import { databaseKinds } from '../support/databases';
import { eventually, startHarness, type Harness } from '../support/harness';
import { problemMails, problemTestCi, raiseAndCloseFix, raiseIncidentOn, secondScaleProblemPolicies, waitForProblemState } from '../support/problem-fixtures';
import { runSchedule } from '../support/schedules';
import { recordHistoryIfAsked } from '../support/sla-fixtures';

describe.each(databaseKinds())('trend detection on %s', (kind) => {
  let h: Harness;
  let serviceId: string;
  beforeAll(async () => {
    h = await startHarness(kind);
    serviceId = (await h.db.prisma.service.findUniqueOrThrow({ where: { code: 'DESK' } })).id;
    await secondScaleProblemPolicies(h, { rcaSeconds: 3_600, remindBeforeSeconds: [], escalateAfterSeconds: 0, effectivenessSeconds: 3_600 });
    for (const [dimension, enabled] of [['ci', true], ['service', false], ['category', false]] as const) {
      const rule = await h.http.put(`/api/problem-trend-rules/${dimension}`).set(h.as('manager')).send({ windowSeconds: 3_600, threshold: 3, enabled });
      expect(rule.status).toBe(200);
    }
  });
  afterAll(() => h?.close());

  const detect = (windowEnd = new Date().toISOString()) =>
    h.temporal.workflow.execute('trendDetection', { taskQueue: h.taskQueue, workflowId: `trend-test-${randomUUID()}`, args: [{ windowEnd }] }) as Promise<TrendFinding[]>;
  const problemsOn = (ciId: string) => h.db.prisma.problem.findMany({ where: { trendKey: `ci:${ciId}` }, include: { incidents: true } });

  it('opens one problem linking the incidents of a CI over the threshold, nothing on a second run, and nothing below the threshold', async () => {
    const hot = await problemTestCi(h);
    const quiet = await problemTestCi(h);
    const incidents = [];
    for (let i = 0; i < 3; i++) incidents.push(await raiseIncidentOn(h, serviceId, hot.code));
    for (let i = 0; i < 2; i++) await raiseIncidentOn(h, serviceId, quiet.code);
    const windowEnd = new Date().toISOString();

    const first = await detect(windowEnd);
    expect(first.filter((f) => f.trendKey === `ci:${hot.id}`)).toEqual([expect.objectContaining({ incidents: 3, opened: true })]);
    expect(first.some((f) => f.trendKey === `ci:${quiet.id}`)).toBe(false);
    const [problem] = await problemsOn(hot.id);
    expect(problem.incidents.map((link) => link.incidentId).sort()).toEqual(incidents.map((i) => i.id).sort());
    expect(problem).toMatchObject({ source: 'trend', ciId: hot.id, priority: 'P4' });
    const live = await eventually(() => h.temporal.workflow.getHandle(problem.workflowId).query(problemStatusQuery));
    expect(live.incidentIds.sort()).toEqual(incidents.map((i) => i.id).sort());

    const second = await detect(windowEnd);
    expect(second.filter((f) => f.trendKey === `ci:${hot.id}`)).toEqual([expect.objectContaining({ incidents: 3, opened: false, problem: first[0].problem })]);
    const after = await problemsOn(hot.id);
    expect(after).toHaveLength(1);
    expect(after[0].incidents).toHaveLength(3);
    expect(await problemsOn(quiet.id)).toEqual([]);
    expect(await h.db.prisma.problemEvent.count({ where: { problemId: problem.id, type: 'incidents-linked' } })).toBe(0);

    // A fourth incident within the window joins the open problem instead of opening another.
    const fourth = await raiseIncidentOn(h, serviceId, hot.code);
    const third = await detect();
    expect(third.filter((f) => f.trendKey === `ci:${hot.id}`)).toEqual([expect.objectContaining({ incidents: 4, opened: false })]);
    await eventually(async () => expect((await h.temporal.workflow.getHandle(problem.workflowId).query(problemStatusQuery)).incidentIds).toContain(fourth.id));
    expect(await problemsOn(hot.id)).toHaveLength(1);

    // Nobody owns a detected problem: the coordinator's mail offers the investigation as a link of their own.
    const opening = await eventually(async () => {
      const mail = (await problemMails(problem.id)).find((m) => m.headers['x-itsm-kind'] === 'problem-opened' && /\/actions\/\S+/.test(m.text ?? ''));
      if (!mail) throw new Error('no opening mail with a link yet');
      return mail;
    });
    const link = new URL(/http\S+\/actions\/\S+/.exec(opening.text!)![0]).pathname;
    const coordinator = await h.db.prisma.user.findUniqueOrThrow({ where: { email: opening.to[0].address } });
    const page = await h.http.get(link);
    expect(page.status).toBe(200);
    // In the coordinator's own language.
    expect(page.text).toContain(coordinator.locale === 'zh-CN' ? '接手调查' : 'Take the investigation');
    expect((await h.db.prisma.problem.findUniqueOrThrow({ where: { id: problem.id } })).state).toBe('new');
    expect((await h.http.post(link).type('form').send({})).status).toBe(200);
    expect(await h.db.prisma.problem.findUniqueOrThrow({ where: { id: problem.id } })).toMatchObject({ state: 'investigating', ownerId: coordinator.id });
    expect((await h.http.post(link).type('form').send({})).status).toBe(409);
  });

  it('trend detection and the asset alerts run from their Schedules, registered once however often the registration runs', async () => {
    const settings = { taskQueue: h.taskQueue, trendDetectionEvery: '1h' as const, idPrefix: `test-${h.taskQueue}` };
    const ids = SCHEDULE_NAMES.map((name) => `${settings.idPrefix}-${name}`);
    expect(await registerSchedules(h.temporal, settings)).toEqual({ created: ids, updated: [] });
    expect(await registerSchedules(h.temporal, settings)).toEqual({ created: [], updated: ids });
    try {
      const findings = await runSchedule<TrendFinding[]>(h, `${settings.idPrefix}-trend-detection`);
      expect(Array.isArray(findings)).toBe(true);
      // The demo CMDB's over-used licence and ending warranty, mailed once however often the check runs.
      expect(await runSchedule(h, `${settings.idPrefix}-asset-alerts`, 1)).toEqual({ alerts: 2, sent: 2 });
      expect(await runSchedule(h, `${settings.idPrefix}-asset-alerts`, 2)).toEqual({ alerts: 2, sent: 0 });
    } finally {
      for (const id of ids) await h.temporal.schedule.getHandle(id).delete();
    }
  });
});

describe('problem root cause workflow with second-scale deadlines', () => {
  let h: Harness;
  let deskId: string;
  beforeAll(async () => {
    h = await startHarness('pglite');
    deskId = (await h.db.prisma.service.findUniqueOrThrow({ where: { code: 'DESK' } })).id;
    await secondScaleProblemPolicies(h, { rcaSeconds: 6, remindBeforeSeconds: [4], escalateAfterSeconds: 1, effectivenessSeconds: 3 });
  });
  afterAll(() => h?.close());

  it('reminds and escalates the RCA once each, publishes the known error to the open incidents and the knowledge base, and is resolved by its closed fix', async () => {
    const open = await raiseIncidentOn(h, deskId, 'srv-mail-01', 'Mail server drops connections');
    const done = await raiseIncidentOn(h, deskId, 'srv-mail-01', 'Mail server dropped a connection');
    expect((await h.http.post(`/api/incidents/${done.id}/resolve`).set(h.as('agent')).send({ code: 'fixed', summary: 'Reconnected the client' })).status).toBe(200);

    const created = await h.http.post('/api/problems').set(h.as('manager')).send({
      title: 'Mail server drops connections under load',
      description: 'Clients lose their connection to the mail server several times a day.',
      priority: 'P3',
      ci: 'srv-mail-01',
      ownerId: h.userIds.agent,
      incidentIds: [open.id, done.id],
    });
    expect(created.status).toBe(201);
    const problem = created.body;
    await waitForProblemState(h, problem.id, 'investigating');
    const tooEarly = await h.http.post(`/api/problems/${problem.id}/fix`).set(h.as('agent')).send(changeBody(deskId));
    expect(tooEarly.status).toBe(409);
    expect(tooEarly.body.currentState).toBe('investigating');

    // The RCA deadline passes: one reminder (4 s before it) to the owner, one escalation (1 s after it).
    await eventually(async () => expect(await h.db.prisma.problemEvent.count({ where: { problemId: problem.id, type: 'deadline.rca-escalation' } })).toBe(1), 20_000);
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    const deadlines = await h.db.prisma.problemEvent.findMany({ where: { problemId: problem.id, type: { startsWith: 'deadline.' } } });
    expect(deadlines.map((e) => e.type).sort()).toEqual(['deadline.rca-escalation', 'deadline.rca-reminder']);
    const mails = await eventually(async () => {
      const found = await problemMails(problem.id);
      if (!found.some((m) => m.headers['x-itsm-kind'] === 'rca-escalation')) throw new Error('no escalation mail yet');
      return found;
    });
    const kinds = (kind: string) => mails.filter((m) => m.headers['x-itsm-kind'] === kind).map((m) => m.to[0].address).sort();
    expect(kinds('rca-reminder')).toEqual(['mei.chen@itsm.local']);
    expect(kinds('rca-escalation')).toEqual(['li.wei@itsm.local', 'mei.chen@itsm.local']);
    expect((await h.db.prisma.problem.findUniqueOrThrow({ where: { id: problem.id } })).escalationLevel).toBe(1);

    const published = await h.http.post(`/api/problems/${problem.id}/known-error`).set(h.as('agent')).send({
      title: 'Mail server runs out of connection slots',
      rootCause: 'The connection limit of the mail server is set to the vendor default of 500.',
      workaround: 'Restart the mail client; it reconnects on a free slot within a minute.',
    });
    expect(published.status).toBe(200);
    expect(published.body.state).toBe('known_error');
    const notes = (incidentId: string) => h.db.prisma.incidentEvent.findMany({ where: { incidentId, type: 'note', visibility: 'public' } });
    const [note] = await notes(open.id);
    expect(note.data).toMatchObject({ body: expect.stringContaining('Restart the mail client') });
    expect(await notes(done.id)).toEqual([]);
    const article = await h.db.prisma.article.findFirstOrThrow({ where: { knownError: { problemId: problem.id } } });
    expect(article).toMatchObject({ status: 'published', title: 'Mail server runs out of connection slots', version: 1 });
    const found = await h.http.get('/api/articles').query({ q: 'connection slots' }).set(h.as('requester'));
    expect(found.body.items.map((hit: { id: string }) => hit.id)).toEqual([article.id]);
    expect((await h.http.get('/api/known-errors').set(h.as('agent'))).body.items).toEqual([expect.objectContaining({ problemId: problem.id, articleId: article.id })]);

    // The permanent fix: a standard change (pre-approved by its template), raised from the problem and closed.
    const { raised, change } = await raiseAndCloseFix(h, problem.id, { affectedCis: ['srv-mail-01'], title: 'Raise the mail server connection limit' });
    expect(raised.state).toBe('fix_pending');
    expect(change.state).toBe('closed');
    await waitForProblemState(h, problem.id, 'resolved');
    const closed = await waitForProblemState(h, problem.id, 'closed');
    expect(closed.closeReason).toMatch(/effective/);
    const events = await h.db.prisma.problemEvent.findMany({ where: { problemId: problem.id }, orderBy: [{ at: 'asc' }, { eventKey: 'asc' }] });
    expect(events.map((e) => e.type).filter((t) => !t.startsWith('deadline.'))).toEqual(['opened', 'rca-deadline-set', 'investigation-started', 'known-error-published', 'fix-raised', 'resolved', 'closed']);
    // problem-known-error-fix.json is the same scenario from before Updates moved the problem while it opened.
    await recordHistoryIfAsked(problem.workflowId, 'problem-known-error-fix-v2');
    await recordHistoryIfAsked(change.workflowId, 'change-problem-fix');
  });

  it('goes back to investigation when a linked incident comes during the effectiveness review', async () => {
    await secondScaleProblemPolicies(h, { rcaSeconds: 600, remindBeforeSeconds: [], escalateAfterSeconds: 0, effectivenessSeconds: 600 });
    const created = await h.http.post('/api/problems').set(h.as('manager')).send({ title: 'VPN drops every hour', priority: 'P4', ownerId: h.userIds.agent2 });
    const problem = created.body;
    await h.http.post(`/api/problems/${problem.id}/known-error`).set(h.as('agent2')).send({ title: 'VPN key renegotiation fails', rootCause: 'The rekey interval differs between the two ends.', workaround: 'Reconnect the VPN client when it drops.' });
    await raiseAndCloseFix(h, problem.id);
    await waitForProblemState(h, problem.id, 'resolved');

    const again = await raiseIncidentOn(h, deskId, null, 'VPN dropped again');
    const linked = await h.http.post(`/api/problems/${problem.id}/incidents`).set(h.as('agent')).send({ incidentIds: [again.id] });
    expect(linked.status).toBe(200);
    expect(linked.body).toMatchObject({ state: 'investigating', reviewUntil: null, incidentIds: [again.id] });
    expect((await h.db.prisma.problemEvent.findMany({ where: { problemId: problem.id, type: 'recurred' } })).length).toBe(1);
    // Two closes at once: one closes it, the other finds it closed.
    const close = () => h.http.post(`/api/problems/${problem.id}/close`).set(h.as('manager')).send({ reason: 'Duplicate of the VPN upgrade problem' });
    const both = await h.together(() => [close(), close()]);
    expect(both.map((r) => r.status).sort()).toEqual([200, 409]);
    expect(both.find((r) => r.status === 200)!.body.state).toBe('closed');
    expect(both.find((r) => r.status === 409)!.body.currentState).toBe('closed');
    expect(await h.db.prisma.problemEvent.count({ where: { problemId: problem.id, type: 'closed' } })).toBe(1);
    const refused = await h.http.post(`/api/problems/${problem.id}/incidents`).set(h.as('agent')).send({ incidentIds: [again.id] });
    expect(refused.status).toBe(409);
    expect(refused.body.currentState).toBe('closed');
    await h.temporal.workflow.getHandle(problem.workflowId).result();
    await recordHistoryIfAsked(problem.workflowId, 'problem-recurred-closed');
  });
});
