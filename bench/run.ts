// `npm run bench [-- --n 2000 --c 20 --open 10000 --lateness 200 --rows 100000]`: measures the embedded stack it
// starts itself and prints ratios taken in one run; writes bench/results.json. Not part of npm test.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { NativeConnection, Worker } from '@temporalio/worker';
import autocannon from 'autocannon';
import { loadEnv } from '../config/env';
import { openDatabase } from '../prisma/database';
import { applyMigrations } from '../prisma/migrate';
import { seedDemoData } from '../prisma/seed';
import { startStack, type Stack } from '../scripts/stack';
import { databaseUrl, postgresReachable, withAdminClient } from '../test/support/postgres';
import { embeddedStackVars } from '../test/support/ports';
import { createSecondScaleService } from '../test/support/sla-fixtures';
import { benchListQuery } from './list-query';
import { benchTable } from './report';
import { pool, summary } from './stats';

const { values: flags } = parseArgs({
  options: {
    n: { type: 'string', default: '2000' },
    c: { type: 'string', default: '20' },
    open: { type: 'string', default: '10000' },
    lateness: { type: 'string', default: '200' },
    rows: { type: 'string', default: '100000' },
    samples: { type: 'string', default: '300' },
  },
});
const settings = {
  n: Number(flags.n),
  c: Number(flags.c),
  openIncidents: Number(flags.open),
  latenessIncidents: Number(flags.lateness),
  listRows: Number(flags.rows),
  listSamples: Number(flags.samples),
};

async function rawTemporalStarts(stack: Stack, address: string) {
  const connection = await NativeConnection.connect({ address });
  const worker = await Worker.create({ connection, taskQueue: 'bench-raw', workflowsPath: require.resolve('./workflows') });
  const running = worker.run();
  const run = Date.now().toString(36);
  const ms = await pool(settings.n, settings.c, async (i) => {
    await stack.temporal.workflow.start('benchNoop', { taskQueue: 'bench-raw', workflowId: `bench-raw-${run}-${i}` });
  });
  worker.shutdown();
  await running;
  await connection.close();
  return { startsPerSecond: Math.round((settings.n / ms) * 1000) };
}

async function apiIntake(stack: Stack, token: string, serviceId: string, amount: number) {
  const result = await autocannon({
    url: `${stack.apiUrl}/api/incidents`,
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ title: 'Bench intake', description: 'autocannon', impact: 'low', urgency: 'low', serviceId }),
    connections: settings.c,
    amount,
    timeout: 60,
  });
  return {
    incidentsPerSecond: Math.round(result.requests.total / result.duration),
    latencyMs: { p50: result.latency.p50, p99: result.latency.p99, max: result.latency.max },
    non2xx: result.non2xx,
    errors: result.errors,
  };
}

/** K incidents opened together, so their deadlines all fall within the same second or two; lateness = fired - due. */
async function escalationLateness(stack: Stack, token: string) {
  const owner = await stack.db.prisma.user.findUniqueOrThrow({ where: { email: 'li.wei@itsm.local' } });
  const service = await createSecondScaleService(stack.db.prisma, {
    code: `BENCH${Date.now()}`,
    ownerId: owner.id,
    scaleByPriority: false,
    policy: {
      responseSeconds: 15,
      resolutionSeconds: 16,
      escalationChain: [
        { level: 1, atFraction: 1, notify: ['serviceOwner'] },
        { level: 2, atFraction: 1.1, notify: ['serviceOwner'] },
      ],
    },
  });
  const ids: string[] = [];
  await pool(settings.latenessIncidents, settings.c, async () => {
    const response = await fetch(`${stack.apiUrl}/api/incidents`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ title: 'Lateness probe', impact: 'low', urgency: 'low', serviceId: service.id }),
    });
    ids.push(((await response.json()) as { id: string }).id);
  });
  // Per incident: 3 warnings and a breach on each of the two clocks, and 2 escalation levels.
  const expected = ids.length * 10;
  const deadline = Date.now() + 120_000;
  let events: { data: unknown; at: Date }[] = [];
  while (Date.now() < deadline) {
    events = await stack.db.prisma.incidentEvent.findMany({ where: { incidentId: { in: ids }, type: { startsWith: 'sla.' } }, select: { data: true, at: true } });
    if (events.length >= expected) break;
    await new Promise((resolve) => setTimeout(resolve, 1_000));
  }
  const lateness = events.map((event) => event.at.getTime() - Date.parse((event.data as { dueAt: string }).dueAt));
  const escalations = events.filter((event) => (event.data as { key: string }).key.startsWith('escalation:'));
  return {
    incidents: ids.length,
    events: events.length,
    allMs: summary(lateness),
    escalationsMs: summary(escalations.map((event) => event.at.getTime() - Date.parse((event.data as { dueAt: string }).dueAt))),
  };
}

