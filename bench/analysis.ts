import type { Database } from '../prisma/database';
import { summary } from './stats';

/**
 * When an audit event was written: `recordedAt`, the database's clock at the insert. Before that column existed
 * only `at` was there, the workflow's time of the event, which hides how long the write waited.
 */
export async function eventWriteTimeColumn(db: Database): Promise<'recordedAt' | 'at'> {
  const rows = await db.prisma.$queryRaw<{ present: boolean }[]>`SELECT EXISTS (SELECT 1 FROM information_schema.columns WHERE table_name = 'IncidentEvent' AND column_name = 'recordedAt') AS present`;
  return rows[0].present ? 'recordedAt' : 'at';
}

interface WrittenEvent {
  writtenAt: Date;
  dueAt: string | null;
}

/** The service's events of the given type pattern (SQL LIKE) with their write time and, for SLA events, due time. */
async function serviceEvents(db: Database, column: 'recordedAt' | 'at', serviceId: string, typePattern: string): Promise<WrittenEvent[]> {
  // The column name is one of two fixed identifiers; the values are bound.
  return db.prisma.$queryRawUnsafe<WrittenEvent[]>(
    `SELECT e."${column}" AS "writtenAt", e.data->>'dueAt' AS "dueAt"
       FROM "IncidentEvent" e JOIN "Incident" i ON i.id = e."incidentId"
      WHERE i."serviceId" = $1::uuid AND e.type LIKE $2`,
    serviceId,
    typePattern,
  );
}

/** Incidents of the service whose opening (audit event, deadlines) was written within [from, to], per second. */
export async function openingsPerSecond(db: Database, column: 'recordedAt' | 'at', serviceId: string, from: number, to: number): Promise<number> {
  const opened = await serviceEvents(db, column, serviceId, 'opened');
  const within = opened.filter((event) => event.writtenAt.getTime() >= from && event.writtenAt.getTime() <= to).length;
  return Math.round((within / ((to - from) / 1000)) * 10) / 10;
}

/** Write time minus due time of the service's SLA events due within [dueFrom, dueTo], in ms. */
export async function slaLateness(db: Database, column: 'recordedAt' | 'at', serviceId: string, dueFrom: number, dueTo: number) {
  const events = await serviceEvents(db, column, serviceId, 'sla.%');
  const lateness = events.flatMap((event) => {
    const due = Date.parse(event.dueAt ?? '');
    return due >= dueFrom && due <= dueTo ? [event.writtenAt.getTime() - due] : [];
  });
  return { ...summary(lateness), eventsPerSecond: Math.round((lateness.length / ((dueTo - dueFrom) / 1000)) * 10) / 10 };
}

/** How long after `dueAt` the last of the service's SLA events due then was written, and how many there were. */
export async function burstDrain(db: Database, column: 'recordedAt' | 'at', serviceId: string, dueAt: number) {
  const events = (await serviceEvents(db, column, serviceId, 'sla.%')).filter((event) => Date.parse(event.dueAt ?? '') === dueAt);
  const last = Math.max(...events.map((event) => event.writtenAt.getTime()));
  return { events: events.length, drainSeconds: events.length ? Math.round((last - dueAt) / 100) / 10 : null, lateness: summary(events.map((event) => event.writtenAt.getTime() - dueAt)) };
}
