import type { Client } from '@temporalio/client';
import type { Logger } from 'pino';
import type { Mailer } from '../activities/mailer';
import type { Db } from '../prisma/database';

export type ReadinessCheck = () => Promise<void>;

export interface ApiDeps {
  prisma: Db;
  temporal: Client;
  namespace: string;
  taskQueue: string;
  /** Only probed by /readyz here; the worker's activities send the mail. */
  mailer: Mailer;
  logger: Logger;
  /** Verifies the action links in approval mail (the worker signs them with the same key). */
  actionSecret: Uint8Array;
  /** Whose Temporal Schedules the API lists and controls (`<prefix>-trend-detection`, …); "itsm" unless a test sets its own. */
  schedulePrefix?: string;
  /** The deployment's public base URL, the `servers` entry of /openapi.json; "/" (same origin) when unknown. */
  publicUrl?: string;
}
