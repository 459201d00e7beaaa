import type { Client } from '@temporalio/client';
import type { Mailer } from '../activities/mailer';
import type { ReadinessCheck } from './deps';
import type { Db } from '../prisma/database';

/** What /readyz reports: each dependency probed for real (a query, an RPC, an SMTP handshake). */
export function readinessChecks(deps: { prisma: Db; temporal: Client; mailer: Mailer; namespace: string }): Record<string, ReadinessCheck> {
  return {
    database: async () => {
      await deps.prisma.$queryRaw`SELECT 1`;
    },
    temporal: async () => {
      await deps.temporal.workflowService.describeNamespace({ namespace: deps.namespace });
    },
    smtp: () => deps.mailer.verify(),
  };
}
