import type { Db } from '../prisma/database';
import type { Prisma } from '../prisma/generated/client';

export interface ImpactedCi {
  id: string;
  code: string;
  name: string;
  type: string;
  status: string;
  /** Fewest relationships between a starting CI and this one. */
  depth: number;
  service: { id: string; code: string; name: string } | null;
}

export interface ImpactAnalysis {
  rootIds: string[];
  depth: number;
  /** What fails when the starting CIs fail: their dependants, and the wholes they are part of. */
  downstream: { cis: ImpactedCi[]; services: ImpactedCi['service'][] };
  /** What the starting CIs rely on. */
  upstream: { cis: ImpactedCi[]; services: ImpactedCi['service'][] };
}

interface Row {
  direction: 'downstream' | 'upstream';
  id: string;
  code: string;
  name: string;
  type: string;
  status: string;
  depth: number;
  serviceId: string | null;
  serviceCode: string | null;
  serviceName: string | null;
}

/**
 * Impact analysis in one recursive query. Each relationship is read as "supporter → dependant": A depends_on,
 * runs_on or connected_to B (the network side) makes B A's supporter; A part_of B makes A B's supporter.
 * Downstream walks from supporters to dependants, upstream the other way. The walk keeps one row per CI,
 * direction and depth (UNION drops the rest), so a cycle can cost at most `depth` revisits and never loops.
 */
export async function impactOf(db: Db | Prisma.TransactionClient, rootIds: string[], depth: number): Promise<ImpactAnalysis> {
  const rows = await db.$queryRaw<Row[]>`
    WITH RECURSIVE edge(supporter, dependant) AS (
      SELECT "targetId", "sourceId" FROM "CiRelationship" WHERE type IN ('depends_on', 'runs_on', 'connected_to')
      UNION
      SELECT "sourceId", "targetId" FROM "CiRelationship" WHERE type = 'part_of'
    ),
    walk(ci, direction, depth) AS (
      SELECT root, direction, 0
        FROM unnest(${rootIds}::uuid[]) AS root CROSS JOIN (VALUES ('downstream'), ('upstream')) AS d(direction)
      UNION
      SELECT CASE WHEN w.direction = 'downstream' THEN e.dependant ELSE e.supporter END, w.direction, w.depth + 1
        FROM walk w
        JOIN edge e ON (w.direction = 'downstream' AND e.supporter = w.ci) OR (w.direction = 'upstream' AND e.dependant = w.ci)
       WHERE w.depth < ${depth}
    )
    SELECT w.direction, ci.id, ci.code, ci.name, ci.type::text AS type, ci.status::text AS status, min(w.depth)::int AS depth,
           s.id AS "serviceId", s.code AS "serviceCode", s.name AS "serviceName"
      FROM walk w
      JOIN "ConfigurationItem" ci ON ci.id = w.ci
      LEFT JOIN "Service" s ON s.id = ci."serviceId"
     WHERE w.ci <> ALL(${rootIds}::uuid[])
     GROUP BY w.direction, ci.id, s.id
     ORDER BY w.direction, depth, ci.code`;
  const side = (direction: Row['direction']) => {
    const cis = rows
      .filter((row) => row.direction === direction)
      .map(({ id, code, name, type, status, depth: d, serviceId, serviceCode, serviceName }) => ({
        id,
        code,
        name,
        type,
        status,
        depth: d,
        service: serviceId ? { id: serviceId, code: serviceCode!, name: serviceName! } : null,
      }));
    return { cis, services: cis.filter((ci) => ci.service !== null).map((ci) => ci.service) };
  };
  return { rootIds, depth, downstream: side('downstream'), upstream: side('upstream') };
}
