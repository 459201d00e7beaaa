import { changeStatusQuery } from '../../workflows/change.messages';
import { eventually, startHarness, type Harness } from '../support/harness';
import { recordHistoryIfAsked } from '../support/sla-fixtures';
import { changeMails, changeState, changeTestService, configureBoard, deadlineEvents, decide, raiseChange, waitForChangeState } from '../support/change-fixtures';

const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('change approval workflow with second-scale deadlines', () => {
  let h: Harness;
  let serviceId: string;
  beforeAll(async () => {
    h = await startHarness('pglite');
    serviceId = (await changeTestService(h)).id;
  });
  afterAll(() => h?.close());

  const status = (workflowId: string) => h.temporal.workflow.getHandle(workflowId).query(changeStatusQuery);
  async function inApproval(overrides: Record<string, unknown> = {}) {
    const change = await raiseChange(h, serviceId, overrides);
    await waitForChangeState(h, change.id, 'approval');
    return change;
  }

  describe('quorum rules', () => {
    it('any: the first approval decides', async () => {
      await configureBoard(h, 'CAB', { members: ['manager', 'cab1', 'cab2'], quorum: { rule: 'any' }, decisionSeconds: 600 });
      const change = await inApproval();
      expect((await decide(h, change.id, 'cab2', 'approve')).body.state).toBe('approved');
    });

    it('any: one rejection does not end the stage while others could still approve', async () => {
      await configureBoard(h, 'CAB', { members: ['manager', 'cab1', 'cab2'], quorum: { rule: 'any' }, decisionSeconds: 600 });
      const change = await inApproval();
      expect((await decide(h, change.id, 'cab1', 'reject')).body.state).toBe('approval');
      expect((await decide(h, change.id, 'cab2', 'reject')).body.state).toBe('approval');
      const last = await decide(h, change.id, 'manager', 'reject');
      expect(last.body.state).toBe('rejected');
    });

    it('all: every approver must approve, and one rejection ends it at once', async () => {
      await configureBoard(h, 'CAB', { members: ['manager', 'cab1', 'cab2'], quorum: { rule: 'all' }, decisionSeconds: 600 });
      const approved = await inApproval();
      expect((await decide(h, approved.id, 'cab1', 'approve')).body.state).toBe('approval');
      expect((await decide(h, approved.id, 'cab2', 'approve')).body.state).toBe('approval');
      expect((await decide(h, approved.id, 'manager', 'approve')).body.state).toBe('approved');

      const rejected = await inApproval();
      expect((await decide(h, rejected.id, 'cab1', 'approve')).body.state).toBe('approval');
      const no = await decide(h, rejected.id, 'cab2', 'reject', 'The back-out has never been tested');
      expect(no.body).toMatchObject({ state: 'rejected', closeReason: expect.stringContaining('The back-out has never been tested') });
      const record = await h.db.prisma.changeRequest.findUniqueOrThrow({ where: { id: rejected.id } });
      expect(record).toMatchObject({ state: 'rejected', costApprovedAt: null });
    });

    it('majority: two of three approve; two rejections end it without the third', async () => {
      await configureBoard(h, 'CAB', { members: ['manager', 'cab1', 'cab2'], quorum: { rule: 'majority' }, decisionSeconds: 600 });
      const approved = await inApproval();
      expect((await decide(h, approved.id, 'cab1', 'approve')).body.state).toBe('approval');
      expect((await decide(h, approved.id, 'cab2', 'reject')).body.state).toBe('approval');
      expect((await decide(h, approved.id, 'manager', 'approve')).body.state).toBe('approved');

      const rejected = await inApproval();
      expect((await decide(h, rejected.id, 'cab1', 'reject')).body.state).toBe('approval');
      expect((await decide(h, rejected.id, 'manager', 'reject')).body.state).toBe('rejected');
      const approvals = await h.db.prisma.changeApproval.findMany({ where: { changeId: rejected.id } });
      expect(approvals.map((a) => a.decision).sort()).toEqual(['rejected', 'rejected']);
    });

    it('2 of 4: approved at two approvals; rejected once three have said no', async () => {
      await configureBoard(h, 'CAB', { members: ['manager', 'cab1', 'cab2', 'agent'], quorum: { rule: 'n-of-m', n: 2 }, decisionSeconds: 600 });
      const approved = await inApproval();
      expect((await decide(h, approved.id, 'agent', 'approve')).body.state).toBe('approval');
      expect((await decide(h, approved.id, 'cab1', 'approve')).body.state).toBe('approved');

      const rejected = await inApproval();
      expect((await decide(h, rejected.id, 'cab1', 'approve')).body.state).toBe('approval');
      expect((await decide(h, rejected.id, 'cab2', 'reject')).body.state).toBe('approval');
      expect((await decide(h, rejected.id, 'agent', 'reject')).body.state).toBe('approval');
      expect((await decide(h, rejected.id, 'manager', 'reject')).body.state).toBe('rejected');
    });

    it('one person counts once, and a requester on the board is left out of its quorum', async () => {
      await configureBoard(h, 'CAB', { members: ['manager', 'cab1', 'cab2'], quorum: { rule: 'all' }, decisionSeconds: 600 });
      const change = await raiseChange(h, serviceId, {}, 'manager');
      await waitForChangeState(h, change.id, 'approval');
      const stage = (await status(change.workflowId)).stage!;
      expect(stage.approverIds.sort()).toEqual([h.userIds.cab1, h.userIds.cab2].sort());
      expect(stage.quorum).toBe('all of 2');
      expect((await decide(h, change.id, 'cab1', 'approve')).status).toBe(200);
      const twice = await decide(h, change.id, 'cab1', 'approve');
      expect(twice.status).toBe(409);
      expect(twice.body).toMatchObject({ currentState: 'approval', detail: expect.stringContaining('counts once') });
      expect((await decide(h, change.id, 'cab2', 'approve')).body.state).toBe('approved');
    });
  });

  it('reminds, then escalates to the chair, then expires as rejected, each once and in that order', async () => {
    await configureBoard(h, 'CAB', { members: ['manager', 'cab1', 'cab2'], quorum: { rule: 'majority' }, chair: 'manager', decisionSeconds: 6, remindBeforeSeconds: [4], escalateBeforeSeconds: 2 });
    const change = await inApproval();
    expect((await decide(h, change.id, 'cab1', 'approve')).body.state).toBe('approval');
    await waitForChangeState(h, change.id, 'rejected', 20_000);
    await wait(2_500);
    const events = await deadlineEvents(h, change.id);
    expect(events.map((e) => e.type)).toEqual(['deadline.reminder', 'deadline.escalation', 'deadline.expiry']);
    const record = await h.db.prisma.changeRequest.findUniqueOrThrow({ where: { id: change.id } });
    expect(record.closeReason).toMatch(/^expired: /);
    expect(record.escalationLevel).toBe(1);
    expect(events[2].at.getTime()).toBeGreaterThanOrEqual(record.createdAt.getTime() + 6_000);

    const mails = await eventually(async () => {
      const all = await changeMails(change.id);
      if (!all.some((m) => m.headers['x-itsm-kind'] === 'approval-expired')) throw new Error('no expiry mail yet');
      return all;
    });
    const to = (kind: string) => mails.filter((m) => m.headers['x-itsm-kind'] === kind).map((m) => m.to[0].address).sort();
    // The reminder goes only to those who have not decided; cab1 had approved.
    expect(to('approval-reminder')).toEqual(['li.wei@itsm.local', 'omar.haddad@itsm.local']);
    expect(to('approval-escalation')).toEqual(['li.wei@itsm.local']);
    expect(to('approval-expired')).toEqual(['li.wei@itsm.local', 'omar.haddad@itsm.local', 'riley.requester@itsm.local']);
    const late = await decide(h, change.id, 'cab2', 'approve');
    expect(late.status).toBe(409);
    expect(late.body.currentState).toBe('rejected');
    await recordHistoryIfAsked(change.workflowId, 'change-expiry');
  });

  it('an emergency change takes the ECAB fast path and cannot close without its review', async () => {
    await configureBoard(h, 'ECAB', { members: ['manager', 'cab1'], quorum: { rule: 'any' }, decisionSeconds: 60, reviewSeconds: 3, remindBeforeSeconds: [2] });
    const now = Date.now();
    // A service of its own: the approved changes of the other tests hold overlapping windows on the shared one.
    const own = await changeTestService(h);
    const change = await raiseChange(h, own.id, { type: 'emergency', title: 'Patch the exploited VPN gateway', plannedStart: new Date(now - 60_000).toISOString(), plannedEnd: new Date(now + 3_600_000).toISOString() });
    await waitForChangeState(h, change.id, 'approval');
    const stage = (await status(change.workflowId)).stage!;
    expect(stage).toMatchObject({ board: 'ECAB', quorum: 'any of 2', required: 1 });
    expect((await decide(h, change.id, 'cab1', 'approve')).body.state).toBe('approved');
    const act = (verb: string, body: object = {}, role: 'agent' | 'manager' = 'agent') => h.http.post(`/api/changes/${change.id}/${verb}`).set(h.as(role)).send(body);
    const scheduled = await act('schedule');
    expect(scheduled.body).toMatchObject({ state: 'scheduled' });
    expect((await act('start')).body.state).toBe('implementing');
    expect((await act('complete', { notes: 'Patched and verified' })).body).toMatchObject({ state: 'review', outcome: 'successful' });
    // There is no way round the review: cancelling is over, and nothing else closes a change.
    const cancel = await h.http.post(`/api/changes/${change.id}/cancel`).set(h.as('requester')).send({ reason: 'done already' });
    expect(cancel.status).toBe(409);
    expect(cancel.body.currentState).toBe('review');
    await eventually(async () => {
      const types = (await deadlineEvents(h, change.id)).map((e) => e.type);
      expect(types).toEqual(['deadline.review-reminder', 'deadline.review-overdue']);
    });
    expect(await changeState(h, change.id)).toBe('review');
    const reviewed = await act('review', { summary: 'Emergency justified; patch held', lessons: 'Keep the gateway on the monthly patch cycle' }, 'manager');
    expect(reviewed.body.state).toBe('closed');
    await recordHistoryIfAsked(change.workflowId, 'change-emergency-review');
  });

  it('a normal change above the cost threshold also needs the second level; below it, it does not', async () => {
    await configureBoard(h, 'CAB', { members: ['cab1', 'cab2'], quorum: { rule: 'any' }, decisionSeconds: 600, secondLevel: { board: 'CM', costAbove: 100_000, riskAtLeast: 'high' } });
    await configureBoard(h, 'CM', { members: ['admin'], quorum: { rule: 'any' }, chair: 'admin', decisionSeconds: 600 });
    const costly = await inApproval({ estimatedCost: 250_000 });
    const afterCab = await decide(h, costly.id, 'cab1', 'approve');
    expect(afterCab.body).toMatchObject({ state: 'approval', stages: 2, stage: { level: 2, board: 'CM' } });
    expect((await decide(h, costly.id, 'admin', 'approve')).body.state).toBe('approved');
    const approvals = await h.db.prisma.changeApproval.findMany({ where: { changeId: costly.id }, orderBy: { level: 'asc' } });
    expect(approvals.map((a) => [a.level, a.board, a.decision])).toEqual([
      [1, 'CAB', 'approved'],
      [2, 'CM', 'approved'],
    ]);
    const approvalMails = await eventually(async () => {
      const mails = (await changeMails(costly.id)).filter((m) => m.headers['x-itsm-kind'] === 'approval-request');
      if (mails.length < 3) throw new Error(`${mails.length} approval requests so far`);
      return mails;
    });
    expect(approvalMails.map((m) => m.to[0].address).sort()).toEqual(['admin@itsm.local', 'omar.haddad@itsm.local', 'wang.fang@itsm.local']);

    const cheap = await inApproval({ estimatedCost: 5_000 });
    expect((await decide(h, cheap.id, 'cab2', 'approve')).body).toMatchObject({ state: 'approved', stages: 1 });
  });
  describe('two Updates at the same instant', () => {
    async function approvedOnItsOwnService() {
      await configureBoard(h, 'CAB', { members: ['cab1', 'cab2'], quorum: { rule: 'any' }, decisionSeconds: 600 });
      // A service of its own, so no other test's window conflicts with this change's.
      const change = await raiseChange(h, (await changeTestService(h)).id);
      await waitForChangeState(h, change.id, 'approval');
      expect((await decide(h, change.id, 'cab1', 'approve')).body.state).toBe('approved');
      const act = (verb: string, body: object = {}) => h.http.post(`/api/changes/${change.id}/${verb}`).set(h.as(verb === 'cancel' ? 'requester' : 'agent')).send(body);
      return { change, act };
    }

    it('two cancels: one is taken, the other refused with the state the first left', async () => {
      const { change, act } = await approvedOnItsOwnService();
      const both = await h.together(() => [act('cancel', { reason: 'Superseded' }), act('cancel', { reason: 'Superseded' })]);
      expect(both.map((r) => r.status).sort()).toEqual([200, 409]);
      expect(both.find((r) => r.status === 200)!.body.state).toBe('cancelled');
      expect(both.find((r) => r.status === 409)!.body.currentState).toBe('cancelled');
      const events = await h.db.prisma.changeEvent.findMany({ where: { changeId: change.id, type: 'cancelled' } });
      expect(events).toHaveLength(1);
    });

    it('a schedule and a cancel: while the calendar decides the schedule nothing else is taken, so exactly one wins', async () => {
      const { change, act } = await approvedOnItsOwnService();
      const [scheduled, cancelled] = await h.together(() => [act('schedule'), act('cancel', { reason: 'Superseded' })]);
      expect([scheduled.status, cancelled.status].sort()).toEqual([200, 409]);
      if (scheduled.status === 200) {
        expect(scheduled.body.state).toBe('scheduled');
        expect(cancelled.body).toMatchObject({ currentState: 'approved', detail: expect.stringMatching(/a schedule of this change is still in progress/) });
      } else {
        expect(cancelled.body.state).toBe('cancelled');
        expect(scheduled.body.currentState).toBe('cancelled');
      }
      expect(await changeState(h, change.id)).toBe(scheduled.status === 200 ? 'scheduled' : 'cancelled');
      await recordHistoryIfAsked(change.workflowId, 'change-schedule-cancel-together');
    });
  });
});
