import { changeStatusQuery } from '../../workflows/change.messages';
import { databaseKinds } from '../support/databases';
import { changeBody, changeMails, changeTestService, configureBoard, decide, HIGH_RISK, raiseChange, standardChange, waitForChangeState } from '../support/change-fixtures';
import { eventually, startHarness, type DemoRole, type Harness } from '../support/harness';

const LINK = /http:\/\/127\.0\.0\.1:\d+(\/actions\/[A-Za-z0-9_.-]+)/;

/** Attacks on change management from the security review (issue 15, items 5, 9 and 12), each refused with nothing written. */
describe.each(databaseKinds())('change management refuses what it must on %s', (kind) => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(kind);
    await configureBoard(h, 'CAB', { members: ['manager', 'cab1', 'cab2'], quorum: { rule: 'any' }, decisionSeconds: 3_600 });
  });
  afterAll(() => h?.close());

  const changes = () => h.db.prisma.changeRequest.count();
  const raise = (overrides: Record<string, unknown>, serviceId: string) => h.http.post('/api/changes').set(h.as('requester')).send(changeBody(serviceId, overrides));
  const fields = (response: { body: { errors?: { field: string }[] } }) => (response.body.errors ?? []).map((e) => e.field);

  describe('a standard change stays inside its template (item 5)', () => {
    it('a template names its services, CI types and highest risk; only managers set them', async () => {
      const service = await changeTestService(h);
      const standard = await standardChange(h, service.id, { ciTypes: ['server'], maxRisk: 'medium' });
      const listed = await h.http.get('/api/change-templates').set(h.as('requester'));
      expect(listed.body.items).toContainEqual(expect.objectContaining({ id: standard.templateId, serviceIds: [service.id], ciTypes: ['server'], maxRisk: 'medium' }));

      const body = { name: 'Anything at all', implementationPlan: 'Do it', backoutPlan: 'Undo it', maxCost: 0, maxDurationMinutes: 60, serviceIds: [service.id] };
      expect((await h.http.post('/api/change-templates').set(h.as('agent')).send(body)).status).toBe(403);
      const noService = await h.http.post('/api/change-templates').set(h.as('manager')).send({ ...body, serviceIds: [service.id, '0190b6d2-0000-7000-8000-000000000000'] });
      expect([noService.status, fields(noService)]).toEqual([400, ['serviceIds.1']]);
      const noScope = await h.http.post('/api/change-templates').set(h.as('manager')).send({ ...body, serviceIds: [], maxRisk: 'extreme', ciTypes: ['toaster'] });
      expect([noScope.status, fields(noScope).sort()]).toEqual([400, ['ciTypes.0', 'maxRisk', 'serviceIds']]);
      expect(await h.db.prisma.standardChangeTemplate.count({ where: { name: body.name } })).toBe(0);

      const other = await changeTestService(h);
      const scope = { serviceIds: [service.id, other.id], ciTypes: ['server', 'database'], maxRisk: 'low' };
      expect((await h.http.put(`/api/change-templates/${standard.templateId}/scope`).set(h.as('cab1')).send(scope)).status).toBe(403);
      const rescoped = await h.http.put(`/api/change-templates/${standard.templateId}/scope`).set(h.as('manager')).send(scope);
      expect(rescoped.status).toBe(200);
      expect(rescoped.body).toMatchObject({ serviceIds: expect.arrayContaining(scope.serviceIds), ciTypes: scope.ciTypes, maxRisk: 'low' });
    });

    it('a service or a CI type outside the template, or a plan of its own, is a 400 naming the field, and no change is written', async () => {
      const service = await changeTestService(h);
      const outsider = await changeTestService(h);
      const standard = await standardChange(h, service.id, { ciTypes: ['server'] });
      const before = await changes();
      const cases: [Record<string, unknown>, string[]][] = [
        [{ serviceIds: [service.id, outsider.id] }, ['serviceIds.1']],
        [{ affectedCis: ['srv-db-02', 'app-erp'] }, ['affectedCis.1']],
        [{ implementationPlan: 'Whatever I like, pre-approved' }, ['implementationPlan']],
        [{ backoutPlan: 'None' }, ['backoutPlan']],
      ];
      for (const [overrides, expected] of cases) {
        const response = await raise({ ...standard, ...overrides }, service.id);
        expect([expected, response.status, response.headers['content-type']]).toEqual([expected, 400, expect.stringMatching(/application\/problem\+json/)]);
        expect(fields(response)).toEqual(expected);
      }
      expect(await changes()).toBe(before);

      // Inside the template, the change carries the template's plans.
      const within = await raise({ ...standard, affectedCis: ['srv-db-02'], submit: false }, service.id);
      expect(within.status).toBe(201);
      const template = await h.db.prisma.standardChangeTemplate.findUniqueOrThrow({ where: { id: standard.templateId } });
      expect(within.body).toMatchObject({ type: 'standard', implementationPlan: template.implementationPlan, backoutPlan: template.backoutPlan });
    });

    it('riskier than the template allows, a standard change is not pre-approved: it goes to the CAB as a normal change, and its cost is not approved', async () => {
      const service = await changeTestService(h);
      const standard = await standardChange(h, service.id, { maxRisk: 'low' });
      const change = await raiseChange(h, service.id, { ...standard, riskAnswers: HIGH_RISK });
      await waitForChangeState(h, change.id, 'approval');
      const record = await h.db.prisma.changeRequest.findUniqueOrThrow({ where: { id: change.id } });
      expect(record).toMatchObject({ type: 'normal', riskLevel: 'high', costApprovedAt: null, scheduledStart: null });
      expect(record.approvalPlan).toMatchObject({ kind: 'stages', approvedAs: 'normal', stages: [expect.objectContaining({ board: 'CAB', reason: expect.stringMatching(/risk high is above the low the template/) })] });
      const assessed = await h.db.prisma.changeEvent.findFirstOrThrow({ where: { changeId: change.id, type: 'assessed' } });
      expect(assessed.data).toMatchObject({ plan: 'stages', type: 'normal' });
      expect(await h.temporal.workflow.getHandle(change.workflowId).query(changeStatusQuery)).toMatchObject({ state: 'approval', type: 'normal', riskLevel: 'high' });
      // Approved by the CAB like any normal change; and, like one, it will be reviewed after implementation.
      expect((await decide(h, change.id, 'cab1', 'approve')).body).toMatchObject({ state: 'approved', type: 'normal' });
    });
  });

  describe('only its requester or a manager moves a draft (item 12)', () => {
    it("another agent, a CAB member or an auditor cannot submit or cancel someone else's draft", async () => {
      const service = await changeTestService(h);
      const draft = await raiseChange(h, service.id, { submit: false });
      for (const role of ['agent', 'cab1', 'auditor'] as DemoRole[]) {
        for (const [verb, body] of [['submit', {}], ['cancel', { reason: 'Not wanted by me' }]] as const) {
          const refused = await h.http.post(`/api/changes/${draft.id}/${verb}`).set(h.as(role)).send(body);
          expect([role, verb, refused.status, refused.headers['content-type']]).toEqual([role, verb, 403, expect.stringMatching(/application\/problem\+json/)]);
          expect(refused.body.detail).toMatch(/only the requester of change CHG-\d+ or a manager/);
        }
      }
      const record = await h.db.prisma.changeRequest.findUniqueOrThrow({ where: { id: draft.id } });
      expect(record.state).toBe('draft');
      expect((await h.db.prisma.changeEvent.findMany({ where: { changeId: draft.id } })).map((e) => e.type)).toEqual(['created']);
      expect((await h.temporal.workflow.getHandle(draft.workflowId).query(changeStatusQuery)).state).toBe('draft');

      expect((await h.http.post(`/api/changes/${draft.id}/submit`).set(h.as('manager')).send({})).status).toBe(200);
      await waitForChangeState(h, draft.id, 'approval');
    });
  });

  describe('a decision is bound to its approval level (item 9)', () => {
    it('a level-1 link posted when the change is at level 2 is refused with 409, and nothing is recorded at level 2', async () => {
      await configureBoard(h, 'CAB', { members: ['manager', 'cab1', 'cab2'], quorum: { rule: 'any' }, decisionSeconds: 3_600, secondLevel: { board: 'CM', costAbove: 100, riskAtLeast: null } });
      // Wang Fang sits on both boards: her level-1 link must not decide level 2.
      await configureBoard(h, 'CM', { members: ['cab1', 'admin'], quorum: { rule: 'any' }, chair: 'admin', decisionSeconds: 3_600 });
      const service = await changeTestService(h);
      const change = await raiseChange(h, service.id, { estimatedCost: 5_000 });
      await waitForChangeState(h, change.id, 'approval');
      const levelOneLink = await eventually(async () => {
        const mail = (await changeMails(change.id)).find((m) => m.headers['x-itsm-kind'] === 'approval-request' && m.to[0].address === 'wang.fang@itsm.local');
        if (!mail) throw new Error('no level-1 request to Wang Fang yet');
        return LINK.exec(mail.text ?? '')![1];
      });
      expect((await decide(h, change.id, 'manager', 'approve')).body).toMatchObject({ state: 'approval', stage: expect.objectContaining({ level: 2 }) });
      const approvals = () => h.db.prisma.changeApproval.findMany({ where: { changeId: change.id }, orderBy: { level: 'asc' } });
      const before = await approvals();
      expect(before.map((a) => [a.level, a.approverId])).toEqual([[1, h.userIds.manager]]);

      const posted = await h.http.post(levelOneLink).type('form').send({ decision: 'approve', comment: 'Looks fine' });
      expect(posted.status).toBe(409);
      expect(posted.text).toMatch(/for approval level 1, but the change is now at level 2/);
      expect(await approvals()).toEqual(before);
      const live = await h.temporal.workflow.getHandle(change.workflowId).query(changeStatusQuery);
      expect(live).toMatchObject({ state: 'approval', stage: expect.objectContaining({ level: 2, decisions: [] }) });

      // The API binds the level the same way when the caller says which one it saw.
      const stale = await h.http.post(`/api/changes/${change.id}/approve`).set(h.as('cab1')).send({ comment: 'as shown', level: 1 });
      expect([stale.status, stale.body.currentState]).toEqual([409, 'approval']);
      expect(await approvals()).toEqual(before);
      const current = await h.http.post(`/api/changes/${change.id}/approve`).set(h.as('cab1')).send({ level: 2 });
      expect(current.body.state).toBe('approved');
    });
  });
});
