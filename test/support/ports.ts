import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';

/** A port the OS just handed out and released; good enough for a test run on one machine. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Variables for an embedded stack of its own: a fresh DATA_DIR under `parentDir` and free ports for every part. */
export async function embeddedStackVars(parentDir: string, prefix: string): Promise<Record<string, string>> {
  const [port, temporalPort, temporalUiPort, smtpPort, mailUiPort, metricsPort, sdkMetricsPort, mailInPort] = await Promise.all([freePort(), freePort(), freePort(), freePort(), freePort(), freePort(), freePort(), freePort()]);
  return {
    DATA_DIR: mkdtempSync(path.join(parentDir, prefix)),
    PORT: String(port),
    TEMPORAL_PORT: String(temporalPort),
    TEMPORAL_UI_PORT: String(temporalUiPort),
    SMTP_PORT: String(smtpPort),
    MAIL_UI_PORT: String(mailUiPort),
    MAIL_IN_SMTP_PORT: String(mailInPort),
    // A stack started beside `npm start` (the bench, fuzz) must not take its metrics ports either.
    WORKER_METRICS_PORT: String(metricsPort),
    TEMPORAL_SDK_METRICS_PORT: String(sdkMetricsPort),
  };
}
