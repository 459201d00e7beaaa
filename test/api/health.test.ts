import { Client, Connection } from '@temporalio/client';
import pino from 'pino';
import supertest from 'supertest';
import { createMailer } from '../../records/mail/mailer';
import { createApp } from '../../api/app';
import { startHarness, type Harness } from '../support/harness';

describe('health, readiness and API documents', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness('pglite');
  });
  afterAll(() => h?.close());

  it('/healthz answers without a token', async () => {
    const response = await h.http.get('/healthz');
    expect(response.status).toBe(200);
    expect(response.body.status).toBe('ok');
  });

  it('/readyz probes the database, Temporal and SMTP for real; administrators see the latencies', async () => {
    const response = await h.http.get('/readyz');
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ status: 'ready', components: { database: { status: 'up' }, temporal: { status: 'up' }, smtp: { status: 'up' } } });
    const detailed = await h.http.get('/readyz').set(h.as('admin'));
    for (const component of ['database', 'temporal', 'smtp']) {
      expect(detailed.body.components[component]).toEqual({ status: 'up', latencyMs: expect.any(Number) });
    }
  });

  it('/readyz answers 503 and names the component that is down; only administrators read why', async () => {
    const deadMailer = createMailer('smtp://127.0.0.1:1', 'x@test.local');
    const http = supertest(createApp({ ...h.apiDeps, mailer: deadMailer, logger: pino({ level: 'silent' }) }));
    const response = await http.get('/readyz');
    const detailed = await http.get('/readyz').set(h.as('admin'));
    deadMailer.close();
    expect(response.status).toBe(503);
    expect(response.body.components).toEqual({ database: { status: 'up' }, temporal: { status: 'up' }, smtp: { status: 'down' } });
    expect(detailed.status).toBe(503);
    expect(detailed.body.components.smtp).toEqual({ status: 'down', latencyMs: expect.any(Number), error: expect.stringMatching(/ECONNREFUSED|127\.0\.0\.1/) });
  });

  it('intake answers 503 and writes nothing when Temporal cannot be reached', async () => {
    const unreachable = new Client({ connection: Connection.lazy({ address: '127.0.0.1:1', connectTimeout: 1_000 }) });
    const app = createApp({ ...h.apiDeps, temporal: unreachable, logger: pino({ level: 'silent' }) });
    const before = await h.db.prisma.incident.count();
    const service = await h.db.prisma.service.findFirstOrThrow();
    const response = await supertest(app).post('/api/incidents').set(h.as('requester')).send({ title: 'Mail is down', impact: 'high', urgency: 'high', serviceId: service.id });
    expect(response.status).toBe(503);
    expect(response.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(await h.db.prisma.incident.count()).toBe(before);
    await unreachable.connection.close();
  });

  it('/openapi.json is generated from the route schemas', async () => {
    const response = await h.http.get('/openapi.json');
    expect(response.status).toBe(200);
    expect(response.body.openapi).toBe('3.1.0');
    const create = response.body.paths['/api/incidents'].post;
    expect(create.requestBody.content['application/json'].schema.$ref).toBe('#/components/schemas/CreateIncident');
    expect(response.body.components.schemas.CreateIncident.properties.impact.enum).toEqual(['high', 'medium', 'low']);
    expect(Object.keys(response.body.paths['/api/incidents/{id}'])).toEqual(['get']);
    expect(create.responses['401'].content['application/problem+json']).toBeDefined();
  });

  it('/docs serves the interactive documentation', async () => {
    const response = await h.http.get('/docs/').redirects(1);
    expect(response.status).toBe(200);
    expect(response.text).toContain('swagger-ui');
  });

  it('unknown paths are 404 problem+json', async () => {
    const response = await h.http.get('/nowhere');
    expect(response.status).toBe(404);
    expect(response.headers['content-type']).toMatch(/application\/problem\+json/);
  });
});
