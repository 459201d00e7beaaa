import pino, { type DestinationStream, type LoggerOptions } from 'pino';
import type { Env } from './env';

const REDACTED = '[redacted]';

// Whoever reads the log must not be able to act as anyone: API tokens are permanent credentials, the session
// cookie holds one, and an action link's path is a signed decision. The headers that carry them are dropped
// wholesale; these patterns catch the same secrets wherever else they surface (URLs, redirects, error text).
const SECRET_PATTERNS: [RegExp, string][] = [
  [/(\bBearer\s+)[^\s"',;]+/gi, `$1${REDACTED}`],
  [/((?:\/|%2F)actions(?:\/|%2F))[^/?#&%\s"'<>]+/gi, `$1${REDACTED}`],
  [/(\bitsm_session=)[^;\s"'&]+/g, `$1${REDACTED}`],
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
    paths: ['req.headers.authorization', 'req.headers.cookie', 'req.headers["proxy-authorization"]', 'res.headers["set-cookie"]'],
    censor: REDACTED,
  },
  serializers: {
    req: redactDeep,
    res: redactDeep,
    err: redactDeep,
    error: redactDeep,
  },
} satisfies Pick<LoggerOptions, 'redact' | 'serializers'>;

/** `destination`: where the lines go (stdout by default); tests pass a file to read back. */
export function createLogger(env: Pick<Env, 'LOG_LEVEL'>, name: string, destination?: DestinationStream) {
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
    destination,
  );
}
