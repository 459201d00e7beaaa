import type { Duration } from '@temporalio/common';
import { isIP } from 'node:net';
import path from 'node:path';
import { z } from 'zod';

const port = (fallback: number) => z.coerce.number().int().min(1).max(65535).default(fallback);
const optionalText = z.string().trim().min(1).optional();
const metricsPort = z.coerce.number().int().min(0).max(65535).optional();
const perMinute = (fallback: number) => z.coerce.number().int().min(1).default(fallback);
const PROXY_NAMES = ['loopback', 'linklocal', 'uniquelocal'];
const SIGNING_ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'] as const;
const LOOPBACK_HOSTS = ['127.0.0.1', 'localhost', '[::1]'];

/**
 * A feed host as the feed's URL will spell it (lower case, punycode, IPv6 compressed and without brackets), so
 * the list matches what the reader compares; undefined for an entry with a scheme, port or path.
 */
function feedHostName(entry: string): string | undefined {
  const bare = entry.replace(/^\[(.*)\]$/, '$1');
  const candidate = `http://${isIP(bare) === 6 ? `[${bare}]` : bare}/`;
  if (!URL.canParse(candidate)) return undefined;
  const url = new URL(candidate);
  if (url.port || url.username || url.pathname !== '/' || url.search || url.hash || url.host !== url.hostname) return undefined;
  return url.hostname.replace(/^\[(.*)\]$/, '$1');
}

function isAddressOrRange(entry: string): boolean {
  const [address, prefix, ...rest] = entry.split('/');
  const family = isIP(address);
  if (!family || rest.length > 0) return false;
  return prefix === undefined || (/^[0-9]{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128));
}

/**
 * Express's 'trust proxy' from TRUST_PROXY. `true` (any hop) is refused: every client could then name its own
 * address in X-Forwarded-For, and with it its rate-limit bucket.
 */
function trustProxy(value: string, context: z.core.$RefinementCtx<string>): false | number | string[] {
  const text = value.trim();
  if (text === 'false') return false;
  if (/^[0-9]{1,2}$/.test(text)) return Number(text);
  const entries = text.split(',').map((entry) => entry.trim());
  if (entries.every((entry) => PROXY_NAMES.includes(entry) || isAddressOrRange(entry))) return entries;
  context.addIssue({ code: 'custom', message: 'false, loopback, a hop count, or comma-separated proxy addresses/CIDRs (e.g. 10.0.0.0/8,loopback)' });
  return z.NEVER;
}
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
  'calendar-holidays': 'SCHEDULE_CALENDAR_HOLIDAYS_CRON',
  'access-recertification': 'SCHEDULE_ACCESS_RECERTIFICATION_CRON',
} as const;
type CronScheduleName = keyof typeof SCHEDULE_CRON_VARIABLES;

/**
 * Every setting the product reads. Embedded defaults need none; a wrong value stops the process with a
 * message naming the variable, before anything listens or connects.
 */
