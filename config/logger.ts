import pino, { type DestinationStream, type Logger, type LoggerOptions } from 'pino';
import pretty from 'pino-pretty';
import type { Env } from './env';

const REDACTED = '[redacted]';

// Whoever reads the log must not be able to act as anyone: API tokens are permanent credentials, the session
// cookie holds one, and an action link's path is a signed decision. The headers that carry them are dropped
// wholesale; these patterns catch the same secrets wherever else they surface (URLs, redirects, error text).
const SECRET_PATTERNS: [RegExp, string][] = [
  [/(\bBearer\s+)[^\s"',;]+/gi, `$1${REDACTED}`],
  [/((?:\/|%2F)actions(?:\/|%2F))[^/?#&%\s"'<>]+/gi, `$1${REDACTED}`],
  [/(\bitsm_session=)[^;\s"'&]+/g, `$1${REDACTED}`],
  // The identity provider's authorization code in the sign-in callback's URL: with the browser's cookie it signs in.
  [/([?&]code=)[^&\s"'#]+/g, `$1${REDACTED}`],
  // A generated token (api/tokens.ts generateToken): 32 random bytes in base64url after the prefix.
  [/\bitsm_[A-Za-z0-9_-]{43}(?![A-Za-z0-9_-])/g, REDACTED],
];

/** The text with every credential it carries replaced by "[redacted]". */
export function redactSecrets(text: string): string {
  return SECRET_PATTERNS.reduce((scrubbed, [pattern, replacement]) => scrubbed.replace(pattern, replacement), text);
}

/** A plain copy of a value to log, with every string in it scrubbed (errors first reduced to type, message, stack). */
export function redactDeep(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return redactSecrets(value);
  if (value instanceof Error) return redactDeep(pino.stdSerializers.err(value), depth);
  if (value === null || typeof value !== 'object' || depth > 8) return value;
  if (Array.isArray(value)) return value.map((item) => redactDeep(item, depth + 1));
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, redactDeep(item, depth + 1)]));
}

/**
 * The redaction every logger of the product applies; pino-http is given it too, since it replaces its parent's
 * serializers with its own. `error` is the key Temporal's runtime logs failures under.
 */
export const logRedaction = {
  redact: {
    // The identity provider's authorization code also reaches the request line as the parsed query.
    paths: ['req.headers.authorization', 'req.headers.cookie', 'req.headers["proxy-authorization"]', 'res.headers["set-cookie"]', 'req.query.code'],
    censor: REDACTED,
  },
  serializers: {
    req: redactDeep,
    res: redactDeep,
    err: redactDeep,
    error: redactDeep,
  },
} satisfies Pick<LoggerOptions, 'redact' | 'serializers'>;

/** A request as a person reads it (method, path, status, time); the JSON format keeps the whole request and response. */
function readableMessage(line: Record<string, unknown>, messageKey: string): string {
  const { req, res, responseTime } = line as { req?: { method: string; url: string }; res?: { statusCode: number }; responseTime?: number };
  const message = String(line[messageKey] ?? '');
  if (!req) return message;
  return `${message}: ${req.method} ${req.url}${res ? ` ${res.statusCode}` : ''}${responseTime === undefined ? '' : ` in ${responseTime} ms`}`;
}

export type LogFormat = NonNullable<Env['LOG_FORMAT']>;

/** Readable lines for a person at a terminal, JSON for whatever collects a pipe or file; LOG_FORMAT decides when set. */
export function logFormat(env: Partial<Pick<Env, 'LOG_FORMAT'>>, isTTY = Boolean(process.stdout.isTTY)): LogFormat {
  return env.LOG_FORMAT ?? (isTTY ? 'pretty' : 'json');
}

/**
 * `destination`: where the lines go (stdout by default); tests pass a file to read back. Pretty lines are
 * formatted from what pino has already redacted and serialised, so both formats carry the same (scrubbed) data.
 */
export function createLogger(env: Pick<Env, 'LOG_LEVEL'> & Partial<Pick<Env, 'LOG_FORMAT'>>, name: string, destination?: DestinationStream) {
  const readable =
    logFormat(env) === 'pretty'
      ? // Synchronous, so the lines keep their order among the start-up summary's console lines.
        pretty({
          destination: destination ?? 1,
          sync: true,
          colorize: !destination && Boolean(process.stdout.isTTY),
          singleLine: true,
          translateTime: 'SYS:HH:MM:ss',
          messageFormat: readableMessage,
          ignore: 'pid,hostname,name,service,req,res,responseTime',
        })
      : destination;
  return pino(
    {
      name,
      level: env.LOG_LEVEL,
      base: { service: name },
      ...logRedaction,
      // Message text too: a line such as "could not reach <url>" may quote a link.
      hooks: {
        logMethod(args, method) {
          method.apply(this, args.map((arg) => (typeof arg === 'string' ? redactSecrets(arg) : arg)) as Parameters<typeof method>);
        },
      },
    },
    readable,
  );
}

let operatorLogger: Logger = pino({ level: 'silent' });

/**
 * Where the lines an operator acts on go (SLA warnings, breaches and escalations, mail sent or failing): the
 * logger of the process that runs the worker, once it installs it. Activities and mail run deep below any
 * place a logger could be handed down; tests and tools that install none stay quiet.
 */
export const operatorLog = (): Logger => operatorLogger;

export function installOperatorLog(logger: Logger) {
  operatorLogger = logger;
}
