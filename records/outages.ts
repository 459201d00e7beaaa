import { availabilityOver, type AvailabilityFigures } from '../domain/availability';
import { ALWAYS_OPEN } from '../domain/calendar';
import type { Db } from '../prisma/database';
import type { Outage } from '../prisma/generated/client';
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
  for (const serviceId of serviceIds) {
    await prisma.outage.upsert({
      where: { sourceKey: `${sourceKey}:${serviceId}` },
      update: {},
      create: { sourceKey: `${sourceKey}:${serviceId}`, serviceId, startedAt: new Date(startedAt), ...rest },
    });
  }
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

/** A service's availability over [from, to) on its agreed service hours (24x7 when it names no calendar). */
export async function serviceAvailability(prisma: Db, serviceId: string, from: Date, to: Date, now = new Date()): Promise<AvailabilityFigures> {
  const service = await prisma.service.findUniqueOrThrow({ where: { id: serviceId }, include: { serviceHoursCalendar: true } });
  const calendar = service.serviceHoursCalendar ? calendarFromRecord(service.serviceHoursCalendar, from.getTime()) : ALWAYS_OPEN;
  const outages = await outagesOverlapping(prisma, serviceId, from, to);
  const spans = outages.map((outage) => ({ startMs: outage.startedAt.getTime(), endMs: outage.endedAt?.getTime() ?? null, planned: outage.planned }));
  return availabilityOver(calendar, spans, from.getTime(), to.getTime(), now.getTime());
}