export const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** pretty: readable lines for a person; json: one object a line for a collector. Default: pretty on a terminal, json otherwise. */
  LOG_FORMAT: z.enum(['pretty', 'json']).optional(),
  DATA_DIR: z.string().min(1).default('data'),
  PORT: port(3000),
  PUBLIC_URL: z.url().optional(),
  /** Which proxies may say who the client is (X-Forwarded-For, -Proto): false, loopback, a hop count, or IPs/CIDRs. */
  TRUST_PROXY: z.string().default('loopback').transform(trustProxy),
  /** auto: Secure unless the public URL is plain http outside production (the embedded stack), where TLS decides per request. */
  SESSION_COOKIE_SECURE: z.enum(['auto', 'true', 'false']).default('auto'),
  /** How long a browser session lasts after sign-in (hours); signing out ends it sooner. */
  SESSION_HOURS: z.coerce.number().int().min(1).max(720).default(12),
  /** Requests a minute: sign-in attempts and action-link requests per client address, API calls per token. */
  RATE_LIMIT_LOGIN_PER_MINUTE: perMinute(100),
  RATE_LIMIT_ACTIONS_PER_MINUTE: perMinute(300),
  RATE_LIMIT_API_PER_MINUTE: perMinute(1000),
  /** API requests refused for a missing or invalid token, per client address: token guessing and floods. */
  RATE_LIMIT_UNAUTHENTICATED_PER_MINUTE: perMinute(300),
  /** How long an API process trusts a token check without asking the database; other processes learn of a revocation this late. 0: never. */
  TOKEN_CACHE_SECONDS: z.coerce.number().int().min(0).max(60).default(5),
  /** OpenID Connect sign-in (README "Signing in with the organisation's identity provider"); the first three go together. */
  OIDC_ISSUER: z.url().optional(),
  OIDC_CLIENT_ID: optionalText,
  OIDC_CLIENT_SECRET: optionalText,
  /** Where the provider sends the browser back; registered at the provider. Default: PUBLIC_URL + /auth/callback. */
  OIDC_REDIRECT_URL: z.url().optional(),
  /** The `aud` the provider's access tokens carry for this API. Default: OIDC_CLIENT_ID. */
  OIDC_AUDIENCE: optionalText,
  /** The claim holding the person's groups at the provider (ID token, userinfo or access token). */
  OIDC_GROUPS_CLAIM: z.string().trim().min(1).default('groups'),
  /** The provider group whose members are administrators here, whatever the role mappings say: the first admin's way in. */
  OIDC_ADMIN_GROUP: optionalText,
  OIDC_SCOPES: z.string().trim().min(1).default('openid email profile'),
  /** Whether an address the provider does not mark `email_verified: true` may still claim an existing account: only for the organisation's own directory. */
  OIDC_TRUST_EMAIL: z.enum(['true', 'false']).default('false').transform((value) => value === 'true'),
  /** Signature algorithms accepted on the provider's tokens; asymmetric only, so a client secret or "none" cannot forge one. */
  OIDC_ALGORITHMS: z
    .string()
    .default('RS256,PS256,ES256')
    .transform((value) => value.split(',').map((alg) => alg.trim()))
    .pipe(z.array(z.enum(SIGNING_ALGORITHMS, { error: `each one of ${SIGNING_ALGORITHMS.join(', ')}` })).min(1)),
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
  /** Where managers open the Temporal UI; records link to their workflow there. Default: the embedded UI's port on 127.0.0.1. */
  TEMPORAL_UI_URL: z.url().optional(),
  TEMPORAL_LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error']).default('warn'),
  /** Worker sizing (README "Sizing the worker"): memory follows the cache of workflows, not the open records. */
  WORKER_MAX_CACHED_WORKFLOWS: z.coerce.number().int().min(0).refine((n) => n !== 1, '0 (no cache) or at least 2').default(200),
  WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: z.coerce.number().int().min(2).default(10),
  WORKER_MAX_CONCURRENT_ACTIVITIES: z.coerce.number().int().min(1).default(20),
  SMTP_URL: z
    .string()
    .regex(/^smtps?:\/\//, 'must be an smtp:// or smtps:// URL')
    .optional(),
  SMTP_PORT: port(1025),
  MAIL_UI_PORT: port(1080),
  MAIL_FROM: z.string().min(3).default('ITSM <itsm@localhost>'),
  /** Inbound mail over SMTP (an MTA forwards to it in production); 0 turns the listener off. */
  MAIL_IN_SMTP_PORT: z.coerce.number().int().min(0).max(65535).default(2525),
  MAIL_IN_SMTP_HOST: z.string().trim().min(1).default('127.0.0.1'),
  /** A mailbox to poll (IDLE where offered): imap://user:password@host:143/INBOX or imaps://…; its credentials are never printed. */
  IMAP_URL: z
    .string()
    .regex(/^imaps?:\/\/[^/]+@[^/]+/, 'must be an imap:// or imaps:// URL with user and password, e.g. imaps://desk:secret@mail.example.net/INBOX')
    // Checked here, so a URL that does not parse fails as a configuration error naming the variable, not later as
    // a URL error that quotes it, password and all.
    .refine((url) => URL.canParse(url), 'must be a URL that parses, e.g. imaps://desk:secret@mail.example.net/INBOX')
    .optional(),
  /** Holiday feed hosts that may be inside the organisation's network (an intranet calendar server); every other feed host must be public. */
  CALENDAR_FEED_INTERNAL_HOSTS: z
    .string()
    .default('')
    .transform((value) => value.split(',').map((host) => host.trim()).filter(Boolean))
    .pipe(z.array(z.string().transform(feedHostName).pipe(z.string({ error: 'a comma list of host names or addresses, without scheme, port or path, e.g. calendar.intranet.example,10.1.2.3' })))),
  /** Mail from people who are not users yet opens incidents when their address is in one of these domains. */
  MAIL_IN_ALLOWED_DOMAINS: z
    .string()
    .default('')
    .transform((value) => value.split(',').map((domain) => domain.trim().toLowerCase()).filter(Boolean))
    .pipe(z.array(z.string().regex(/^[a-z0-9.-]+\.[a-z]{2,}$/, 'a comma list of domains, e.g. example.org,example.com'))),
  /** What a sender who is neither a user nor in an allowed domain gets: a polite reply, or nothing. */
  MAIL_IN_UNKNOWN_SENDERS: z.enum(['reply', 'ignore']).default('reply'),
  /** The largest attachment kept; a larger one is listed as refused and the mail's text is kept. */
  MAIL_IN_MAX_ATTACHMENT_MB: z.coerce.number().positive().max(1024).default(10),
  /** The largest mail the SMTP listener takes at all (it answers 552 above it). */
  MAIL_IN_MAX_MESSAGE_MB: z.coerce.number().positive().max(1024).default(64),
  /** Creates the first administrator (ITSM_ADMIN_EMAIL) holding this token, when there is none; never printed. */
  ITSM_ADMIN_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  ITSM_ADMIN_EMAIL: z.string().trim().toLowerCase().pipe(z.email('must be an e-mail address')).default('admin@itsm.local'),
  /** Signs the approve/reject links in mail; by default a key generated once and kept in the database. */
  ACTION_LINK_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  /** The longest any action link (change decision, release authorisation, survey) lives, whatever its deadline. */
  ITSM_LINK_MAX_DAYS: z.coerce.number().int().min(1).max(90).default(7),
  /** Where each shell deploy step gets an empty working directory of its own; outside DATA_DIR. Default <tmp>/itsm-steps. */
  ITSM_STEP_WORKDIR: optionalText,
  /** How often incident trend detection runs (a Temporal Schedule): 30s, 15m, 1h, 1d ... */
  TREND_DETECTION_EVERY: z.string().regex(/^[1-9][0-9]*(s|m|h|d)$/, 'a duration such as 15m, 1h or 1d').default('1h').transform((v) => v as Duration),
  SCHEDULE_ASSET_ALERTS_CRON: cron,
  SCHEDULE_CALENDAR_HOLIDAYS_CRON: cron,
  SCHEDULE_ANNUAL_AUDIT_CRON: cron,
  SCHEDULE_SERVICE_REPORTS_CRON: cron,
  SCHEDULE_CONTINUITY_TESTS_CRON: cron,
  SCHEDULE_COMPETENCE_REVIEWS_CRON: cron,
  SCHEDULE_CERTIFICATION_REMINDERS_CRON: cron,
  SCHEDULE_ACCESS_RECERTIFICATION_CRON: cron,
  /** Unset: on, except with NODE_ENV=production (a production database gets demo data only when asked for). */
  ITSM_DEMO_DATA: z.enum(['true', 'false']).transform((v) => v === 'true').optional(),
  /** Where the worker's Prometheus endpoints listen (the API serves its own /metrics on PORT); 0 turns one off. */
  METRICS_HOST: z.string().trim().min(1).default('127.0.0.1'),
  /** Unset: 9464 and 9465, but off with NODE_ENV=test, where suites start workers side by side. */
  WORKER_METRICS_PORT: metricsPort,
  TEMPORAL_SDK_METRICS_PORT: metricsPort,
});

