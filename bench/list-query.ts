import type { Database } from '../prisma/database';
import { summary } from './stats';

/**
 * Fills a database with `rows` incidents in one INSERT ... SELECT (generate_series) and times the list query
 * the API runs (`GET /api/incidents` with filters and keyset pagination) over `samples` varied requests.
 */
export async function benchListQuery(db: Database, rows: number, samples: number) {
  const service = await db.prisma.service.findFirstOrThrow();
  // By e-mail: pglite-prisma-adapter sends a `has` filter on an enum array as a malformed array literal.
  const requester = await db.prisma.user.findUniqueOrThrow({ where: { email: 'riley.requester@itsm.local' } });
  const fillStarted = performance.now();
  await db.prisma.$executeRawUnsafe(`
    INSERT INTO "Incident" (id, "workflowId", title, description, impact, urgency, priority, state, "serviceId", "requesterId", "createdAt", "updatedAt")
    SELECT gen_random_uuid(), 'bench-' || n, 'Bench incident ' || n, '', 'low', 'low',
           (ARRAY['P1','P2','P3','P4'])[1 + n % 4]::"Priority",
           (ARRAY['new','assigned','in_progress','pending','resolved','closed'])[1 + n % 6]::"IncidentState",
           '${service.id}'::uuid, '${requester.id}'::uuid, now() - (n || ' seconds')::interval, now()
    FROM generate_series(1, ${rows}) AS n`);
  const fillMs = performance.now() - fillStarted;
  await db.prisma.$executeRawUnsafe('ANALYZE "Incident"');
  const maxNumber = (await db.prisma.incident.aggregate({ _max: { number: true } }))._max.number ?? rows;
  const filters = [
    {},
    { state: { in: ['new', 'assigned'] as const } },
    { priority: { in: ['P1'] as const } },
    { serviceId: service.id, state: { in: ['in_progress'] as const } },
    { requesterId: requester.id },
  ];
  const timings: number[] = [];
  for (let i = 0; i < samples; i++) {
    const where = { ...filters[i % filters.length], ...(i % 3 === 0 ? { number: { lt: Math.floor(maxNumber * ((i % 97) / 97)) + 1 } } : {}) };
    const started = performance.now();
    await db.prisma.incident.findMany({ where: where as never, orderBy: { number: 'desc' }, take: 51 });
    timings.push(performance.now() - started);
  }
  return { rows, fillSeconds: Math.round(fillMs / 100) / 10, latencyMs: summary(timings) };
}
