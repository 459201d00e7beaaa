import pino from 'pino';
import type { Env } from './env';

export function createLogger(env: Pick<Env, 'LOG_LEVEL'>, name: string) {
  return pino({ name, level: env.LOG_LEVEL, base: { service: name } });
}
