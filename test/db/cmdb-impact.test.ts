import { impactOf } from '../../records/ci-impact';
import type { Database, Db } from '../../prisma/database';
import { databaseKinds, freshDatabase } from '../support/databases';

// A graph with two cycles (app ⇄ cache, and host ⇄ switch: the host is connected to the switch, whose
// management depends on the host), so a walk that did not guard against cycles would never end.
const CIS = ['svc', 'app', 'cache', 'vm', 'host', 'disk', 'switch', 'host2', 'vm2', 'app2', 'island'] as const;
const RELATIONSHIPS: [string, 'depends_on' | 'runs_on' | 'connected_to' | 'part_of', string][] = [
  ['svc', 'depends_on', 'app'],
  ['app', 'depends_on', 'cache'],
  ['cache', 'depends_on', 'app'],
  ['app', 'runs_on', 'vm'],
  ['vm', 'runs_on', 'host'],
  ['disk', 'part_of', 'host'],
  ['host', 'connected_to', 'switch'],
  ['switch', 'depends_on', 'host'],
  ['host2', 'connected_to', 'switch'],
  ['vm2', 'runs_on', 'host2'],
  ['app2', 'depends_on', 'vm2'],
];

describe.each(databaseKinds())('CMDB impact analysis on %s', (kind) => {
  let db: Database;
  const ids: Record<string, string> = {};
  let serviceId: string;
  beforeAll(async () => {
    db = await freshDatabase(kind);
    serviceId = (await db.prisma.service.create({ data: { code: 'IMPACT', name: 'Impact test service' } })).id;
    for (const code of CIS) {
      const ci = await db.prisma.configurationItem.create({ data: { code: `t-${code}`, name: code, type: code === 'svc' ? 'service' : 'other', serviceId: code === 'svc' ? serviceId : undefined } });
      ids[code] = ci.id;
    }
    await db.prisma.ciRelationship.createMany({ data: RELATIONSHIPS.map(([source, type, target]) => ({ sourceId: ids[source], type, targetId: ids[target] })) });
  });
  afterAll(() => db?.close());

  const depths = (cis: { name: string; depth: number }[]) => Object.fromEntries(cis.map((ci) => [ci.name, ci.depth]));

  it('returns exactly what a failing host takes down and what it relies on, each at its shortest distance', async () => {
    const impact = await impactOf(db.prisma, [ids.host], 5);
    expect(depths(impact.downstream.cis)).toEqual({ vm: 1, switch: 1, app: 2, host2: 2, svc: 3, cache: 3, vm2: 3, app2: 4 });
    expect(impact.downstream.services).toEqual([{ id: serviceId, code: 'IMPACT', name: 'Impact test service' }]);
    expect(depths(impact.upstream.cis)).toEqual({ disk: 1, switch: 1 });
    expect(impact.upstream.services).toEqual([]);
  });

  it('stops at the requested depth and never lists the starting CI, even on a cycle back to it', async () => {
    expect(depths((await impactOf(db.prisma, [ids.host], 2)).downstream.cis)).toEqual({ vm: 1, switch: 1, app: 2, host2: 2 });
    const fromApp = await impactOf(db.prisma, [ids.app], 10);
    expect(depths(fromApp.downstream.cis)).toEqual({ svc: 1, cache: 1 });
    expect(depths(fromApp.upstream.cis)).toEqual({ cache: 1, vm: 1, host: 2, disk: 3, switch: 3 });
    expect(await impactOf(db.prisma, [ids.island], 10)).toMatchObject({ downstream: { cis: [], services: [] }, upstream: { cis: [], services: [] } });
  });

  it('answers with one query per call', async () => {
    let queries = 0;
    const counted = db.prisma.$extends({
      query: {
        $allOperations({ args, query }) {
          queries++;
          return query(args);
        },
      },
    });
    const impact = await impactOf(counted as unknown as Db, [ids.host, ids.app2], 5);
    expect(impact.downstream.cis.length).toBeGreaterThan(0);
    expect(queries).toBe(1);
  });
});