export type Env = Omit<z.infer<typeof envSchema>, 'ITSM_DEMO_DATA' | 'WORKER_METRICS_PORT' | 'TEMPORAL_SDK_METRICS_PORT'> & { ITSM_DEMO_DATA: boolean; WORKER_METRICS_PORT: number; TEMPORAL_SDK_METRICS_PORT: number };

export class ConfigError extends Error {}

function parseSettings<S extends z.ZodType>(schema: S, source: NodeJS.ProcessEnv): z.infer<S> {
  const result = schema.safeParse(source);
  if (!result.success) {
    const lines = result.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`);
    throw new ConfigError(`invalid configuration:\n${lines.join('\n')}`);
  }
  return result.data;
}

export function loadEnv(source: NodeJS.ProcessEnv = process.env): Env {
  const env = parseSettings(envSchema, source);
  if (Boolean(env.TEMPORAL_TLS_CERT_PATH) !== Boolean(env.TEMPORAL_TLS_KEY_PATH)) {
    throw new ConfigError('invalid configuration:\n  TEMPORAL_TLS_CERT_PATH and TEMPORAL_TLS_KEY_PATH go together');
  }
  // The SDK would quietly lower it: a workflow task needs its workflow in the cache while it runs.
  if (env.WORKER_MAX_CACHED_WORKFLOWS > 0 && env.WORKER_MAX_CONCURRENT_WORKFLOW_TASKS > env.WORKER_MAX_CACHED_WORKFLOWS) {
    throw new ConfigError('invalid configuration:\n  WORKER_MAX_CONCURRENT_WORKFLOW_TASKS cannot exceed WORKER_MAX_CACHED_WORKFLOWS (unless the cache is off, 0)');
  }
  checkOidc(env);
  const metricsPortOr = (port: number | undefined, fallback: number) => port ?? (env.NODE_ENV === 'test' ? 0 : fallback);
  return {
    ...env,
    DATA_DIR: path.resolve(env.DATA_DIR),
    ITSM_DEMO_DATA: env.ITSM_DEMO_DATA ?? env.NODE_ENV !== 'production',
    WORKER_METRICS_PORT: metricsPortOr(env.WORKER_METRICS_PORT, 9464),
    TEMPORAL_SDK_METRICS_PORT: metricsPortOr(env.TEMPORAL_SDK_METRICS_PORT, 9465),
  };
}

function checkOidc(env: z.infer<typeof envSchema>) {
  const parts = [env.OIDC_ISSUER, env.OIDC_CLIENT_ID, env.OIDC_CLIENT_SECRET];
  const refuse = (line: string) => {
    throw new ConfigError(`invalid configuration:\n  ${line}`);
  };
  if (parts.some(Boolean) && !parts.every(Boolean)) refuse('OIDC_ISSUER, OIDC_CLIENT_ID and OIDC_CLIENT_SECRET go together');
  if (!env.OIDC_ISSUER) return;
  // Tokens and codes cross this connection; plain http only to a provider on this machine (a test, a demo).
  const issuer = new URL(env.OIDC_ISSUER);
  if (issuer.protocol !== 'https:' && !LOOPBACK_HOSTS.includes(issuer.hostname)) refuse('OIDC_ISSUER must be an https:// URL (http:// only on loopback)');
  // The callback reads a cookie this site set when sign-in began, so it must come back to this site.
  const redirect = new URL(oidcRedirectUrl(env));
  if (redirect.origin !== new URL(publicUrl(env)).origin) refuse(`OIDC_REDIRECT_URL must be on PUBLIC_URL's site (${new URL(publicUrl(env)).origin})`);
}

function oidcRedirectUrl(env: Pick<Env, 'OIDC_REDIRECT_URL' | 'PUBLIC_URL' | 'PORT'>): string {
  return env.OIDC_REDIRECT_URL ?? `${publicUrl(env).replace(/\/$/, '')}/auth/callback`;
}

/** Who the API trusts to say who a person is, when an identity provider is configured. */
export interface OidcSettings {
  issuer: URL;
  clientId: string;
  clientSecret: string;
  redirectUrl: URL;
  audience: string;
  groupsClaim: string;
  adminGroup: string | null;
  scopes: string;
  algorithms: string[];
  /** Unverified addresses (Entra ID's `preferred_username`/`upn`, no `email_verified`) may link an existing account. */
  trustEmail: boolean;
}

export function oidcSettings(env: Env): OidcSettings | undefined {
  if (!env.OIDC_ISSUER || !env.OIDC_CLIENT_ID || !env.OIDC_CLIENT_SECRET) return undefined;
  return {
    issuer: new URL(env.OIDC_ISSUER),
    clientId: env.OIDC_CLIENT_ID,
    clientSecret: env.OIDC_CLIENT_SECRET,
    redirectUrl: new URL(oidcRedirectUrl(env)),
    audience: env.OIDC_AUDIENCE ?? env.OIDC_CLIENT_ID,
    groupsClaim: env.OIDC_GROUPS_CLAIM,
    adminGroup: env.OIDC_ADMIN_GROUP ?? null,
    scopes: env.OIDC_SCOPES,
    algorithms: env.OIDC_ALGORITHMS,
    trustEmail: env.OIDC_TRUST_EMAIL,
  };
}

/** Where mail goes: the configured server, or the embedded catcher's SMTP port. */
export function smtpUrl(env: Env): string {
  return env.SMTP_URL ?? `smtp://127.0.0.1:${env.SMTP_PORT}`;
}

/** A worker metrics endpoint's URL, or undefined when its port is 0 (off). */
export function metricsUrl(env: Pick<Env, 'METRICS_HOST'>, port: number): string | undefined {
  if (port === 0) return undefined;
  return `http://${env.METRICS_HOST.includes(':') ? `[${env.METRICS_HOST}]` : env.METRICS_HOST}:${port}/metrics`;
}

/** The API's base URL as people reach it (links in mail). */
export function publicUrl(env: Pick<Env, 'PUBLIC_URL' | 'PORT'>): string {
  return env.PUBLIC_URL ?? `http://127.0.0.1:${env.PORT}`;
}

/** The Temporal UI's base URL as managers reach it (each record's `workflow.temporalUiUrl`). */
export function temporalUiUrl(env: Pick<Env, 'TEMPORAL_UI_URL' | 'TEMPORAL_UI_PORT'>): string {
  return env.TEMPORAL_UI_URL ?? `http://127.0.0.1:${env.TEMPORAL_UI_PORT}`;
}

const EDGE_VARIABLES = {
  NODE_ENV: true,
  PORT: true,
  PUBLIC_URL: true,
  TRUST_PROXY: true,
  SESSION_COOKIE_SECURE: true,
  SESSION_HOURS: true,
  RATE_LIMIT_LOGIN_PER_MINUTE: true,
  RATE_LIMIT_ACTIONS_PER_MINUTE: true,
  RATE_LIMIT_API_PER_MINUTE: true,
  RATE_LIMIT_UNAUTHENTICATED_PER_MINUTE: true,
  TOKEN_CACHE_SECONDS: true,
} as const;
type EdgeEnv = Pick<Env, keyof typeof EDGE_VARIABLES>;

/** How the API meets the network: proxies it trusts, the session cookie, request limits, how long a token check holds. */
export interface EdgeSettings {
  trustProxy: false | number | string[];
  /** 'request': Secure when the request itself came over TLS (the embedded stack on plain http://127.0.0.1). */
  sessionCookieSecure: boolean | 'request';
  sessionHours: number;
  limits: { loginPerMinute: number; actionsPerMinute: number; apiPerMinute: number; unauthenticatedPerMinute: number };
  tokenCacheSeconds: number;
}

export function edgeSettings(env: EdgeEnv): EdgeSettings {
  // The embedded stack: plain http outside production, where only the request itself can say it came over TLS.
  const embedded = !publicUrl(env).startsWith('https:') && env.NODE_ENV !== 'production';
  const secure = { true: true, false: false, auto: embedded ? ('request' as const) : true }[env.SESSION_COOKIE_SECURE];
  return {
    trustProxy: env.TRUST_PROXY,
    sessionCookieSecure: secure,
    sessionHours: env.SESSION_HOURS,
    limits: {
      loginPerMinute: env.RATE_LIMIT_LOGIN_PER_MINUTE,
      actionsPerMinute: env.RATE_LIMIT_ACTIONS_PER_MINUTE,
      apiPerMinute: env.RATE_LIMIT_API_PER_MINUTE,
      unauthenticatedPerMinute: env.RATE_LIMIT_UNAUTHENTICATED_PER_MINUTE,
    },
    tokenCacheSeconds: env.TOKEN_CACHE_SECONDS,
  };
}

/** The edge settings alone, for an API built without the rest of the configuration (tests, the OpenAPI script). */
export function loadEdgeSettings(source: NodeJS.ProcessEnv = process.env): EdgeSettings {
  return edgeSettings(parseSettings(envSchema.pick(EDGE_VARIABLES), source));
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
    `worker     cache ${env.WORKER_MAX_CACHED_WORKFLOWS || 'off'} workflows, at once ${env.WORKER_MAX_CONCURRENT_WORKFLOW_TASKS} workflow tasks and ${env.WORKER_MAX_CONCURRENT_ACTIVITIES} activities`,
    `mail       ${env.SMTP_URL ? redactUrl(env.SMTP_URL) : `embedded catcher, SMTP 127.0.0.1:${env.SMTP_PORT}`}`,
    `mail in    SMTP ${env.MAIL_IN_SMTP_PORT ? `${env.MAIL_IN_SMTP_HOST}:${env.MAIL_IN_SMTP_PORT}` : 'off'}, IMAP ${env.IMAP_URL ? redactUrl(env.IMAP_URL, { user: true }) : 'off'}; unknown senders: ${env.MAIL_IN_UNKNOWN_SENDERS}${env.MAIL_IN_ALLOWED_DOMAINS.length ? `, allowed domains ${env.MAIL_IN_ALLOWED_DOMAINS.join(', ')}` : ''}`,
    `feeds      holiday feeds from public hosts${env.CALENDAR_FEED_INTERNAL_HOSTS.length ? ` and the internal ${env.CALENDAR_FEED_INTERNAL_HOSTS.join(', ')}` : ' only'}`,
    `metrics    API ${publicUrl(env)}/metrics, worker ${metricsUrl(env, env.WORKER_METRICS_PORT) ?? 'off'}, Temporal SDK ${metricsUrl(env, env.TEMPORAL_SDK_METRICS_PORT) ?? 'off'}`,
    `sign-in    ${env.OIDC_ISSUER ? `OpenID Connect at ${env.OIDC_ISSUER} (client ${env.OIDC_CLIENT_ID}, groups from "${env.OIDC_GROUPS_CLAIM}"${env.OIDC_ADMIN_GROUP ? `, admins: "${env.OIDC_ADMIN_GROUP}"` : ''})` : 'API token pasted at /login'}, sessions last ${env.SESSION_HOURS} h`,
    `edge       trust proxy ${env.TRUST_PROXY || 'none'}, session cookie Secure ${env.SESSION_COOKIE_SECURE}, per minute: ${env.RATE_LIMIT_LOGIN_PER_MINUTE} sign-ins and ${env.RATE_LIMIT_ACTIONS_PER_MINUTE} action links per address, ${env.RATE_LIMIT_API_PER_MINUTE} API calls per token, ${env.RATE_LIMIT_UNAUTHENTICATED_PER_MINUTE} unauthenticated per address (this process), token checks cached ${env.TOKEN_CACHE_SECONDS ? `${env.TOKEN_CACHE_SECONDS} s` : 'off'}`,
  ];
}

/** The URL without its password (and, with `user`, without the account name either). */
export function redactUrl(url: string, hide: { user?: boolean } = {}): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    if (hide.user && parsed.username) parsed.username = '***';
    return parsed.toString();
  } catch {
    return '(unparseable URL)';
  }
}
