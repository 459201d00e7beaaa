import supertest from 'supertest';
import { createApp } from '../../api/app';
import { ItsmEscalationLevel } from '../../domain/search-attributes';
import { changeTestService } from '../support/change-fixtures';
import { eventually, startHarness, type Harness } from '../support/harness';
import { secondScaleProblemPolicies } from '../support/problem-fixtures';
import { triggerSchedule } from '../support/schedules';
import { testContract } from '../support/supplier-fixtures';
import { timeline, uiView } from '../support/ui-metadata';

/** The README's saved query "overdue supplier reviews", without the suite's own scope. */
const overdueSupplierReviews = (now: Date) => `ItsmKind = "supplier-review" AND ItsmDueAt < "${now.toISOString()}" AND ExecutionStatus = "Running"`;
/** The README's saved query "escalated supplier reviews", without the suite's own scope. */
const ESCALATED_SUPPLIER_REVIEWS = 'ItsmKind = "supplier-review" AND ItsmEscalationLevel >= 1 AND ExecutionStatus = "Running"';

const UI = 'http://temporal-ui.test';

describe('problems, complaints and supplier reviews as a manager sees them in the Temporal UI', () => {
  let h: Harness;
  /** The API as `npm start` builds it, with the Temporal UI's address: records link to their workflow there. */
  let withUi: ReturnType<typeof supertest>;
  const handle = (workflowId: string) => h.temporal.workflow.getHandle(workflowId);
  const uiLink = (workflowId: string) => ({ id: workflowId, temporalUiUrl: `${UI}/namespaces/default/workflows/${encodeURIComponent(workflowId)}` });
  const escalated = (workflowId: string, level: number) => eventually(async () => expect((await handle(workflowId).describe()).typedSearchAttributes.get(ItsmEscalationLevel)).toBe(level), 20_000);
  /** The timeline's timers and activities include `summaries` (the last steps may still be on their way). */
  const storyTold = (workflowId: string, summaries: string[]) => eventually(async () => expect(await timeline(handle(workflowId))).toEqual(expect.arrayContaining(summaries)));
  /** Running workflows the suite leaves behind are ended at its close, and the contracts' schedules deleted. */
  const running: string[] = [];
  const schedules: string[] = [];

  beforeAll(async () => {
    h = await startHarness('pglite');
    withUi = supertest(createApp({ ...h.apiDeps, temporalUiUrl: UI }));
  });
  afterAll(async () => {
    for (const id of schedules) await h.temporal.schedule.getHandle(id).delete().catch(() => undefined);
    for (const workflowId of running) await handle(workflowId).terminate('test over').catch(() => undefined);
    await h?.close();
  });

  it('a problem: reference, priority and title in the list, its RCA deadline and escalation in the details, a timeline that tells the story', async () => {
    // Room enough for the owner to be set before the reminder, even on a loaded machine.
    await secondScaleProblemPolicies(h, { rcaSeconds: 8, remindBeforeSeconds: [4], escalateAfterSeconds: 1, effectivenessSeconds: 60 });
    const service = await changeTestService(h);
    const title = `Mail gateway drops attachments ${Date.now()}`;
    const opened = await h.http.post('/api/problems').set(h.as('agent')).send({ title, description: 'Attachments over 10 MB vanish.', priority: 'P2', serviceId: service.id, ownerId: h.userIds.agent });
    expect(opened.status).toBe(201);
    const problem = opened.body;
    running.push(problem.workflowId);

    await escalated(problem.workflowId, 1);
    const view = await uiView(handle(problem.workflowId));
    expect(view.summary).toBe(`${problem.reference} · P2 · ${title}`);
    expect(view.details).toContain(`**${problem.reference} · ${title}**`);
    expect(view.details).toContain(`| Service | ${service.name} |`);
    expect(view.details).toContain(`[API record](${h.baseUrl}/api/problems/${problem.id})`);
    expect(view.currentDetails).toContain('| State | investigating |');
    expect(view.currentDetails).toContain(`| Owner | ${h.userIds.agent} |`);
    expect(view.currentDetails).toContain(`| Problem manager | ${h.userIds.manager} |`);
    expect(view.currentDetails).toMatch(/\| RCA deadline \| \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC \(overdue by \d+ s\) \|/);
    expect(view.currentDetails).toContain('| Escalation | level 1 → problem manager, owner |');

    await storyTold(problem.workflowId, [
      'record: problem opened, RCA policy read',
      'record: rca deadline set',
      'mail: assigned → owner',
      'RCA deadline reminder, 4 s before → owner',
      'mail: rca reminder → owner',
      'escalation level 1 → problem manager',
      'mail: rca escalation → problem manager, owner',
      'record: deadline rca escalation',
    ]);
    expect((await withUi.get(`/api/problems/${problem.id}`).set(h.as('agent'))).body.workflow).toEqual(uiLink(problem.workflowId));
  });

  it('a complaint: who complains about which service, its response clock and both escalation levels', async () => {
    expect((await h.http.put('/api/complaint-policies/standard').set(h.as('manager')).send({ targetSeconds: 3, remindBeforeSeconds: [2], escalateAfterSeconds: 2 })).status).toBe(200);
    const service = await h.db.prisma.service.create({ data: { code: `CMPUI${process.pid}`, name: `Payroll ${process.pid}`, ownerId: h.userIds.agent2 } });
    const logged = await h.http.post('/api/complaints').set(h.as('requester')).send({ subject: 'Payslips late again', description: 'Third month in a row that payslips arrive after payday.', serviceId: service.id });
    expect(logged.status).toBe(201);
    const complaint = logged.body;
    const { workflowId } = await h.db.prisma.complaint.findUniqueOrThrow({ where: { id: complaint.id } });
    running.push(workflowId);
    const requester = await h.db.prisma.user.findUniqueOrThrow({ where: { id: h.userIds.requester } });
    const handler = await h.db.prisma.user.findUniqueOrThrow({ where: { id: h.userIds.agent2 } });

    await escalated(workflowId, 2);
    const view = await uiView(handle(workflowId));
    expect(view.summary).toBe(`${complaint.reference} · ${requester.name} · ${service.name} · Payslips late again`);
    expect(view.details).toContain(`| Handler | ${handler.name} |`);
    expect(view.details).toContain(`| Response due | ${complaint.dueAt.slice(0, 19).replace('T', ' ')} UTC |`);
    expect(view.details).toContain('| Escalation level 2 | → administrators at ');
    expect(view.details).toContain(`[API record](${h.baseUrl}/api/complaints/${complaint.id})`);
    expect(view.currentDetails).toContain('| State | investigating |');
    expect(view.currentDetails).toContain(`| Handler | ${h.userIds.agent2} |`);
    expect(view.currentDetails).toMatch(/\| Response due \| .+ UTC \(overdue by \d+ s\) \|/);
    expect(view.currentDetails).toContain('| Escalation | level 2 → administrators |');
    // Every deadline fired: nothing is left to wait for.
    expect(view.currentDetails).not.toContain('Next deadline');

    await storyTold(workflowId, [
      'record: complaint received',
      'mail: received → complainant',
      'complaint reminder → handler',
      'escalation level 1 → managers, handler',
      'mail: escalation → managers, handler',
      'escalation level 2 → administrators',
      'mail: escalation → administrators',
      'record: escalated',
    ]);
    expect((await withUi.get(`/api/complaints/${complaint.id}`).set(h.as('agent2'))).body.workflow).toEqual(uiLink(workflowId));
    // The Temporal UI is the staff's: the complainant's own answer does not point into it.
    expect((await withUi.get(`/api/complaints/${complaint.id}`).set(h.as('requester'))).body.workflow).toBeUndefined();
  });

  /** A contract of the suite's own; its Schedules are deleted at the suite's close. */
  async function contractWith(assessmentSeconds: number, remindBeforeSeconds: number[]) {
    const contract = await testContract(h, { assessmentSeconds, remindBeforeSeconds });
    schedules.push(...contract.scheduleIds);
    return contract;
  }

  /** A review on a significant change, started through the API; returns its workflow id once its record is open. */
  async function reviewNow(contractId: string) {
    const started = await h.http.post(`/api/contracts/${contractId}/review`).set(h.as('manager')).send({ reason: 'significant-change', note: 'Supplier acquired' });
    expect(started.status).toBe(202);
    const workflowId: string = started.body.workflowId;
    running.push(workflowId);
    const review = await eventually(async () => {
      const row = await h.db.prisma.supplierReview.findUniqueOrThrow({ where: { workflowId } });
      if (row.state === 'gathering') throw new Error('still gathering');
      return row;
    });
    return { workflowId, reviewId: review.id };
  }

  it('a supplier review: supplier, contract and reason in the list, its assessment deadline and escalation in the details; the scheduled runs too', async () => {
    const contract = await contractWith(2, [1]);
    const { supplier } = contract;
    const { workflowId, reviewId } = await reviewNow(contract.id);
    // Overdue reviews left running would be found by the next test's query, which counts its own reviews only.
    const overdue = [workflowId];
    try {
      await escalated(workflowId, 1);
      const view = await uiView(handle(workflowId));
      expect(view.summary).toBe(`${supplier} · ${contract.reference} · review on a significant change`);
      expect(view.details).toContain(`| Contract | ${contract.reference} · Hosting of the service desk platform |`);
      expect(view.details).toContain(`| Contract ends | ${contract.endsOn} |`);
      expect(view.details).toContain(`[API record](${h.baseUrl}/api/contracts/${contract.id})`);
      expect(view.currentDetails).toContain('| State | awaiting-assessment |');
      expect(view.currentDetails).toMatch(/\| Assessment due \| .+ UTC \(overdue by \d+ s\) \|/);
      expect(view.currentDetails).toMatch(/\| Escalation \| level 1 → managers, told .+ UTC \|/);
      expect(view.currentDetails).toContain(`[API record](${h.baseUrl}/api/supplier-reviews/${reviewId})`);
      await storyTold(workflowId, [
        'record: supplier review opened',
        'records: supplier performance of the period',
        'mail: supplier-review-request → contract owner',
        'supplier review reminder',
        'escalation level 1 → managers',
        'mail: supplier-review-escalation → managers',
        'record: supplier review escalated',
      ]);
      expect((await withUi.get(`/api/supplier-reviews/${reviewId}`).set(h.as('agent2'))).body.workflow).toEqual(uiLink(workflowId));

      // The contract's Schedules start their runs with the same facts: the yearly review and the renewal reminder.
      const [review, renewal] = contract.scheduleIds.map((id) => h.temporal.schedule.getHandle(id));
      expect((await review.describe()).action.staticSummary).toBe(`${supplier} · ${contract.reference} · yearly review`);
      expect((await renewal.describe()).action.staticSummary).toBe(`${supplier} · ${contract.reference} · renewal reminder`);
      expect((await renewal.describe()).action.staticDetails).toContain('| Notice period | 60 days |');
      const scheduled = await triggerSchedule(h, review.scheduleId);
      overdue.push(scheduled);
      const run = await uiView(handle(scheduled));
      expect(run.summary).toBe(`${supplier} · ${contract.reference} · yearly review`);
      expect(run.details).toContain(`[API record](${h.baseUrl}/api/contracts/${contract.id})`);
    } finally {
      for (const id of overdue) await handle(id).terminate('test over').catch(() => undefined);
    }
  });

  it('the saved queries "overdue supplier reviews" and "escalated supplier reviews" find exactly the running reviews past their deadline', async () => {
    const scope = ` AND TaskQueue = "${h.taskQueue}"`;
    // Overdue and still waiting: the one to find.
    const overdue = await contractWith(2, [1]);
    const waiting = await reviewNow(overdue.id);
    // Overdue, then assessed: no longer running.
    const assessed = await reviewNow(overdue.id);
    // Due in an hour: not overdue.
    const inTime = await contractWith(3_600, [60]);
    await reviewNow(inTime.id);
    await Promise.all([escalated(waiting.workflowId, 1), escalated(assessed.workflowId, 1)]);
    expect((await h.http.post(`/api/supplier-reviews/${assessed.reviewId}/assess`).set(h.as('agent2')).send({ outcome: 'continue', notes: 'Back on track' })).status).toBe(200);
    await handle(assessed.workflowId).result();

    // The problem and the complaint the earlier tests left running and escalated stay out too.
    const expected = [waiting.workflowId];
    for (const query of [overdueSupplierReviews(new Date()), ESCALATED_SUPPLIER_REVIEWS]) {
      await eventually(async () => expect(await h.temporal.workflow.count(query + scope)).toMatchObject({ count: expected.length }), 20_000);
      const listed: string[] = [];
      for await (const workflow of h.temporal.workflow.list({ query: query + scope })) listed.push(workflow.workflowId);
      expect(listed).toEqual(expected);
    }
  });
});
