import type { SqlDriverAdapterFactory, SqlQuery, SqlQueryable } from '@prisma/driver-adapter-utils';
import supertest from 'supertest';
import { createApp } from '../../api/app';
import { incidentView } from '../../api/incident-view';
import { loadEdgeSettings } from '../../config/env';
import type { Database } from '../../prisma/database';
import { PrismaClient } from '../../prisma/generated/client';
import { ItsmKind, ItsmPriority, ItsmService, ItsmState } from '../../temporal-config/search-attributes';
import { databaseKinds } from '../support/databases';
import { eventually, startHarness, type Harness } from '../support/harness';

/** The same database through an adapter that notes every statement it sends, transaction control included. */
function countingStatements(factory: SqlDriverAdapterFactory, statements: string[]): SqlDriverAdapterFactory {
  const noting = <T extends SqlQueryable>(queryable: T): T =>
    new Proxy(queryable, {
      get(target, key) {
        const value = Reflect.get(target, key, target);
        if (typeof value !== 'function') return value;
        if (key === 'queryRaw' || key === 'executeRaw') {
          return (query: SqlQuery) => {
            statements.push(query.sql);
            return value.call(target, query);
          };
        }
        if (key === 'startTransaction') {
          return async (...args: unknown[]) => {
            statements.push('BEGIN');
            return noting(await value.apply(target, args));
          };
        }
        return value.bind(target);
      },
    });
  return { provider: factory.provider, adapterName: factory.adapterName, connect: async () => noting(await factory.connect()) };
}

