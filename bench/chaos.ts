// `npm run chaos [-- --incidents 200 --seed 7]`: the stack as separate processes (Temporal dev server, worker,
// API) on PostgreSQL (PGlite cannot be shared between processes), SIGKILLed at random moments while incidents
// with second-scale SLAs run; then checks that every due escalation and mail happened exactly once.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import { generateToken } from '../api/tokens';
import { openDatabase } from '../prisma/database';
import { applyMigrations } from '../prisma/migrate';
import { seedDemoData, setUserToken } from '../prisma/seed';
import { readInbox, startMailCatcher } from '../scripts/mail-catcher';
import { provisionTemporalCli } from '../temporal-config/cli';
import { startDevServer, type DevServer } from '../temporal-config/dev-server';
import { databaseUrl, withAdminClient } from '../test/support/postgres';
import { freePort } from '../test/support/ports';
import { createSecondScaleService } from '../test/support/sla-fixtures';
import { workflowExistsIn } from '../test/support/workflows';

const ROOT = path.resolve(__dirname, '..');
const EXPECTED_KEYS = [
  'response:warning:0.5', 'response:warning:0.75', 'response:warning:0.9', 'response:breach',
  'resolution:warning:0.5', 'resolution:warning:0.75', 'resolution:warning:0.9', 'resolution:breach',
  'escalation:1', 'escalation:2',
];

const { values } = parseArgs({ options: { incidents: { type: 'string', default: '200' }, seed: { type: 'string', default: String(Date.now() % 100_000) } } });
const incidentCount = Number(values.incidents);
let seed = Number(values.seed);
const random = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

type Part = 'worker' | 'api' | 'temporal';

