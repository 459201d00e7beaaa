import { startHarness, type Harness } from '../support/harness';

// Every documented endpoint refuses a request without a token; new routes are covered the moment they exist.
describe('every API endpoint requires a bearer token', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness('pglite');
  });
  afterAll(() => h?.close());

  it('answers 401 problem+json without a token and with a bad one, on every path and method', async () => {
    const document = (await h.http.get('/openapi.json')).body as { paths: Record<string, Record<string, unknown>> };
    const routes = Object.entries(document.paths).flatMap(([path, methods]) => Object.keys(methods).map((method) => [method, path.replace(/\{[^}]+\}/g, '00000000-0000-4000-8000-000000000000')] as const));
    expect(routes.length).toBeGreaterThanOrEqual(20);
    for (const [method, path] of routes) {
      for (const header of [undefined, 'Bearer itsm_forged']) {
        const request = (h.http as unknown as Record<string, (p: string) => import('supertest').Test>)[method](path);
        if (header) request.set('Authorization', header);
        const response = await request.send({});
        expect([method, path, response.status, response.headers['content-type']?.split(';')[0]]).toEqual([method, path, 401, 'application/problem+json']);
      }
    }
  });

  it('shows received mail to managers and administrators only (it names senders and carries their text)', async () => {
    const statuses = [];
    for (const role of ['requester', 'agent', 'auditor', 'manager', 'admin'] as const) statuses.push([role, (await h.http.get('/api/inbound-mail').set(h.as(role))).status]);
    expect(statuses).toEqual([['requester', 403], ['agent', 403], ['auditor', 403], ['manager', 200], ['admin', 200]]);
  });
});
