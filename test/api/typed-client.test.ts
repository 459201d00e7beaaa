import createClient, { type Client, type Middleware } from 'openapi-fetch';
import type { paths } from '../../api/generated/openapi';
import { startHarness, type DemoRole, type Harness } from '../support/harness';

type Schema = { $ref?: string; type?: string | string[]; required?: string[]; properties?: Record<string, Schema>; items?: Schema };
type Operation = { responses: Record<string, { content?: Record<string, { schema: Schema }> }> };
type Document = { paths: Record<string, Record<string, Operation>>; components: { schemas: Record<string, Schema> } };

/** Where `value` lacks a property its schema requires (objects and arrays all the way down). */
function missingRequired(document: Document, schema: Schema, value: unknown, at: string): string[] {
  const resolved = schema.$ref ? document.components.schemas[schema.$ref.replace('#/components/schemas/', '')] : schema;
  const types = [resolved.type].flat();
  if (types.includes('array') && Array.isArray(value)) return value.flatMap((item, index) => missingRequired(document, resolved.items ?? {}, item, `${at}[${index}]`));
  if (!types.includes('object') || typeof value !== 'object' || value === null) return [];
  const record = value as Record<string, unknown>;
  return [
    ...(resolved.required ?? []).filter((name) => !(name in record)).map((name) => `${at}.${name}`),
    ...Object.entries(resolved.properties ?? {}).flatMap(([name, property]) => (name in record ? missingRequired(document, property, record[name], `${at}.${name}`) : [])),
  ];
}

/** Every answer must be one the document declares for its operation, in the declared media type and shape. */
function conformsTo(document: Document, checked: string[]): Middleware {
  return {
    async onResponse({ request, response, schemaPath }) {
      const operation = `${request.method} ${schemaPath}`;
      checked.push(`${operation} ${response.status}`);
      const declared = document.paths[schemaPath]?.[request.method.toLowerCase()]?.responses ?? {};
      expect([operation, response.status, Object.keys(declared).includes(String(response.status))]).toEqual([operation, response.status, true]);
      const [mediaType, content] = Object.entries(declared[response.status].content ?? {})[0] ?? [];
      if (!content) return;
      expect([operation, response.headers.get('content-type')?.split(';')[0]]).toEqual([operation, mediaType]);
      expect([operation, missingRequired(document, content.schema, await response.clone().json(), 'body')]).toEqual([operation, []]);
    },
  };
}

// A client typed from the committed document drives the real server: a path, parameter or body the document no
// longer has fails the type-check, and an answer the document does not describe fails here.
describe('a client generated from /openapi.json', () => {
  let h: Harness;
  let as: (role: DemoRole) => Client<paths>;
  const checked: string[] = [];
  beforeAll(async () => {
    h = await startHarness('pglite');
    const document = (await h.http.get('/openapi.json').expect(200)).body as Document;
    as = (role) => {
      const client = createClient<paths>({ baseUrl: h.baseUrl, headers: h.as(role) });
      client.use(conformsTo(document, checked));
      return client;
    };
  });
  afterAll(() => h?.close());

  it('raises, reads, assigns and resolves an incident, and gets the documented 400, 403 and 404', async () => {
    const requester = as('requester');
    const agent = as('agent');

    const services = await requester.GET('/api/services');
    const desk = services.data?.items.find((service) => service.code === 'DESK');
    expect(desk).toBeDefined();

    const raised = await requester.POST('/api/incidents', { body: { title: 'Laptop will not boot', impact: 'low', urgency: 'medium', serviceId: desk!.id } });
    expect(raised.response.status).toBe(201);
    const id = raised.data!.id;

    const read = await requester.GET('/api/incidents/{id}', { params: { path: { id } } });
    expect(read.data).toMatchObject({ id, title: 'Laptop will not boot', impact: 'low' });

    const assigned = await agent.POST('/api/incidents/{id}/assign', { params: { path: { id } }, body: { assigneeId: h.userIds.agent } });
    expect(assigned.data).toMatchObject({ state: 'assigned', assigneeId: h.userIds.agent });

    const resolved = await agent.POST('/api/incidents/{id}/resolve', { params: { path: { id } }, body: { code: 'replaced', summary: 'New SSD fitted' } });
    expect(resolved.data?.state).toBe('resolved');

    const tooShort = await requester.POST('/api/incidents', { body: { title: 'x', impact: 'low', urgency: 'medium', serviceId: desk!.id } });
    expect([tooShort.response.status, tooShort.error?.errors?.map((issue) => issue.field)]).toEqual([400, ['title']]);

    const notStaff = await requester.POST('/api/incidents/{id}/assign', { params: { path: { id } }, body: { assigneeId: h.userIds.requester } });
    expect([notStaff.response.status, notStaff.error?.status]).toEqual([403, 403]);

    const unknown = await requester.GET('/api/incidents/{id}', { params: { path: { id: '00000000-0000-4000-8000-000000000000' } } });
    expect([unknown.response.status, unknown.error?.status]).toEqual([404, 404]);
    expect(checked).toEqual([
      'GET /api/services 200',
      'POST /api/incidents 201',
      'GET /api/incidents/{id} 200',
      'POST /api/incidents/{id}/assign 200',
      'POST /api/incidents/{id}/resolve 200',
      'POST /api/incidents 400',
      'POST /api/incidents/{id}/assign 403',
      'GET /api/incidents/{id} 404',
    ]);
  });
});