/** Seconds until every incident's workflow has recorded its opening and deadlines: the worker's backlog is gone. */
async function drainSeconds(stack: Stack) {
  const started = performance.now();
  const target = await stack.db.prisma.incident.count();
  for (let i = 0; i < 900; i++) {
    const initialised = await stack.db.prisma.incident.count({ where: { resolutionDueAt: { not: null } } });
    if (initialised >= target) break;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  return Math.round((performance.now() - started) / 100) / 10;
}

async function rssWithOpenIncidents(stack: Stack, token: string, serviceId: string) {
  const before = process.memoryUsage().rss;
  const intake = await apiIntake(stack, token, serviceId, settings.openIncidents);
  const backlogDrainSeconds = await drainSeconds(stack);
  const open = await stack.db.prisma.incident.count({ where: { state: { not: 'closed' } } });
  const rss = process.memoryUsage().rss;
  return { openIncidents: open, intakeIncidentsPerSecond: intake.incidentsPerSecond, backlogDrainSeconds, rssMiB: Math.round(rss / 2 ** 20), rssGrowthMiB: Math.round((rss - before) / 2 ** 20), kibPerOpenIncident: Math.round((rss - before) / 1024 / Math.max(1, open)) };
}

async function listQueries() {
  const results: Record<string, unknown> = {};
  const dir = mkdtempSync(path.join(os.tmpdir(), 'itsm-bench-db-'));
  const pglite = await openDatabase({ dataDir: dir });
  try {
    await applyMigrations(pglite.adapterFactory);
    await seedDemoData(pglite.prisma);
    results.pglite = await benchListQuery(pglite, settings.listRows, settings.listSamples);
  } finally {
    await pglite.close();
    rmSync(dir, { recursive: true, force: true });
  }
  if (await postgresReachable()) {
    const name = `itsm_bench_${Date.now()}`;
    await withAdminClient((client) => client.query(`CREATE DATABASE "${name}"`));
    const postgres = await openDatabase({ url: databaseUrl(name), dataDir: os.tmpdir() });
    try {
      await applyMigrations(postgres.adapterFactory);
      await seedDemoData(postgres.prisma);
      results.postgresql = await benchListQuery(postgres, settings.listRows, settings.listSamples);
    } finally {
      await postgres.close();
      await withAdminClient((client) => client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
    }
  } else {
    results.postgresql = 'skipped: PostgreSQL not reachable (DATABASE_URL_TEST)';
  }
  return results;
}

async function main() {
  const machine = { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model, memoryGiB: Math.round(os.totalmem() / 2 ** 30), node: process.version, platform: `${os.platform()} ${os.release()}` };
  console.log(`machine: ${machine.cpus} cores (${machine.cpuModel}), ${machine.memoryGiB} GiB, Node ${machine.node}`);
  console.log(`settings: ${JSON.stringify(settings)}`);
  const env = loadEnv({ ...(await embeddedStackVars(os.tmpdir(), 'itsm-bench-')), LOG_LEVEL: 'fatal' });
  const dataDir = env.DATA_DIR;
  const stack = await startStack(env, () => undefined);
  const results: Record<string, unknown> = {};
  try {
    const token = stack.tokens!.admin;
    const desk = await stack.db.prisma.service.findUniqueOrThrow({ where: { code: 'DESK' } });
    console.log('1/5 raw Temporal starts ...');
    results.rawTemporal = await rawTemporalStarts(stack, `127.0.0.1:${env.TEMPORAL_PORT}`);
    console.log('2/5 API intake ...');
    const intake = await apiIntake(stack, token, desk.id, settings.n);
    // The worker initialises each new incident (audit event, policy, deadlines) after the API has answered; a burst
    // of intake leaves it a backlog, and timers of other incidents wait behind it. Measured, then drained.
    const backlogDrainSeconds = await drainSeconds(stack);
    results.apiIntake = { ...intake, ratioToRawStarts: Math.round((intake.incidentsPerSecond / (results.rawTemporal as { startsPerSecond: number }).startsPerSecond) * 100) / 100, backlogDrainSeconds };
    console.log('3/5 escalation lateness ...');
    results.escalationLateness = await escalationLateness(stack, token);
    console.log(`4/5 worker RSS with ${settings.openIncidents} more open incidents ...`);
    results.memory = await rssWithOpenIncidents(stack, token, desk.id);
  } finally {
    await stack.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
  console.log(`5/5 list query over ${settings.listRows} incidents ...`);
  results.listQuery = await listQueries();
  const report = { takenAt: new Date().toISOString(), machine, settings, results };
  writeFileSync(path.join(__dirname, 'results.json'), `${JSON.stringify(report, null, 2)}\n`);
  console.log(benchTable(report));
  process.exit(0);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
