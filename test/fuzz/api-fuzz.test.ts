import { startHarness, type Harness } from '../support/harness';
import { workflowExistsIn } from '../support/workflows';
import { fieldNamesFromOpenApi, fuzzApi, halfWrittenRecords, requestArbitrary, routesFromOpenApi, type Send } from './api-fuzz';

// A small fixed-seed slice of `npm run fuzz` (which sends 10,000+ requests); same generator, same checks.
describe('API fuzzing (fixed seed)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness('pglite');
  });
  afterAll(() => h?.close());

  it('no generated request gets a 5xx, every error is problem+json, and nothing is half-written', async () => {
    const document = (await h.http.get('/openapi.json')).body;
    const service = await h.db.prisma.service.findFirstOrThrow();
    const incident = await h.http.post('/api/incidents').set(h.as('admin')).send({ title: 'Fuzz target', impact: 'low', urgency: 'low', serviceId: service.id });
    const ids = [incident.body.id, service.id, (await h.db.prisma.businessCalendar.findFirstOrThrow()).id, (await h.db.prisma.slaPolicy.findFirstOrThrow()).id];
    const send: Send = async ({ method, path, headers, body }) => {
      let request = (h.http as unknown as Record<string, (p: string) => import('supertest').Test>)[method.toLowerCase()](path);
      for (const [name, value] of Object.entries(headers)) request = request.set(name, value);
      const response = body === undefined ? await request : await request.send(body);
      return { status: response.status, contentType: String(response.headers['content-type'] ?? '') };
    };
    const report = await fuzzApi(send, requestArbitrary(routesFromOpenApi(document), fieldNamesFromOpenApi(document), ids, h.tokens.admin), { runs: 400, seed: 20261124 });
    expect(report.serverErrors).toBe(0);
    expect(report.requests).toBe(400);
    // The generator reaches the handlers, not just the validators.
    expect(Object.keys(report.byStatus).map(Number)).toEqual(expect.arrayContaining([200, 400, 401, 404]));

    expect(await halfWrittenRecords(h.db.prisma, workflowExistsIn(h.temporal))).toEqual([]);
  }, 300_000);
});
