// `npm run bench [-- --quick] [-- --only embedded|cluster]`: this process is the load generator; it starts the
// embedded stack (npm start) and then the cluster configuration (Temporal server processes on PostgreSQL, npm run
// api, npm run worker), measures each from outside, writes bench/results.json and the README's table.
// `-- --readme` only regenerates the README table from bench/results.json. Not part of npm test.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { envSchema } from '../config/env';
import { openDatabase, type Database } from '../prisma/database';
import { applyMigrations } from '../prisma/migrate';
import { seedDemoData } from '../prisma/seed';
import { databaseUrl, postgresReachable, withAdminClient } from '../test/support/postgres';
import { startClusterDeployment, startEmbedded, type Deployment, type DeploymentName, type DeploymentOptions } from './deployments';
import { benchListQuery } from './list-query';
import { benchTable, checkTargets, withBenchTable, type BenchReport, type PeerFigure } from './report';
import { round } from './load';
import { runScenario, type Recorded, type ScenarioSettings } from './scenario';

const ROOT = path.resolve(__dirname, '..');
const RESULTS = path.join(__dirname, 'results.json');
const README = path.join(ROOT, 'README.md');
const RT5_PEER = path.join(__dirname, 'peers', 'rt5.json');

const { values: flags } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    only: { type: 'string' },
    readme: { type: 'boolean', default: false },
    out: { type: 'string' },
  },
});

const workerCache = envSchema.shape.WORKER_MAX_CACHED_WORKFLOWS.parse(process.env.WORKER_MAX_CACHED_WORKFLOWS);

/** The full run, and --quick: every count 20× smaller (rates stay), one burst, shorter lateness windows. */
function scenarioSettings(quick: boolean): ScenarioSettings {
  const scale = (n: number) => (quick ? Math.max(1, Math.round(n / 20)) : n);
  return {
    repetitions: 3,
    connections: 20,
    rawStarts: scale(1_000),
    apiOnlyIntakes: scale(1_000),
    sustainedIntakes: scale(1_000),
    rssCheckpoints: [1_000, 10_000, 30_000].map(scale),
    latenessRates: [5, 20, 50],
    latenessSeconds: quick ? 30 : 60,
    burstSize: scale(1_000),
    bursts: quick ? 1 : 3,
    burstTargetSeconds: 5,
    workerCache,
  };
}

/** The list query on a PGlite and on a PostgreSQL database of its own, each migrated, seeded and filled. */
async function listQueries(rows: number, samples: number) {
  const measure = async (db: Database) => {
    try {
      await applyMigrations(db.adapterFactory);
      await seedDemoData(db.prisma);
      return await benchListQuery(db, rows, samples);
    } finally {
      await db.close();
    }
  };
  const dir = mkdtempSync(path.join(os.tmpdir(), 'itsm-bench-list-'));
  const pglite = await measure(await openDatabase({ dataDir: dir })).finally(() => rmSync(dir, { recursive: true, force: true }));
  if (!(await postgresReachable())) return { pglite, postgresql: 'skipped: PostgreSQL not reachable (DATABASE_URL_TEST)' };
  const name = `itsm_bench_list_${Date.now()}`;
  await withAdminClient((client) => client.query(`CREATE DATABASE "${name}"`));
  const postgresql = await measure(await openDatabase({ url: databaseUrl(name), dataDir: os.tmpdir() })).finally(() =>
    withAdminClient((client) => client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)),
  );
  return { pglite, postgresql };
}

function readPeer(file: string): PeerFigure | null {
  if (!existsSync(file)) return null;
  const peer = JSON.parse(readFileSync(file, 'utf8')) as PeerFigure;
  return typeof peer.ticketsPerSecond === 'number' ? peer : null;
}

function earlierConfigurations(only: string): Pick<BenchReport, 'configurations' | 'targets'> | undefined {
  if (!existsSync(RESULTS)) return undefined;
  const earlier = JSON.parse(readFileSync(RESULTS, 'utf8')) as Partial<BenchReport>;
  if (!earlier.configurations || earlier.quick) return undefined;
  const others = Object.entries(earlier.configurations).filter(([name]) => name !== only);
  return {
    configurations: Object.fromEntries(others.map(([name, result]) => [name, { ...result, takenAt: ('takenAt' in result ? result.takenAt : undefined) ?? earlier.takenAt }])),
    targets: (earlier.targets ?? []).filter((target) => target.configuration !== only),
  };
}

function updateReadme(report: BenchReport) {
  const readme = readFileSync(README, 'utf8');
  const updated = withBenchTable(readme, benchTable(report));
  if (updated === readme) console.log('README.md: no bench-table markers, or the table is unchanged');
  else writeFileSync(README, updated);
}

