// `npm run chaos [-- --incidents 200 --seed 7] [--cluster]`: the stack as separate processes (Temporal, worker, API)
// on PostgreSQL (PGlite cannot be shared between processes), SIGKILLed at random moments while incidents with
// second-scale SLAs run; then checks that every due escalation and mail happened exactly once. Temporal is the dev
// server, killed whole, or with --cluster the full server on PostgreSQL, whose history service is the one killed.
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
import { databaseUrl, withAdminClient } from '../test/support/postgres';
import { freePort } from '../test/support/ports';
import { createSecondScaleService } from '../test/support/sla-fixtures';
import { workflowExistsIn } from '../test/support/workflows';
import { startChaosCluster, startChaosDevServer } from './chaos-temporal';

const ROOT = path.resolve(__dirname, '..');
const EXPECTED_KEYS = [
  'response:warning:0.5', 'response:warning:0.75', 'response:warning:0.9', 'response:breach',
  'resolution:warning:0.5', 'resolution:warning:0.75', 'resolution:warning:0.9', 'resolution:breach',
  'escalation:1', 'escalation:2',
];

const { values } = parseArgs({
  options: {
    incidents: { type: 'string', default: '200' },
    seed: { type: 'string', default: String(Date.now() % 100_000) },
    cluster: { type: 'boolean', default: false },
  },
});
const incidentCount = Number(values.incidents);
let seed = Number(values.seed);
const random = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Kill {
  part: string;
  atSeconds: number;
  downSeconds: number;
  /** SLA events whose due time fell while the part was down (filled in after the run). */
  slaEventsDueWhileDown?: number;
}

