// `npm run fuzz [-- --runs 10000 --seed 42]`: generated requests against every endpoint of a freshly started
// embedded stack (real HTTP, Temporal, PGlite, SMTP). Exits non-zero on any 5xx or half-written record.
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { parseArgs } from 'node:util';
import { loadEnv } from '../../config/env';
import { startStack } from '../../scripts/stack';
import { embeddedStackVars } from '../support/ports';
import { workflowExistsIn } from '../support/workflows';
import { fieldNamesFromOpenApi, fuzzApi, halfWrittenRecords, requestArbitrary, routesFromOpenApi, type Send } from './api-fuzz';

async function main() {
  const { values } = parseArgs({ options: { runs: { type: 'string', default: '10000' }, seed: { type: 'string', default: String(Date.now() % 1_000_000) } } });
  const runs = Number(values.runs);
  const seed = Number(values.seed);
  // Thousands of requests a minute with one token: the fuzz looks for 5xx, not for the rate limits.
  const env = loadEnv({ ...(await embeddedStackVars(tmpdir(), 'itsm-fuzz-')), LOG_LEVEL: 'fatal', RATE_LIMIT_API_PER_MINUTE: '1000000', RATE_LIMIT_UNAUTHENTICATED_PER_MINUTE: '1000000' });
  const dataDir = env.DATA_DIR;
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
    const halfWritten = await halfWrittenRecords(prisma, workflowExistsIn(stack.temporal));
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
