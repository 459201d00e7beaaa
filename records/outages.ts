import { availabilityOver, type AvailabilityFigures } from '../domain/availability';
import { ALWAYS_OPEN } from '../domain/calendar';
import type { Db } from '../prisma/database';
import type { BusinessCalendar, Outage } from '../prisma/generated/client';
import { calendarFromRecord } from './calendars';

export interface ProcessOutageStart {
  /** The step that opens them; each service's outage is keyed `<sourceKey>:<serviceId>`. */
  sourceKey: string;
  serviceIds: string[];
  startedAt: string;
  planned: boolean;
  description: string;
  incidentId?: string;
  changeId?: string;
}

/**
 * Opens one outage per service, once: a retried step finds its rows and leaves them, corrections included,
 * as they are.
 */
export async function openProcessOutages(prisma: Db, start: ProcessOutageStart): Promise<void> {
  const { sourceKey, serviceIds, startedAt, ...rest } = start;
  await prisma.outage.createMany({
    data: serviceIds.map((serviceId) => ({ sourceKey: `${sourceKey}:${serviceId}`, serviceId, startedAt: new Date(startedAt), ...rest })),
    skipDuplicates: true,
  });
}

/**
 * Ends the outages a step opened, where they are still open: an end a manager already set stands, and a
 * retried step changes nothing.
 */
export async function closeProcessOutages(prisma: Db, { sourceKey, endedAt }: { sourceKey: string; endedAt: string }): Promise<void> {
  await prisma.outage.updateMany({ where: { sourceKey: { startsWith: `${sourceKey}:` }, endedAt: null }, data: { endedAt: new Date(endedAt) } });
}

/** The outages of a service that overlap [from, to), oldest first. */
export function outagesOverlapping(prisma: Db, serviceId: string, from: Date, to: Date): Promise<Outage[]> {
  return prisma.outage.findMany({ where: { serviceId, startedAt: { lt: to }, OR: [{ endedAt: null }, { endedAt: { gt: from } }] }, orderBy: [{ startedAt: 'asc' }, { id: 'asc' }] });
}

/**
 * A service's availability over [from, to) on its agreed service hours (24x7 when it names no calendar); the
 * caller has the service already, read with its calendar.
 */
export async function serviceAvailability(prisma: Db, service: { id: string; serviceHoursCalendar: BusinessCalendar | null }, from: Date, to: Date, now = new Date()): Promise<AvailabilityFigures> {
  const calendar = service.serviceHoursCalendar ? calendarFromRecord(service.serviceHoursCalendar, from.getTime()) : ALWAYS_OPEN;
  const outages = await outagesOverlapping(prisma, service.id, from, to);
  const spans = outages.map((outage) => ({ startMs: outage.startedAt.getTime(), endMs: outage.endedAt?.getTime() ?? null, planned: outage.planned }));
  return availabilityOver(calendar, spans, from.getTime(), to.getTime(), now.getTime());
}
