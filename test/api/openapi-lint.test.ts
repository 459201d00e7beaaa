import { readFileSync } from 'node:fs';
import { lintOpenApi, OPENAPI_TYPES_FILE, openApiTypes, type OpenApiDocument } from '../../scripts/openapi';
import { startHarness, type Harness } from '../support/harness';

// What client generators are given: /openapi.json as a real server serves it.
describe('/openapi.json', () => {
  let h: Harness;
  let document: OpenApiDocument;
  beforeAll(async () => {
    h = await startHarness('pglite');
    document = (await h.http.get('/openapi.json').expect(200)).body;
  });
  afterAll(() => h?.close());

  it('passes Redocly lint (redocly.yaml) without an error or a warning', async () => {
    const { totals, problems } = await lintOpenApi(document);
    expect(problems.map((problem) => `${problem.severity} ${problem.ruleId}: ${problem.message} (${problem.location[0]?.pointer})`)).toEqual([]);
    expect(totals).toMatchObject({ errors: 0, warnings: 0 });
  });

  it('gives every operation its own operationId', () => {
    const operationIds = Object.values(document.paths).flatMap((methods) => Object.values(methods).map((operation) => operation.operationId));
    expect(operationIds.length).toBeGreaterThanOrEqual(100);
    expect(operationIds.filter((id) => !id)).toEqual([]);
    expect(operationIds.filter((id, index) => operationIds.indexOf(id) !== index)).toEqual([]);
  });

  it("names the deployment's public URL as its server", () => {
    expect(document.servers).toEqual([{ url: h.baseUrl }]);
  });

  it('is what the committed client types were generated from (else: npm run openapi:types)', async () => {
    const committed = readFileSync(OPENAPI_TYPES_FILE, 'utf8').split('\n');
    const generated = (await openApiTypes(document)).split('\n');
    const line = generated.findIndex((text, index) => text !== committed[index]);
    // The first stale line, not a diff of thousands.
    expect({ line: line + 1, generated: generated[line], committed: committed[line] }).toEqual({ line: 0, generated: undefined, committed: undefined });
    expect(committed.length).toBe(generated.length);
  });
});
