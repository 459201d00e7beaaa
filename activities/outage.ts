import type { Db } from '../prisma/database';
import { closeProcessOutages, openProcessOutages, type ProcessOutageStart } from '../records/outages';

/** Outages that processes open and close: a major incident, a change that declares downtime. Keyed, so retries write once. */
export function createOutageActivities({ prisma }: { prisma: Db }) {
  return {
    async openOutages(start: ProcessOutageStart): Promise<void> {
      await openProcessOutages(prisma, start);
    },
    async closeOutages(end: { sourceKey: string; endedAt: string }): Promise<void> {
      await closeProcessOutages(prisma, end);
    },
  };
}

export type OutageActivities = ReturnType<typeof createOutageActivities>;
