import type { Client } from '@temporalio/client';
import type { Level, Logger } from 'pino';
import type { ActionLinkKey } from '../records/mail/action-tokens';
import type { Mailer } from '../records/mail/mailer';
import type { EdgeSettings } from '../config/env';
import type { StepSandbox } from '../records/deployment/step-sandbox';
import type { FeedAccess } from '../records/holiday-sources';
import type { Db } from '../prisma/database';
import type { IdentityProvider } from './identity-provider';

export type ReadinessCheck = () => Promise<void>;

export interface ApiDeps {
  prisma: Db;
  temporal: Client;
  namespace: string;
  taskQueue: string;
  /** Only probed by /readyz here; the worker's activities send the mail. */
  mailer: Mailer;
  logger: Logger;
  /** The level of the one line per HTTP request: info by default; the embedded stack's terminal keeps them at debug. */
  requestLogLevel?: Level;
  /** Verifies the action links in approval mail (the worker signs them with the same key). */
  actionSecret: ActionLinkKey;
  /** Whose Temporal Schedules the API lists and controls (`<prefix>-trend-detection`, …); "itsm" unless a test sets its own. */
  schedulePrefix?: string;
  /** The deployment's public base URL, the `servers` entry of /openapi.json; "/" (same origin) when unknown. */
  publicUrl?: string;
  /** The Temporal UI's base URL: each record links to its workflow there. Absent: records carry no UI link. */
  temporalUiUrl?: string;
  /** Trusted proxies, session cookie, request limits; the defaults of config/env.ts when absent. */
  edge?: EdgeSettings;
  /** The organisation's OpenID provider (OIDC_ISSUER): people sign in there, and its access tokens call the API. */
  identityProvider?: IdentityProvider;
  /** Adapter registration refuses a shell step working directory inside its DATA_DIR. */
  stepSandbox: StepSandbox;
  /** Which holiday feed hosts may be internal (CALENDAR_FEED_INTERNAL_HOSTS). */
  feeds: FeedAccess;
}