async function main() {
  if (flags.readme) {
    // The peer figure is measured on its own (bench/peers/measure-rt5.ts); a newer one is taken into both.
    const earlier = JSON.parse(readFileSync(RESULTS, 'utf8')) as BenchReport;
    const report: BenchReport = { ...earlier, peers: { rt5: readPeer(RT5_PEER) ?? earlier.peers?.rt5 ?? null } };
    writeFileSync(RESULTS, `${JSON.stringify(report, null, 2)}\n`);
    updateReadme(report);
    return;
  }
  const quick = flags.quick!;
  // The no-op worker's lines (webpack statistics, slow tasks under the load) would bury the progress lines.
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  const settings = scenarioSettings(quick);
  const machine = { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model, memoryGiB: Math.round(os.totalmem() / 2 ** 30), node: process.version, platform: `${os.platform()} ${os.release()}` };
  console.log(`machine: ${machine.cpus} cores (${machine.cpuModel}), ${machine.memoryGiB} GiB, Node ${machine.node}`);
  console.log(`settings: ${JSON.stringify(settings)}`);
  const runDir = mkdtempSync(path.join(os.tmpdir(), 'itsm-bench-'));
  console.log(`logs of every process: ${runDir}`);
  // What every product process gets: the sizing under test, and no per-token limit in the way of the load.
  const processSettings = { LOG_LEVEL: 'warn', LOG_FORMAT: 'json', RATE_LIMIT_API_PER_MINUTE: '100000000', WORKER_MAX_CACHED_WORKFLOWS: String(workerCache) };
  const options: DeploymentOptions = { runDir, latenessRates: settings.latenessRates, bursts: settings.bursts, settings: processSettings };
  const starters = { embedded: startEmbedded, cluster: startClusterDeployment } as const;
  const names = (['embedded', 'cluster'] as const).filter((name) => !flags.only || flags.only === name);
  const report: BenchReport = { takenAt: new Date().toISOString(), quick, machine, settings: { ...settings }, configurations: {}, peers: { rt5: readPeer(RT5_PEER) } };
  // A full run of one configuration keeps the other's figures from the last full run, each with when it was taken.
  const kept = flags.only && !quick ? earlierConfigurations(flags.only) : undefined;
  if (kept) {
    report.configurations = kept.configurations;
    report.targets = kept.targets;
  }
  let failed = false;
  // Its processes are detached (each signal reaches one group), so a stopped bench stops them itself; left running
  // they would hold the next run's ports and databases.
  let running: Deployment | undefined;
  let interrupted: Promise<void> | undefined;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      interrupted = (running?.stop() ?? Promise.resolve()).finally(() => process.exit(130));
    });
  }
  const out = flags.out ?? (quick ? path.join(os.tmpdir(), 'itsm-bench-quick-results.json') : RESULTS);
  // Written after each configuration too, so one measured before a later one fails or is stopped is kept.
  const save = () => writeFileSync(out, `${JSON.stringify(report, null, 2)}\n`);
  for (const name of names as DeploymentName[]) {
    if (interrupted) return interrupted;
    console.log(`${name}: starting ...`);
    try {
      const deployment = await starters[name](options);
      running = deployment;
      try {
        console.log(`${name}: ${deployment.layout}`);
        // The one-minute load average at each phase shows whether anything besides the bench used the cores.
        const loadAverages: number[] = [];
        const measuredFile = path.join(runDir, `${name}-measured.json`);
        const keep = (recorded: Recorded) => {
          loadAverages.push(round(os.loadavg()[0], 2));
          writeFileSync(measuredFile, `${JSON.stringify({ configuration: name, at: new Date().toISOString(), loadAverages, recorded }, null, 2)}\n`);
        };
        console.log(`${name}: what is measured so far goes to ${measuredFile} after each phase`);
        const result = await runScenario(deployment, settings, (line) => console.log(`${name}:${line}`), keep);
        report.configurations[name] = { ...result, loadAverages, takenAt: report.takenAt };
        report.targets = [...(report.targets ?? []), ...checkTargets(name, result)];
        save();
      } finally {
        await deployment.stop();
        running = undefined;
      }
    } catch (error) {
      failed = true;
      console.error(`${name}: failed: ${(error as Error).stack}`);
      report.configurations[name] = { error: (error as Error).message };
    }
  }
  if (interrupted) return interrupted;
  const listRows = quick ? 5_000 : 100_000;
  console.log(`list query over ${listRows} incidents ...`);
  report.listQuery = await listQueries(listRows, quick ? 50 : 300);
  save();
  console.log(`\n${benchTable(report)}\n\nwritten to ${out}`);
  if (!quick && !failed) updateReadme(report);
  if (!failed) rmSync(runDir, { recursive: true, force: true });
  process.exit(failed ? 1 : 0);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
