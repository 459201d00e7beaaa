import supertest from 'supertest';
import { createApp } from '../../api/app';
import { startHarness, type Harness } from '../support/harness';

describe('an incident links to its workflow in the Temporal UI', () => {
  let h: Harness;
  let serviceId: string;
  beforeAll(async () => {
    h = await startHarness('pglite');
    serviceId = (await h.db.prisma.service.findUniqueOrThrow({ where: { code: 'EMAIL' } })).id;
  });
  afterAll(() => h?.close());

  it("answers GET /api/incidents/:id with the workflow's id and its page in the UI the API was given", async () => {
    const withUi = supertest(createApp({ ...h.apiDeps, temporalUiUrl: 'http://temporal-ui.example:8233/' }));
    const { body: incident } = await withUi.post('/api/incidents').set(h.as('requester')).send({ title: 'Calendar invites vanish', impact: 'low', urgency: 'low', serviceId }).expect(201);

    const { body } = await withUi.get(`/api/incidents/${incident.id}`).set(h.as('agent')).expect(200);
    expect(body.workflow).toEqual({ id: incident.workflowId, temporalUiUrl: `http://temporal-ui.example:8233/namespaces/default/workflows/${incident.workflowId}` });
    await h.temporal.workflow.getHandle(body.workflow.id).terminate('test over');
  });

  it('answers with a null UI link when the API was not told where the UI is', async () => {
    const { body: incident } = await h.http.post('/api/incidents').set(h.as('requester')).send({ title: 'Calendar invites vanish', impact: 'low', urgency: 'low', serviceId }).expect(201);
    const { body } = await h.http.get(`/api/incidents/${incident.id}`).set(h.as('requester')).expect(200);
    expect(body.workflow).toEqual({ id: incident.workflowId, temporalUiUrl: null });
    await h.temporal.workflow.getHandle(incident.workflowId).terminate('test over');
  });
});