describe.each(databaseKinds())('incident intake on %s', (kind) => {
  let h: Harness;
  let emailServiceId: string;

  beforeAll(async () => {
    h = await startHarness(kind);
    emailServiceId = (await h.db.prisma.service.findUniqueOrThrow({ where: { code: 'EMAIL' } })).id;
  });
  afterAll(() => h?.close());

  async function countIncidents() {
    return h.db.prisma.incident.count();
  }

  it('writes the record, starts incident-<id> with search attributes and answers 201', async () => {
    const response = await h.http
      .post('/api/incidents')
      .set(h.as('requester'))
      .send({ title: 'Outlook cannot connect', description: 'Since 09:10, all of finance', impact: 'high', urgency: 'medium', serviceId: emailServiceId });
    expect(response.status).toBe(201);
    expect(response.body).toMatchObject({ priority: 'P2', state: 'new', title: 'Outlook cannot connect', requesterId: h.userIds.requester });
    expect(response.body.workflowId).toBe(`incident-${response.body.id}`);
    expect(response.body.reference).toMatch(/^INC-\d{6}$/);
    expect(response.headers.location).toBe(`/api/incidents/${response.body.id}`);

    const description = await h.temporal.workflow.getHandle(response.body.workflowId).describe();
    expect(description.type).toBe('incidentLifecycle');
    expect(description.status.name).toBe('RUNNING');
    expect(description.typedSearchAttributes.get(ItsmKind)).toBe('incident');
    expect(description.typedSearchAttributes.get(ItsmPriority)).toBe('P2');
    expect(description.typedSearchAttributes.get(ItsmState)).toBe('new');
    expect(description.typedSearchAttributes.get(ItsmService)).toBe('EMAIL');

    // The workflow's first activity writes the audit trail's first entry.
    const opened = await eventually(() => h.db.prisma.incidentEvent.findUniqueOrThrow({ where: { eventKey: `${response.body.id}:opened` } }));
    expect(opened).toMatchObject({ type: 'opened', toState: 'new', actorId: h.userIds.requester });
  });

  it('derives the priority from impact x urgency', async () => {
    const cases = [
      ['high', 'high', 'P1'],
      ['medium', 'medium', 'P3'],
      ['low', 'low', 'P4'],
    ] as const;
    for (const [impact, urgency, priority] of cases) {
      const response = await h.http.post('/api/incidents').set(h.as('agent')).send({ title: `Matrix ${impact}/${urgency}`, impact, urgency, serviceId: emailServiceId });
      expect(response.status).toBe(201);
      expect(response.body.priority).toBe(priority);
    }
  });

  it('lists with filters and keyset pagination, and shows one record', async () => {
    const all = await h.http.get('/api/incidents?limit=2').set(h.as('agent'));
    expect(all.status).toBe(200);
    expect(all.body.items).toHaveLength(2);
    expect(all.body.nextCursor).toEqual(expect.any(Number));
    const next = await h.http.get(`/api/incidents?limit=2&cursor=${all.body.nextCursor}`).set(h.as('agent'));
    expect(next.body.items[0].number).toBeLessThan(all.body.items[1].number);

    const p1 = await h.http.get('/api/incidents?priority=P1').set(h.as('agent'));
    expect(p1.body.items.length).toBeGreaterThan(0);
    expect(p1.body.items.every((i: { priority: string }) => i.priority === 'P1')).toBe(true);
    const byService = await h.http.get(`/api/incidents?state=new&serviceId=${emailServiceId}`).set(h.as('agent'));
    expect(byService.body.items.length).toBe(await countIncidents());

    const one = await h.http.get(`/api/incidents/${all.body.items[0].id}`).set(h.as('agent'));
    expect(one.status).toBe(200);
    expect(one.body.id).toBe(all.body.items[0].id);
  });

  it('shows requesters only their own incidents', async () => {
    const agentOnly = await h.http.post('/api/incidents').set(h.as('agent')).send({ title: 'Raised by an agent', impact: 'low', urgency: 'low', serviceId: emailServiceId });
    const mine = await h.http.get('/api/incidents').set(h.as('requester'));
    expect(mine.body.items.length).toBeGreaterThan(0);
    expect(mine.body.items.every((i: { requesterId: string }) => i.requesterId === h.userIds.requester)).toBe(true);
    const theirs = await h.http.get(`/api/incidents/${agentOnly.body.id}`).set(h.as('requester'));
    expect(theirs.status).toBe(404);
  });

  it('lists the service catalogue', async () => {
    const response = await h.http.get('/api/services').set(h.as('requester'));
    expect(response.status).toBe(200);
    expect(response.body.items.map((s: { code: string }) => s.code)).toEqual(['DESK', 'EMAIL', 'ERP', 'NET']);
  });

  describe('bad input writes nothing and starts no workflow', () => {
    let before: number;
    let workflowsBefore: number;

    async function countWorkflows() {
      const { count } = await h.temporal.workflow.count(`TaskQueue = "${h.taskQueue}"`);
      return count;
    }

    beforeEach(async () => {
      before = await countIncidents();
      workflowsBefore = await countWorkflows();
    });
    afterEach(async () => {
      expect(await countIncidents()).toBe(before);
      expect(await countWorkflows()).toBe(workflowsBefore);
    });

    const valid = () => ({ title: 'Printer on fire', impact: 'high', urgency: 'high', serviceId: emailServiceId });

    function expectProblem(response: { status: number; headers: Record<string, string>; body: Record<string, unknown> }, status: number) {
      expect(response.status).toBe(status);
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(response.body).toMatchObject({ status, type: expect.stringMatching(/^urn:itsm:problem:/), title: expect.any(String), detail: expect.any(String) });
    }

    it('malformed JSON -> 400', async () => {
      const response = await h.http.post('/api/incidents').set(h.as('requester')).set('content-type', 'application/json').send('{"title": "half');
      expectProblem(response, 400);
      expect(response.body.errors[0]).toMatchObject({ location: 'body', code: 'invalid_json' });
    });

    it('unknown enum value -> 400 naming the field', async () => {
      const response = await h.http.post('/api/incidents').set(h.as('requester')).send({ ...valid(), urgency: 'critical' });
      expectProblem(response, 400);
      expect(response.body.errors).toEqual([expect.objectContaining({ location: 'body', field: 'urgency' })]);
    });

    it('missing and unknown fields -> 400 naming each', async () => {
      const { title: _title, ...rest } = valid();
      const response = await h.http.post('/api/incidents').set(h.as('requester')).send({ ...rest, colour: 'red' });
      expectProblem(response, 400);
      expect(response.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['colour', 'title']);
    });

    it('unknown service -> 400 naming serviceId', async () => {
      const response = await h.http.post('/api/incidents').set(h.as('requester')).send({ ...valid(), serviceId: '00000000-0000-4000-8000-000000000000' });
      expectProblem(response, 400);
      expect(response.body.errors[0].field).toBe('serviceId');
    });

    it('missing token -> 401', async () => {
      const response = await h.http.post('/api/incidents').send(valid());
      expectProblem(response, 401);
      expect(response.headers['www-authenticate']).toMatch(/^Bearer/);
    });

    it('wrong token -> 401', async () => {
      const response = await h.http.post('/api/incidents').set('Authorization', 'Bearer itsm_not-a-real-token').send(valid());
      expectProblem(response, 401);
    });

    it('not a bearer scheme -> 401', async () => {
      const response = await h.http.post('/api/incidents').set('Authorization', `Basic ${Buffer.from('a:b').toString('base64')}`).send(valid());
      expectProblem(response, 401);
    });

    it('revoked token -> 401, at once although the API had just accepted (and cached) it', async () => {
      expect((await h.http.get('/api/incidents').set(h.as('agent2'))).status).toBe(200);
      for (const { id } of await h.db.prisma.apiToken.findMany({ where: { userId: h.userIds.agent2 } })) {
        expect((await h.http.post(`/api/tokens/${id}/revoke`).set(h.as('admin'))).status).toBe(200);
      }
      expectProblem(await h.http.post('/api/incidents').set(h.as('agent2')).send(valid()), 401);
    });
  });

  describe('round trips', () => {
    let api: ReturnType<typeof supertest>;
    let counted: Database;
    const statements: string[] = [];

    beforeAll(async () => {
      counted = { ...h.db, prisma: new PrismaClient({ adapter: countingStatements(h.db.adapterFactory, statements) }) };
      api = supertest(createApp({ ...h.apiDeps, prisma: counted.prisma, edge: { ...loadEdgeSettings(process.env), tokenCacheSeconds: 5 } }));
    });
    afterAll(() => counted?.prisma.$disconnect());

    async function intake(body: object) {
      statements.length = 0;
      const response = await api.post('/api/incidents').set(h.as('agent')).send({ impact: 'medium', urgency: 'low', serviceId: emailServiceId, ...body });
      expect(response.status).toBe(201);
      return { response, statements: [...statements] };
    }

    it('an intake with a cached token and no CIs costs two statements: the service with its sequence number, and the insert', async () => {
      const first = await intake({ title: 'Cold: the token is looked up and its use recorded' });
      expect(first.statements.length).toBeGreaterThan(2);
      const { response, statements: sql } = await intake({ title: 'Warm: two statements', category: 'mailbox' });
      expect(sql).toHaveLength(2);
      expect(sql[0]).toMatch(/nextval/);
      expect(sql[1]).toMatch(/^INSERT INTO "public"."Incident"/);

      // The answer is the row as written, without reading it back: the same as the stored row says.
      const stored = await h.db.prisma.incident.findUniqueOrThrow({ where: { id: response.body.id } });
      const { slaPolicy: _policy, responseDueAt: _response, resolutionDueAt: _resolution, updatedAt: _updated, ...asWritten } = incidentView(stored);
      expect(response.body).toMatchObject({ ...asWritten, slaPolicy: null, responseDueAt: null, resolutionDueAt: null, updatedAt: asWritten.createdAt });
      expect(Object.keys(response.body).sort()).toEqual(Object.keys(incidentView(stored)).sort());
      expect(response.body).toMatchObject({ priority: 'P4', state: 'new', category: 'mailbox', channel: 'api', loggedById: null, requesterId: h.userIds.agent, groupId: expect.any(String) });
    });

    it('named CIs are still resolved and linked, in one more read and one transaction', async () => {
      const ci = await h.db.prisma.configurationItem.findFirstOrThrow({ orderBy: { code: 'asc' } });
      const { response, statements: sql } = await intake({ title: 'With a CI', cis: [ci.code] });
      expect(await h.db.prisma.incidentCi.findMany({ where: { incidentId: response.body.id } })).toEqual([{ incidentId: response.body.id, ciId: ci.id }]);
      expect(sql.filter((statement) => /INSERT INTO "public"."IncidentCi"/.test(statement))).toHaveLength(1);
    });
  });

  it('a GET of an unknown incident is 404 problem+json, a malformed id 400', async () => {
    const missing = await h.http.get('/api/incidents/00000000-0000-4000-8000-000000000000').set(h.as('agent'));
    expect(missing.status).toBe(404);
    const malformed = await h.http.get('/api/incidents/42').set(h.as('agent'));
    expect(malformed.status).toBe(400);
    expect(malformed.body.errors[0]).toMatchObject({ location: 'params', field: 'id' });
  });

  it('query filters are validated', async () => {
    const response = await h.http.get('/api/incidents?priority=P9&limit=0').set(h.as('agent'));
    expect(response.status).toBe(400);
    expect(response.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['limit', 'priority.0']);
  });

  it('users list is for managers and admins only (403 otherwise)', async () => {
    expect((await h.http.get('/api/users').set(h.as('manager'))).status).toBe(200);
    const forbidden = await h.http.get('/api/users').set(h.as('requester'));
    expect(forbidden.status).toBe(403);
    expect(forbidden.body.detail).toMatch(/manager, admin/);
    expect((await h.http.get('/api/users')).status).toBe(401);
  });
});
