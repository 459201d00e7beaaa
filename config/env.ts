import type { Duration } from '@temporalio/common';
import path from 'node:path';
import { z } from 'zod';

const port = (fallback: number) => z.coerce.number().int().min(1).max(65535).default(fallback);
const optionalText = z.string().trim().min(1).optional();
// Temporal checks the fields themselves when the schedule is registered; this catches the wrong shape early.
const cron = z.string().trim().regex(/^\S+(\s+\S+){4}$/, 'a cron expression of five fields (UTC), e.g. "0 9 15 1 *"').optional();

/** The governance schedules whose time of day, month or year the organisation may move (cron, UTC). */
export const SCHEDULE_CRON_VARIABLES = {
  'asset-alerts': 'SCHEDULE_ASSET_ALERTS_CRON',
  'annual-audit': 'SCHEDULE_ANNUAL_AUDIT_CRON',
  'service-reports': 'SCHEDULE_SERVICE_REPORTS_CRON',
  'continuity-tests': 'SCHEDULE_CONTINUITY_TESTS_CRON',
  'competence-reviews': 'SCHEDULE_COMPETENCE_REVIEWS_CRON',
  'certification-reminders': 'SCHEDULE_CERTIFICATION_REMINDERS_CRON',
} as const;
type CronScheduleName = keyof typeof SCHEDULE_CRON_VARIABLES;

/**
 * Every setting the product reads. Embedded defaults need none; a wrong value stops the process with a
 * message naming the variable, before anything listens or connects.
 */
export const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  DATA_DIR: z.string().min(1).default('data'),
  PORT: port(3000),
  PUBLIC_URL: z.url().optional(),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL')
    .optional(),
  TEMPORAL_ADDRESS: optionalText,
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
  TEMPORAL_TASK_QUEUE: z.string().min(1).default('itsm'),
  TEMPORAL_API_KEY: optionalText,
  TEMPORAL_TLS_CERT_PATH: optionalText,
  TEMPORAL_TLS_KEY_PATH: optionalText,
  TEMPORAL_TLS_SERVER_NAME: optionalText,
  TEMPORAL_CLI_PATH: optionalText,
  TEMPORAL_PORT: port(7233),
  TEMPORAL_UI_PORT: port(8233),
  TEMPORAL_LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error']).default('warn'),
  SMTP_URL: z
    .string()
    .regex(/^smtps?:\/\//, 'must be an smtp:// or smtps:// URL')
    .optional(),
  SMTP_PORT: port(1025),
  MAIL_UI_PORT: port(1080),
  MAIL_FROM: z.string().min(3).default('ITSM <itsm@localhost>'),
  /** Creates the first administrator (ITSM_ADMIN_EMAIL) holding this token, when there is none; never printed. */
  ITSM_ADMIN_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  ITSM_ADMIN_EMAIL: z.string().trim().toLowerCase().pipe(z.email('must be an e-mail address')).default('admin@itsm.local'),
  /** Signs the approve/reject links in mail; by default a key generated once and kept in the database. */
  ACTION_LINK_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  /** How often incident trend detection runs (a Temporal Schedule): 30s, 15m, 1h, 1d ... */
  TREND_DETECTION_EVERY: z.string().regex(/^[1-9][0-9]*(s|m|h|d)$/, 'a duration such as 15m, 1h or 1d').default('1h').transform((v) => v as Duration),
  SCHEDULE_ASSET_ALERTS_CRON: cron,
  SCHEDULE_ANNUAL_AUDIT_CRON: cron,
  SCHEDULE_SERVICE_REPORTS_CRON: cron,
  SCHEDULE_CONTINUITY_TESTS_CRON: cron,
  SCHEDULE_COMPETENCE_REVIEWS_CRON: cron,
  SCHEDULE_CERTIFICATION_REMINDERS_CRON: cron,
  /** Unset: on, except with NODE_ENV=production (a production database gets demo data only when asked for). */
  ITSM_DEMO_DATA: z.enum(['true', 'false']).transform((v) => v === 'true').optional(),
});

export type Env = Omit<z.infer<typeof envSchema>, 'ITSM_DEMO_DATA'> & { ITSM_DEMO_DATA: boolean };

export class ConfigError extends Error {}

export function loadEnv(source: NodeJS.ProcessEnv = process.env): Env {
  const result = envSchema.safeParse(source);
  if (!result.success) {
    const lines = result.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`);
    throw new ConfigError(`invalid configuration:\n${lines.join('\n')}`);
  }
  const env = result.data;
  if (Boolean(env.TEMPORAL_TLS_CERT_PATH) !== Boolean(env.TEMPORAL_TLS_KEY_PATH)) {
    throw new ConfigError('invalid configuration:\n  TEMPORAL_TLS_CERT_PATH and TEMPORAL_TLS_KEY_PATH go together');
  }
  return { ...env, DATA_DIR: path.resolve(env.DATA_DIR), ITSM_DEMO_DATA: env.ITSM_DEMO_DATA ?? env.NODE_ENV !== 'production' };
}

/** Where mail goes: the configured server, or the embedded catcher's SMTP port. */
export function smtpUrl(env: Env): string {
  return env.SMTP_URL ?? `smtp://127.0.0.1:${env.SMTP_PORT}`;
}

/** The API's base URL as people reach it (links in mail). */
export function publicUrl(env: Env): string {
  return env.PUBLIC_URL ?? `http://127.0.0.1:${env.PORT}`;
}

/** The schedules configured to run at other times than their defaults, by schedule name. */
export function scheduleCrons(env: Env): Partial<Record<CronScheduleName, string>> {
  return Object.fromEntries(
    (Object.entries(SCHEDULE_CRON_VARIABLES) as [CronScheduleName, keyof Env][]).flatMap(([name, variable]) => (env[variable] ? [[name, String(env[variable])]] : [])),
  );
}

/** A one-screen summary with secrets left out, printed at start-up. */
export function describeEnv(env: Env): string[] {
  return [
    `database   ${env.DATABASE_URL ? redactUrl(env.DATABASE_URL) : `PGlite in ${path.join(env.DATA_DIR, 'pglite')}`}`,
    `temporal   ${env.TEMPORAL_ADDRESS ?? `embedded dev server on 127.0.0.1:${env.TEMPORAL_PORT}`} namespace=${env.TEMPORAL_NAMESPACE} queue=${env.TEMPORAL_TASK_QUEUE}${env.TEMPORAL_API_KEY ? ' (API key)' : ''}${env.TEMPORAL_TLS_CERT_PATH ? ' (mTLS)' : ''}`,
    `schedules  trend detection every ${env.TREND_DETECTION_EVERY}${Object.entries(scheduleCrons(env)).map(([name, expression]) => `, ${name} "${expression}"`).join('')}`,
    `mail       ${env.SMTP_URL ? redactUrl(env.SMTP_URL) : `embedded catcher, SMTP 127.0.0.1:${env.SMTP_PORT}`}`,
  ];
}

export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(unparseable URL)';
  }
}
