import supertest from 'supertest';
import { createApp } from '../../api/app';
import { ItsmDueAt, ItsmEscalationLevel, ItsmState } from '../../domain/search-attributes';
import { configureBoard, changeTestService, deadlineEvents, decide, HIGH_RISK, raiseChange, waitForChangeState } from '../support/change-fixtures';
import { eventually, startHarness, type Harness } from '../support/harness';
import { authoriseAndFinish, changeInWindow, planRelease, releaseAction, shellAdapter } from '../support/release-fixtures';
import { recordHistoryIfAsked } from '../support/sla-fixtures';
import { timeline, uiView } from '../support/ui-metadata';

/** The README's saved query "changes awaiting CAB past their reminder", without the suite's own scope. */
const CHANGES_AWAITING_CAB_PAST_REMINDER = 'ItsmKind = "change" AND ItsmState = "approval" AND ItsmEscalationLevel >= 1';

const TEMPORAL_UI = 'http://127.0.0.1:8233';

describe('changes and releases as a manager sees them in the Temporal UI', () => {
  let h: Harness;
  let serviceId: string;
  /** The API as `npm start` builds it: it knows where the Temporal UI is. */
  let withUi: ReturnType<typeof supertest>;
  beforeAll(async () => {
    h = await startHarness('pglite');
    serviceId = (await changeTestService(h)).id;
    withUi = supertest(createApp({ ...h.apiDeps, temporalUiUrl: TEMPORAL_UI }));
  });
  afterAll(() => h?.close());

  const handle = (workflowId: string) => h.temporal.workflow.getHandle(workflowId);
  const userName = async (role: 'requester' | 'agent') => (await h.db.prisma.user.findUniqueOrThrow({ where: { id: h.userIds[role] } })).name;
  const uiLink = (workflowId: string) => ({ id: workflowId, temporalUiUrl: `${TEMPORAL_UI}/namespaces/default/workflows/${encodeURIComponent(workflowId)}` });
  /** Reminded after 2 s and escalated to the chair after 5 s of a 60 s decision. */
  const remindingCab = () => configureBoard(h, 'CAB', { members: ['manager', 'cab1', 'cab2'], quorum: { rule: 'majority' }, chair: 'manager', decisionSeconds: 60, remindBeforeSeconds: [58], escalateBeforeSeconds: 55 });
  const escalated = (changeId: string) => eventually(async () => expect((await deadlineEvents(h, changeId)).map((e) => e.type)).toContain('deadline.escalation'), 30_000);

  it('a change: its summary and raised-with facts, then its board, quorum progress, reminder, escalation and next deadline as they happen', async () => {
    await remindingCab();
    const change = await raiseChange(h, serviceId, { riskAnswers: HIGH_RISK, title: 'ERP patch' });
    const start = await uiView(handle(change.workflowId));
    expect(start.summary).toBe(`${change.reference} · normal · high risk · ERP patch`);
    expect(start.details).toContain(`**${change.reference} · ERP patch**`);
    expect(start.details).toContain('| Risk at intake | high (score 9) |');
    expect(start.details).toContain(`| Requester | ${await userName('requester')} |`);
    expect(start.details).toContain(`[API record](${h.baseUrl}/api/changes/${change.id})`);

    await escalated(change.id);
    const waiting = await uiView(handle(change.workflowId));
    expect(waiting.currentDetails).toContain('| State | approval |');
    expect(waiting.currentDetails).toContain('| Waiting on | CAB (test): 3 approver(s) undecided |');
    expect(waiting.currentDetails).toContain('| Quorum progress | 0 approved, 0 rejected, 3 pending (quorum: majority of 3) |');
    expect(waiting.currentDetails).toMatch(/\| Escalation level \| 1 → CAB chair at \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC \|/);
    expect(waiting.currentDetails).toMatch(/\| Next deadline \| CAB approval expiry at .+ UTC \|/);
    expect(waiting.currentDetails).toMatch(/\| .+ UTC \| approval reminder → CAB chair, 2 CAB approvers \|/);
    expect(waiting.attributes.get(ItsmEscalationLevel)).toBe(1);
    expect(waiting.attributes.get(ItsmDueAt)).toBeInstanceOf(Date);
    expect(await timeline(handle(change.workflowId))).toEqual(
      expect.arrayContaining(['record: opened', 'assess risk and plan approvals', 'CAB reminder', 'approval escalation level 1 → CAB chair', 'mail: approval reminder → CAB chair, 2 CAB approvers', 'mail: approval escalation → CAB chair', 'record: deadline.escalation']),
    );

    await decide(h, change.id, 'cab1', 'approve');
    expect((await decide(h, change.id, 'cab2', 'approve')).body.state).toBe('approved');
    const approved = await uiView(handle(change.workflowId));
    expect(approved.currentDetails).toContain('| State | approved |');
    expect(approved.currentDetails).toContain('| Quorum progress | 2 approved, 0 rejected, 1 pending (quorum: majority of 3) |');
    expect(approved.currentDetails).toMatch(/\| Cost approved \| .+ UTC \|/);
    expect((await withUi.get(`/api/changes/${change.id}`).set(h.as('agent'))).body.workflow).toEqual(uiLink(change.workflowId));
  });

  it('the saved query "changes awaiting CAB past their reminder" finds the escalated changes still waiting, and no other', async () => {
    await remindingCab();
    const late = await raiseChange(h, serviceId);
    const decided = await raiseChange(h, serviceId);
    await Promise.all([escalated(late.id), escalated(decided.id)]);
    await decide(h, decided.id, 'cab1', 'approve');
    await decide(h, decided.id, 'cab2', 'approve');
    // A board without reminders or escalation: its change waits, but nobody has been chased yet.
    await configureBoard(h, 'CAB', { members: ['manager', 'cab1', 'cab2'], quorum: { rule: 'majority' }, decisionSeconds: 600 });
    const fresh = await raiseChange(h, serviceId);
    await waitForChangeState(h, fresh.id, 'approval');

    const query = `${CHANGES_AWAITING_CAB_PAST_REMINDER} AND TaskQueue = "${h.taskQueue}"`;
    await eventually(async () => {
      expect((await h.temporal.workflow.count(query)).count).toBe(1);
      const found: string[] = [];
      for await (const workflow of h.temporal.workflow.list({ query })) found.push(workflow.workflowId);
      expect(found).toEqual([late.workflowId]);
    });
    expect((await handle(decided.workflowId).describe()).typedSearchAttributes.get(ItsmState)).toBe('approved');
    expect((await handle(fresh.workflowId).describe()).typedSearchAttributes.get(ItsmEscalationLevel)).toBe(0);
  });

  it('a release and its environments: plan, per-environment state, the overdue smoke test escalated to the authorisers, each child by name', async () => {
    const linked = await changeInWindow(h);
    const adapter = await shellAdapter(h);
    const release = await planRelease(h, adapter.name, { confirmIn: ['staging'], confirmSeconds: 2, changeIds: [linked.id] });
    const version = (await h.db.prisma.release.findUniqueOrThrow({ where: { id: release.id } })).version;
    const start = await uiView(handle(release.workflowId));
    expect(start.summary).toBe(`${release.reference} · Payroll module upgrade ${version} · planned`);
    expect(start.details).toContain('| Environments | test → staging → production (production) |');
    expect(start.details).toContain(`| Linked changes | ${linked.reference} |`);
    expect(start.details).toContain(`| Requester | ${await userName('agent')} |`);
    expect(start.details).toContain(`[API record](${h.baseUrl}/api/releases/${release.id})`);

    await releaseAction(h, release.id, 'start');
    await eventually(async () => expect(await h.db.prisma.releaseEvent.count({ where: { releaseId: release.id, type: 'confirmation-overdue' } })).toBe(1));
    const overdue = await eventually(async () => {
      const view = await uiView(handle(release.workflowId));
      expect(view.currentDetails).toMatch(/\| Escalation level \| 1 → release authorisers at .+ UTC \|/);
      return view;
    });
    expect(overdue.currentDetails).toContain('| State | deploying |');
    expect(overdue.currentDetails).toContain('| test | deployed |');
    expect(overdue.currentDetails).toContain('| staging | awaiting_confirmation |');
    expect(overdue.currentDetails).toContain('| production (production) | pending |');
    expect(overdue.currentDetails).toMatch(/\| Next deadline \| smoke-test confirmation in staging at .+ UTC \|/);
    expect(overdue.attributes.get(ItsmEscalationLevel)).toBe(1);
    expect(overdue.attributes.get(ItsmDueAt)).toBeInstanceOf(Date);

    const staging = await uiView(handle(`${release.workflowId}/staging`));
    expect(staging.summary).toBe(`${release.reference} · deploy to staging`);
    expect(staging.details).toContain('| Smoke test | confirmed by a person within 2 s, then verified |');
    expect(staging.details).toContain(`[API record of the release](${h.baseUrl}/api/releases/${release.id})`);
    expect(staging.currentDetails).toContain('| Phase | awaiting_confirmation |');
    expect(staging.currentDetails).toContain('| Escalation | confirmation overdue: the release authorisers were told |');

    expect((await releaseAction(h, release.id, 'confirm', { environment: 'staging' })).status).toBe(200);
    await authoriseAndFinish(h, release.id);
    const released = await uiView(handle(release.workflowId));
    expect(released.currentDetails).toContain('| State | released |');
    expect(released.currentDetails).toContain('| production (production) | deployed |');
    expect(await timeline(handle(release.workflowId))).toEqual(expect.arrayContaining(['build', 'test', 'mail: confirmation overdue → release authorisers', 'production gate: linked changes for production', 'record: released']));
    expect(await timeline(handle(`${release.workflowId}/staging`))).toEqual(['record: staging deploying', 'deploy to staging', 'record: staging awaiting_confirmation', 'smoke-test confirmation in staging', 'record: staging verifying', 'verify in staging', 'record: staging deployed']);
    expect((await handle(`${release.workflowId}/production`).describe().then((d) => d.staticSummary()))).toBe(`${release.reference} · deploy to production`);
    expect((await withUi.get(`/api/releases/${release.id}`).set(h.as('agent'))).body.workflow).toEqual(uiLink(release.workflowId));
    // The release-due-at patch's path (ItsmDueAt while a smoke test is awaited), replayed by `npm run replay`.
    await recordHistoryIfAsked(release.workflowId, 'release-confirmation-due-v2');
  });
});
