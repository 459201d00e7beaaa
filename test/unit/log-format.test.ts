import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import supertest from 'supertest';
import { createApp } from '../../api/app';
import type { ApiDeps } from '../../api/deps';
import { loadEnv } from '../../config/env';
import { createLogger, logFormat } from '../../config/logger';

const BEARER = 'itsm_operator-chosen-secret-0123456789';
const LINK = 'eyJhY3QiOiJzdXJ2ZXkifQ.c2lnbmF0dXJl';

/** A logger of the product writing synchronously to a fresh file; returns it and a reader of what it wrote. */
function fileLogger(env: Parameters<typeof createLogger>[0]) {
  const file = path.join(os.tmpdir(), `itsm-log-format-${process.pid}-${Math.random().toString(36).slice(2)}.log`);
  const logger = createLogger(env, 'itsm-log-format', pino.destination({ dest: file, sync: true }));
  return { logger, read: () => readFileSync(file, 'utf8') };
}

describe('log format: readable on a terminal, JSON for machines', () => {
  it('is pretty on a TTY and JSON otherwise, unless LOG_FORMAT says which', () => {
    expect(logFormat({}, true)).toBe('pretty');
    expect(logFormat({}, false)).toBe('json');
    expect(logFormat({ LOG_FORMAT: 'json' }, true)).toBe('json');
    expect(logFormat({ LOG_FORMAT: 'pretty' }, false)).toBe('pretty');
    expect(loadEnv({ LOG_FORMAT: 'json' }).LOG_FORMAT).toBe('json');
    expect(() => loadEnv({ LOG_FORMAT: 'xml' })).toThrow(/LOG_FORMAT/);
  });

  it('writes readable lines that still hold no bearer token or action link', async () => {
    const { logger, read } = fileLogger({ LOG_LEVEL: 'debug', LOG_FORMAT: 'pretty' });
    logger.info({ incidentId: 'c0ffee' }, 'SLA breached: incident c0ffee, resolution target missed');
    logger.warn(`could not reach https://itsm.example.com/actions/${LINK} for Bearer ${BEARER}`);
    // A request line as pino-http writes it, through the app: headers and URL go through the same redaction.
    await supertest(createApp({ logger } as ApiDeps))
      .get(`/nowhere?next=/actions/${LINK}`)
      .set('Authorization', `Bearer ${BEARER}`)
      .set('Cookie', `itsm_session=${BEARER}`);

    const out = read();
    expect(out).toMatch(/INFO.*: SLA breached: incident c0ffee, resolution target missed/);
    expect(out).not.toMatch(/^\{/m);
    expect(out).toMatch(/WARN.*: could not reach https:\/\/itsm\.example\.com\/actions\/\[redacted\] for Bearer \[redacted\]/);
    // A request is one short line: method, path, status, time.
    expect(out).toMatch(/INFO.*: request completed: GET \/nowhere\?next=\/actions\/\[redacted\] 404 in \d+ ms\n/);
    expect(out).not.toContain(BEARER);
    expect(out).not.toContain(LINK);
  });

  it('writes JSON lines with LOG_FORMAT=json', () => {
    const { logger, read } = fileLogger({ LOG_LEVEL: 'info', LOG_FORMAT: 'json' });
    logger.info({ kind: 'breach', record: 'incident c0ffee' }, 'mail sent: breach about incident c0ffee');
    expect(JSON.parse(read())).toMatchObject({ level: 30, msg: 'mail sent: breach about incident c0ffee', record: 'incident c0ffee' });
  });

  it('logs each request at the level the process asks for: debug in the embedded stack, info by default', async () => {
    const levels = async (requestLogLevel?: ApiDeps['requestLogLevel']) => {
      const { logger, read } = fileLogger({ LOG_LEVEL: 'debug', LOG_FORMAT: 'json' });
      await supertest(createApp({ logger, requestLogLevel } as ApiDeps)).get('/nowhere');
      return read().trim().split('\n').map((line) => JSON.parse(line) as { level: number; msg: string }).filter((line) => line.msg === 'request completed').map((line) => line.level);
    };
    expect(await levels()).toEqual([30]);
    expect(await levels('debug')).toEqual([20]);
  });
});
