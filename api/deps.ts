import type { Client } from '@temporalio/client';
import type { Logger } from 'pino';
import type { Db } from '../prisma/database';

export type ReadinessCheck = () => Promise<void>;

export interface ApiDeps {
  prisma: Db;
  temporal: Client;
  taskQueue: string;
  logger: Logger;
  /** Each dependency the API needs, probed by /readyz. */
  readiness: Record<string, ReadinessCheck>;
}
