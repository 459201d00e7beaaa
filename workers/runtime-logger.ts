import { DefaultLogger, type LogLevel } from '@temporalio/worker';
import type { Logger } from 'pino';
import { redactDeep } from '../config/logger';

const PINO_LEVELS = { TRACE: 'trace', DEBUG: 'debug', INFO: 'info', WARN: 'warn', ERROR: 'error' } as const;
const SDK_LEVELS: Record<string, LogLevel> = { trace: 'TRACE', debug: 'DEBUG', info: 'INFO', warn: 'WARN' };

/**
 * The Temporal SDK's own lines (worker state, activity and workflow-task failures) through the product's logger,
 * redacted like every other line: a failure's message may quote what the activity was handling. `level`:
 * the SDK's threshold, by default the logger's own.
 */
export function runtimeLogger(logger: Logger, level: LogLevel = SDK_LEVELS[logger.level] ?? 'ERROR'): DefaultLogger {
  return new DefaultLogger(level, ({ level: entryLevel, message, meta }) => logger[PINO_LEVELS[entryLevel]](redactDeep(meta ?? {}) as object, message));
}