async function main() {
  const started = Date.now();
  const runDir = mkdtempSync(path.join(os.tmpdir(), 'itsm-chaos-'));
  const dbName = `itsm_chaos_${Date.now()}`;
  const [apiPort, temporalPort, uiPort, smtpPort, mailUiPort] = await Promise.all([freePort(), freePort(), freePort(), freePort(), freePort()]);
  await withAdminClient((client) => client.query(`CREATE DATABASE "${dbName}"`));
  const db = await openDatabase({ url: databaseUrl(dbName), dataDir: runDir });
  await applyMigrations(db.adapterFactory);
  const users = await seedDemoData(db.prisma);
  const token = generateToken();
  await setUserToken(db.prisma, users.admin, 'chaos', token);
  const service = await createSecondScaleService(db.prisma, {
    code: 'CHAOS',
    ownerId: users.manager,
    scaleByPriority: false,
    policy: {
      responseSeconds: 20,
      resolutionSeconds: 24,
      escalationChain: [{ level: 1, atFraction: 1, notify: ['serviceOwner'] }, { level: 2, atFraction: 1.25, notify: ['serviceOwner', { userEmail: 'admin@itsm.local' }] }],
    },
  });

  const cli = await provisionTemporalCli();
  const temporalOptions = { binary: cli.path, dataDir: path.join(runDir, 'temporal'), port: temporalPort, uiPort, readyTimeoutMs: 120_000 };
  let temporal: DevServer = await startDevServer(temporalOptions);
  const catcher = await startMailCatcher({ smtpPort, uiPort: mailUiPort });
  const childEnv = {
    ...process.env,
    DATABASE_URL: databaseUrl(dbName),
    TEMPORAL_ADDRESS: temporal.address,
    SMTP_URL: catcher.smtpUrl,
    PORT: String(apiPort),
    LOG_LEVEL: 'error',
    DATA_DIR: runDir,
  };
  const apiUrl = `http://127.0.0.1:${apiPort}`;
  // Each part is the same command a person runs at scale, in its own process group so SIGKILL takes it whole.
  const startPart = async (part: 'worker' | 'api') => {
    let output = '';
    const child = spawn(process.execPath, [require.resolve('tsx/cli'), part === 'worker' ? 'workers/main.ts' : 'api/main.ts'], { cwd: ROOT, env: childEnv, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr!.resume();
    const ready = part === 'worker' ? async () => output.includes('worker polling') : () => fetch(`${apiUrl}/healthz`).then((r) => r.ok, () => false);
    for (let i = 0; i < 600 && !(await ready()); i++) await sleep(100);
    return child;
  };
  const parts: Record<'worker' | 'api', ChildProcess> = { worker: await startPart('worker'), api: await startPart('api') };
  const kill = (child: ChildProcess) => new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    process.kill(-child.pid!, 'SIGKILL');
  });

  // The kills: each part at least twice, at random moments while incidents are being opened and are running.
  const plan: Part[] = ['worker', 'api', 'temporal', 'worker', 'api', 'temporal'].sort(() => random() - 0.5) as Part[];
  const kills: { part: Part; atSeconds: number }[] = [];
  const chaos = (async () => {
    for (const part of plan) {
      await sleep(3_000 + random() * 7_000);
      kills.push({ part, atSeconds: Math.round((Date.now() - started) / 100) / 10 });
      console.log(`chaos: SIGKILL ${part}`);
      if (part === 'temporal') {
        process.kill(-temporal.process.pid!, 'SIGKILL');
        await new Promise((resolve) => temporal.process.once('exit', resolve));
        await sleep(1_000 + random() * 2_000);
        temporal = await startDevServer(temporalOptions);
      } else {
        await kill(parts[part]);
        await sleep(1_000 + random() * 2_000);
        parts[part] = await startPart(part);
      }
    }
  })();

  // The opener keeps raising incidents through the API, retrying while the API or Temporal is down.
  const confirmed: string[] = [];
  let refused = 0;
  for (let i = 0; i < incidentCount; i++) {
    for (let attempt = 0; ; attempt++) {
      try {
        const response = await fetch(`${apiUrl}/api/incidents`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: JSON.stringify({ title: `Chaos ${i}`, impact: 'medium', urgency: 'medium', serviceId: service.id }),
          signal: AbortSignal.timeout(15_000),
        });
        if (response.status === 201) {
          confirmed.push(((await response.json()) as { id: string }).id);
          break;
        }
        refused++;
      } catch {
        refused++;
      }
      if (attempt > 100) throw new Error('the API never came back');
      await sleep(500);
    }
    await sleep(150);
  }
  await chaos;
  console.log(`chaos: ${confirmed.length} incidents confirmed (${refused} attempts refused while parts were down); waiting for their SLA timelines`);

  const connection = await Connection.connect({ address: temporal.address });
  const workflowExists = workflowExistsIn(new Client({ connection }));
  const deadline = Date.now() + 180_000;
  let incomplete = Infinity;
  while (Date.now() < deadline && incomplete > 0) {
    const rows = await db.prisma.$queryRaw<{ n: bigint }[]>`SELECT count(*) AS n FROM "Incident" i WHERE (SELECT count(*) FROM "IncidentEvent" e WHERE e."incidentId" = i.id AND e.type LIKE 'sla.%') < ${EXPECTED_KEYS.length}`;
    incomplete = Number(rows[0].n);
    if (incomplete > 0) await sleep(2_000);
  }
  await sleep(3_000); // room for anything that would repeat

  const problems: string[] = [];
  const incidents = await db.prisma.incident.findMany({ select: { id: true, workflowId: true, resolutionDueAt: true } });
  const known = new Set(incidents.map((i) => i.id));
  for (const id of confirmed) if (!known.has(id)) problems.push(`confirmed incident ${id} is missing`);
  let escalations = 0;
  for (const incident of incidents) {
    const events = await db.prisma.incidentEvent.findMany({ where: { incidentId: incident.id }, select: { type: true, data: true } });
    const keys = events.filter((e) => e.type.startsWith('sla.')).map((e) => (e.data as { key: string }).key);
    escalations += keys.filter((key) => key.startsWith('escalation:')).length;
    const missing = EXPECTED_KEYS.filter((key) => !keys.includes(key));
    const repeated = keys.filter((key, index) => keys.indexOf(key) !== index);
    if (missing.length) problems.push(`${incident.id}: missing ${missing.join(', ')}`);
    if (repeated.length) problems.push(`${incident.id}: repeated ${repeated.join(', ')}`);
    if (!events.some((e) => e.type === 'opened') || !incident.resolutionDueAt) problems.push(`${incident.id}: half-written (no opening event or no deadline)`);
    if (!(await workflowExists(incident.workflowId))) problems.push(`${incident.id}: no workflow`);
  }
  const notifications = await db.prisma.notification.findMany();
  for (const row of notifications) if (row.status !== 'sent') problems.push(`notification ${row.idempotencyKey} not sent`);
  const mails = await readInbox(catcher.inboxUrl);
  const mailCounts = new Map<string, number>();
  for (const mail of mails) mailCounts.set(mail.headers['x-itsm-idempotency-key'], (mailCounts.get(mail.headers['x-itsm-idempotency-key']) ?? 0) + 1);
  const duplicateMails = [...mailCounts.entries()].filter(([, count]) => count > 1);
  for (const [key, count] of duplicateMails) problems.push(`mail ${key} delivered ${count} times`);
  for (const row of notifications) if (!mailCounts.has(row.idempotencyKey)) problems.push(`mail ${row.idempotencyKey} recorded as sent but not delivered`);

  const counts = {
    seconds: Math.round((Date.now() - started) / 1000),
    incidents: incidents.length,
    confirmedByApi: confirmed.length,
    kills: kills.length,
    killsByPart: Object.fromEntries((['worker', 'api', 'temporal'] as const).map((part) => [part, kills.filter((k) => k.part === part).length])),
    slaEventsExpected: incidents.length * EXPECTED_KEYS.length,
    escalations,
    notifications: notifications.length,
    mailsDelivered: mails.length,
    duplicateMails: duplicateMails.length,
    problems: problems.length,
  };
  console.log(JSON.stringify({ kills, counts }, null, 2));
  for (const problem of problems.slice(0, 50)) console.log(`PROBLEM ${problem}`);

  await connection.close();
  for (const child of Object.values(parts)) await kill(child);
  await temporal.stop();
  await catcher.stop();
  await db.close();
  await withAdminClient((c) => c.query(`DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`));
  rmSync(runDir, { recursive: true, force: true });
  process.exit(problems.length === 0 && kills.length >= 6 && incidents.length >= incidentCount ? 0 : 1);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
