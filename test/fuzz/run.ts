// `npm run fuzz [-- --runs 10000 --seed 42]`: generated requests against every endpoint of a freshly started
// embedded stack (real HTTP, Temporal, PGlite, SMTP). Exits non-zero on any 5xx or half-written record.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { WorkflowNotFoundError } from '@temporalio/client';
import { loadEnv } from '../../config/env';
import { startStack } from '../../scripts/stack';
import { freePort } from '../support/ports';
import { fieldNamesFromOpenApi, fuzzApi, halfWrittenRecords, requestArbitrary, routesFromOpenApi, type Send } from './api-fuzz';

async function main() {
  const { values } = parseArgs({ options: { runs: { type: 'string', default: '10000' }, seed: { type: 'string', default: String(Date.now() % 1_000_000) } } });
  const runs = Number(values.runs);
  const seed = Number(values.seed);
  const dataDir = mkdtempSync(path.join(tmpdir(), 'itsm-fuzz-'));
  const [port, temporalPort, temporalUiPort, smtpPort, mailUiPort] = await Promise.all([freePort(), freePort(), freePort(), freePort(), freePort()]);
  const env = loadEnv({
    DATA_DIR: dataDir,
    PORT: String(port),
    TEMPORAL_PORT: String(temporalPort),
    TEMPORAL_UI_PORT: String(temporalUiPort),
    SMTP_PORT: String(smtpPort),
    MAIL_UI_PORT: String(mailUiPort),
    LOG_LEVEL: 'fatal',
  });
  console.log(`fuzz: starting the embedded stack in ${dataDir}`);
  const stack = await startStack(env, () => undefined);
  let failed = false;
  try {
    const token = stack.tokens!.admin;
    const document = (await (await fetch(`${stack.apiUrl}/openapi.json`)).json()) as Parameters<typeof routesFromOpenApi>[0] & Parameters<typeof fieldNamesFromOpenApi>[0];
    const prisma = stack.db.prisma;
    const service = await prisma.service.findFirstOrThrow();
    const created = await fetch(`${stack.apiUrl}/api/incidents`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ title: 'Fuzz target', impact: 'low', urgency: 'low', serviceId: service.id }),
    });
    const ids = [((await created.json()) as { id: string }).id, service.id, (await prisma.businessCalendar.findFirstOrThrow()).id, (await prisma.slaPolicy.findFirstOrThrow()).id];
    const send: Send = async ({ method, path: target, headers, body }) => {
      const response = await fetch(`${stack.apiUrl}${target}`, { method, headers, body });
      await response.arrayBuffer();
      return { status: response.status, contentType: response.headers.get('content-type') ?? '' };
    };
    const started = Date.now();
    console.log(`fuzz: ${runs} requests, seed ${seed}`);
    const report = await fuzzApi(send, requestArbitrary(routesFromOpenApi(document), fieldNamesFromOpenApi(document), ids, token), { runs, seed }).catch((error: Error) => {
      failed = true;
      console.error(error.message);
      return null;
    });
    if (report) {
      console.log(`fuzz: ${report.requests} requests in ${((Date.now() - started) / 1000).toFixed(1)} s, 5xx: ${report.serverErrors}, by status: ${JSON.stringify(report.byStatus)}`);
    }
    const exists = (workflowId: string) =>
      stack.temporal.workflow.getHandle(workflowId).describe().then(
        () => true,
        (error) => !(error instanceof WorkflowNotFoundError),
      );
    const halfWritten = await halfWrittenRecords(prisma, exists);
    console.log(`fuzz: half-written records: ${halfWritten.length}`);
    for (const line of halfWritten) console.log(`  ${line}`);
    failed ||= halfWritten.length > 0;
  } finally {
    await stack.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
  process.exit(failed ? 1 : 0);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