async function main() {
  const started = Date.now();
  const secondsSinceStart = (at: number) => Math.round((at - started) / 100) / 10;
  const runDir = mkdtempSync(path.join(os.tmpdir(), 'itsm-chaos-'));
  const dbName = `itsm_chaos_${Date.now()}`;
  // Undone in reverse order whatever happens, so no Temporal server, worker or API outlives the run.
  const teardown: Array<() => Promise<unknown>> = [];
  const undoAll = async () => {
    for (const undo of teardown.splice(0).reverse()) await undo().catch((error: Error) => console.error(`chaos: teardown: ${error.message}`));
  };
  // The children are detached (a kill takes each one's group whole), so Ctrl-C reaches only this process.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void undoAll().finally(() => process.exit(130)));
  let passed = false;
  try {
    const [apiPort, smtpPort, mailUiPort] = await Promise.all([freePort(), freePort(), freePort()]);
    await withAdminClient((client) => client.query(`CREATE DATABASE "${dbName}"`));
    teardown.push(() => withAdminClient((c) => c.query(`DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`)));
    const db = await openDatabase({ url: databaseUrl(dbName), dataDir: runDir });
    teardown.push(() => db.close());
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

    const temporal = await (values.cluster ? startChaosCluster(runDir) : startChaosDevServer(runDir));
    teardown.push(() => temporal.stop());
    const catcher = await startMailCatcher({ smtpPort, uiPort: mailUiPort });
    teardown.push(() => catcher.stop());
    console.log(`chaos: ${values.cluster ? 'Temporal cluster on PostgreSQL' : 'Temporal dev server'} at ${temporal.address}, seed ${values.seed}`);
    const childEnv = {
      ...process.env,
      DATABASE_URL: databaseUrl(dbName),
      TEMPORAL_ADDRESS: temporal.address,
      SMTP_URL: catcher.smtpUrl,
      PORT: String(apiPort),
      LOG_LEVEL: 'error',
      DATA_DIR: runDir,
      // Off, so the worker never competes for the metrics ports of a stack running beside the chaos run.
      WORKER_METRICS_PORT: '0',
      TEMPORAL_SDK_METRICS_PORT: '0',
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
    const kill = (child: ChildProcess) => new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once('exit', () => resolve());
      process.kill(-child.pid!, 'SIGKILL');
    });
    const parts: Record<'worker' | 'api', ChildProcess> = { worker: await startPart('worker'), api: await startPart('api') };
    teardown.push(async () => {
      for (const child of Object.values(parts)) await kill(child);
    });

    // Killing Temporal before the first deadline would test only the intake, and after the last only the recovery.
    // The first kill is therefore Temporal's, once SLA events are being written and while incidents are still being
    // opened, so its outage falls among due events (checked after the run); the other five in random order.
    const slaEventsFlowing = async () => {
      for (let waited = 0; waited < 60_000; waited += 500) {
        const [{ n }] = await db.prisma.$queryRaw<{ n: bigint }[]>`SELECT count(*) AS n FROM "IncidentEvent" WHERE type LIKE 'sla.%'`;
        if (n > 0n) return;
        await sleep(500);
      }
    };

    const victims = ['worker', 'api', 'temporal'] as const;
    const plan = ['temporal' as const, ...(['worker', 'api', 'worker', 'api', 'temporal'] as const).toSorted(() => random() - 0.5)];
    const nameOf = (part: (typeof victims)[number]) => (part === 'temporal' ? temporal.victim : part);
    const kills: Kill[] = [];
    const outages: { kill: Kill; from: number; to: number }[] = [];
    const chaos = (async () => {
      for (const part of plan) {
        await (kills.length === 0 ? slaEventsFlowing() : sleep(3_000 + random() * 7_000));
        const downAt = Date.now();
        console.log(`chaos: SIGKILL ${nameOf(part)} at ${secondsSinceStart(downAt)}s`);
        const pauseMs = 1_000 + random() * 2_000;
        if (part === 'temporal') {
          await temporal.crash(pauseMs);
        } else {
          await kill(parts[part]);
          await sleep(pauseMs);
          parts[part] = await startPart(part);
        }
        const backAt = Date.now();
        const record: Kill = { part: nameOf(part), atSeconds: secondsSinceStart(downAt), downSeconds: Math.round((backAt - downAt) / 100) / 10 };
        kills.push(record);
        outages.push({ kill: record, from: downAt, to: backAt });
      }
    })();
    // Awaited after the opener; until then a failure must not count as unhandled, which would skip the teardown.
    chaos.catch(() => undefined);

    // The opener keeps raising incidents through the API, retrying while the API or Temporal is down.
    const confirmed: string[] = [];
    let refused = 0;
    for (let i = 0; i < incidentCount; i++) {
      // Bounded by time, not attempts: on a loaded machine a killed API takes tens of seconds to start again.
      for (const since = Date.now(); ; ) {
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
        if (Date.now() - since > 180_000) throw new Error('the API never came back');
        await sleep(500);
      }
      await sleep(150);
    }
    await chaos;
    console.log(`chaos: ${confirmed.length} incidents confirmed (${refused} attempts refused while parts were down); waiting for their SLA timelines`);

    const connection = await Connection.connect({ address: temporal.address });
    teardown.push(() => connection.close());
    const workflowExists = workflowExistsIn(new Client({ connection }));
    // Mail has a task queue of its own and may trail the SLA events; settled is every event written and every mail
    // row sent, with no new row over one poll.
    const deadline = Date.now() + 240_000;
    for (let previousRows = -1; Date.now() < deadline; await sleep(2_000)) {
      const [state] = await db.prisma.$queryRaw<{ incomplete: bigint; unsent: bigint; rows: bigint }[]>`SELECT
        (SELECT count(*) FROM "Incident" i WHERE (SELECT count(*) FROM "IncidentEvent" e WHERE e."incidentId" = i.id AND e.type LIKE 'sla.%') < ${EXPECTED_KEYS.length}) AS incomplete,
        (SELECT count(*) FROM "Notification" WHERE status <> 'sent') AS unsent,
        (SELECT count(*) FROM "Notification") AS rows`;
      if (state.incomplete === 0n && state.unsent === 0n && Number(state.rows) === previousRows) break;
      previousRows = Number(state.rows);
    }
    await sleep(3_000); // room for anything that would repeat

    const problems: string[] = [];
    const incidents = await db.prisma.incident.findMany({ select: { id: true, workflowId: true, resolutionDueAt: true } });
    const known = new Set(incidents.map((i) => i.id));
    for (const id of confirmed) if (!known.has(id)) problems.push(`confirmed incident ${id} is missing`);
    let escalations = 0;
    const dueTimes: number[] = [];
    for (const incident of incidents) {
      const events = await db.prisma.incidentEvent.findMany({ where: { incidentId: incident.id }, select: { type: true, data: true } });
      const sla = events.filter((e) => e.type.startsWith('sla.')).map((e) => e.data as { key: string; dueAt: string | null });
      const keys = sla.map((data) => data.key);
      for (const data of sla) if (data.dueAt) dueTimes.push(Date.parse(data.dueAt));
      escalations += keys.filter((key) => key.startsWith('escalation:')).length;
      const missing = EXPECTED_KEYS.filter((key) => !keys.includes(key));
      const repeated = keys.filter((key, index) => keys.indexOf(key) !== index);
      if (missing.length) problems.push(`${incident.id}: missing ${missing.join(', ')}`);
      if (repeated.length) problems.push(`${incident.id}: repeated ${repeated.join(', ')}`);
      if (!events.some((e) => e.type === 'opened') || !incident.resolutionDueAt) problems.push(`${incident.id}: half-written (no opening event or no deadline)`);
      if (!(await workflowExists(incident.workflowId))) problems.push(`${incident.id}: no workflow`);
    }
    for (const { kill, from, to } of outages) kill.slaEventsDueWhileDown = dueTimes.filter((due) => due >= from && due <= to).length;
    const temporalKills = kills.filter((k) => k.part === temporal.victim);
    if (!temporalKills.some((k) => k.slaEventsDueWhileDown! > 0)) problems.push(`no ${temporal.victim} kill fell while SLA events were due`);
    const notifications = await db.prisma.notification.findMany();
    for (const row of notifications) if (row.status !== 'sent') problems.push(`notification ${row.idempotencyKey} not sent`);
    const mails = await readInbox(catcher.inboxUrl);
    const mailCounts = new Map<string, number>();
    const messageIds = new Map<string, Set<string>>();
    for (const mail of mails) {
      const key = mail.headers['x-itsm-idempotency-key'];
      mailCounts.set(key, (mailCounts.get(key) ?? 0) + 1);
      messageIds.set(key, (messageIds.get(key) ?? new Set()).add(mail.headers['message-id']));
    }
    // A second message is a duplicate. A copy with the first's Message-ID is the same message handed over again
    // (SMTP has no transactions: a crash between the server's acceptance and the row marked sent resends it);
    // RFC 5322 makes the Message-ID the message's identity, and mail stores drop the copy. Counted, not failed.
    const delivered = [...mailCounts.entries()].filter(([, count]) => count > 1);
    const duplicateMails = delivered.filter(([key]) => messageIds.get(key)!.size > 1);
    const resentCopies = delivered.filter(([key]) => messageIds.get(key)!.size === 1);
    // When each attempt began and ended, to set beside the kills.
    const attemptsOf = (key: string) => {
      const row = notifications.find((n) => n.idempotencyKey === key);
      const sameId = messageIds.get(key)!.size === 1 ? 'one Message-ID' : 'different Message-IDs';
      return row ? `; ${sameId}, ${row.attempts} attempts, row created at ${secondsSinceStart(row.createdAt.getTime())}s, marked sent at ${row.sentAt ? `${secondsSinceStart(row.sentAt.getTime())}s` : 'never'}` : '';
    };
    for (const [key, count] of duplicateMails) problems.push(`mail ${key} delivered ${count} times${attemptsOf(key)}`);
    for (const [key, count] of resentCopies) console.log(`chaos: mail ${key} handed over ${count} times as one message${attemptsOf(key)}`);
    for (const row of notifications) if (!mailCounts.has(row.idempotencyKey)) problems.push(`mail ${row.idempotencyKey} recorded (${row.status}) but not delivered`);

    const counts = {
      configuration: values.cluster ? 'cluster' : 'dev server',
      seconds: Math.round((Date.now() - started) / 1000),
      incidents: incidents.length,
      confirmedByApi: confirmed.length,
      kills: kills.length,
      killsByPart: Object.fromEntries(victims.map(nameOf).map((part) => [part, kills.filter((k) => k.part === part).length])),
      slaEventsExpected: incidents.length * EXPECTED_KEYS.length,
      slaEventsRecorded: dueTimes.length,
      escalations,
      notifications: notifications.length,
      mailsDelivered: mails.length,
      duplicateMails: duplicateMails.length,
      resentSameMessageId: resentCopies.length,
      problems: problems.length,
    };
    console.log(JSON.stringify({ kills, counts }, null, 2));
    for (const problem of problems.slice(0, 50)) console.log(`PROBLEM ${problem}`);
    passed = problems.length === 0 && kills.length >= 6 && incidents.length >= incidentCount;
  } finally {
    await undoAll();
    // The logs of a failed run (the cluster's service logs among them) stay for a look.
    if (passed) rmSync(runDir, { recursive: true, force: true });
    else console.log(`chaos: logs kept in ${runDir}`);
  }
  return passed;
}

main().then(
  (passed) => process.exit(passed ? 0 : 1),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
