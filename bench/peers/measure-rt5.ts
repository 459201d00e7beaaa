// `npx tsx bench/peers/measure-rt5.ts [--workers 4 --duration 30 --warmup 200 --runs 3 --c 20 --port 8095]`:
// measures Request Tracker 5's REST2 ticket-create rate on this machine and writes bench/peers/rt5.json, the
// external peer figure `npm run bench` divides our intake rate by. Needs root (Debian's request-tracker5 package is
// installed with apt-get when missing) and the local PostgreSQL. Not part of npm test or CI.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { environmentWithoutSecrets } from '../../config/child-env';
import { POSTGRES_ADMIN_URL, withAdminClient } from '../../test/support/postgres';

const { values: flags } = parseArgs({
  options: {
    workers: { type: 'string', default: '4' },
    duration: { type: 'string', default: '30' },
    warmup: { type: 'string', default: '200' },
    runs: { type: 'string', default: '3' },
    c: { type: 'string', default: '20' },
    port: { type: 'string', default: '8095' },
  },
});
const settings = {
  workers: Number(flags.workers),
  durationSeconds: Number(flags.duration),
  warmupTickets: Number(flags.warmup),
  runs: Number(flags.runs),
  connections: Number(flags.c),
  port: Number(flags.port),
};

const PACKAGES = ['request-tracker5', 'rt5-db-postgresql', 'starman'];
const RT_LIBEXEC = '/usr/share/request-tracker5/libexec';
const RT_LIB = '/usr/share/request-tracker5/lib';
// A database and role of its own, so RT's schema never meets ours and a rerun starts from an empty RT.
const RT_DATABASE = 'rt5_bench';
// RT's initial data gives root this password; the bench database is thrown away after the run.
const ROOT_LOGIN = { user: 'root', pass: 'password' };
const baseUrl = `http://127.0.0.1:${settings.port}`;
const ticketBody = JSON.stringify({ Queue: 'General', Subject: 'Bench intake', Content: 'autocannon' });

function packageVersion(name: string): string | undefined {
  try {
    const [status, version] = execFileSync('dpkg-query', ['-W', '-f=${Status}\t${Version}', name], { encoding: 'utf8' }).split('\t');
    return status.endsWith(' installed') ? version : undefined;
  } catch {
    return undefined;
  }
}

function installPackages() {
  if (PACKAGES.every((name) => packageVersion(name))) return;
  // The database is set up by this script in its own database, not by dbconfig-common in Debian's default `rtdb`.
  execFileSync('debconf-set-selections', { input: 'request-tracker5 request-tracker5/dbconfig-install boolean false\n' });
  execFileSync('apt-get', ['install', '-y', '-q', '--no-install-recommends', ...PACKAGES], {
    stdio: 'inherit',
    env: { ...environmentWithoutSecrets(), DEBIAN_FRONTEND: 'noninteractive' },
  });
}

function writeSiteConfig(directory: string) {
  const postgres = new URL(POSTGRES_ADMIN_URL);
  const lines = [
    `Set($rtname, 'bench');`,
    `Set($Organization, 'bench.local');`,
    `Set($DatabaseType, 'Pg');`,
    `Set($DatabaseHost, '${postgres.hostname}');`,
    `Set($DatabasePort, ${postgres.port || 5432});`,
    `Set($DatabaseName, '${RT_DATABASE}');`,
    `Set($DatabaseUser, '${RT_DATABASE}');`,
    `Set($DatabasePassword, '${RT_DATABASE}');`,
    `Set($DatabaseAdmin, '${decodeURIComponent(postgres.username) || 'postgres'}');`,
    `Set($WebPath, '');`,
    `Set($WebDomain, '127.0.0.1');`,
    `Set($WebPort, ${settings.port});`,
    `Set($WebBaseURL, '${baseUrl}');`,
    `Set($LogToSyslog, undef);`,
    `Set($LogToSTDERR, 'error');`,
    // Scrips still run on every create; a notification they produce is written to a file instead of reaching an MTA.
    `Set($MailCommand, 'mbox');`,
    '1;',
  ];
  const siteConfig = path.join(directory, 'RT_SiteConfig.pm');
  writeFileSync(siteConfig, `${lines.join('\n')}\n`);
  // An empty RT_SiteConfig.d keeps Debian's /etc/request-tracker5 (database rtdb, syslog) out of the measured RT.
  mkdirSync(path.join(directory, 'RT_SiteConfig.d'));
  return {
    ...environmentWithoutSecrets(),
    RT_SITE_CONFIG: siteConfig,
    RT_SITE_CONFIG_DIR: path.join(directory, 'RT_SiteConfig.d'),
  };
}

async function dropDatabase() {
  await withAdminClient(async (client) => {
    await client.query(`DROP DATABASE IF EXISTS ${RT_DATABASE} WITH (FORCE)`);
    await client.query(`DROP ROLE IF EXISTS ${RT_DATABASE}`);
  });
}

function setUpDatabase(env: NodeJS.ProcessEnv) {
  const dba = new URL(POSTGRES_ADMIN_URL);
  // stdin is closed so the password prompt reads an empty password (the local server trusts 127.0.0.1).
  execFileSync(path.join('/usr/sbin', 'rt-setup-database-5'), ['--action', 'init', '--dba', decodeURIComponent(dba.username) || 'postgres', '--dba-password', ''], {
    env,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}

function startServer(env: NodeJS.ProcessEnv): ChildProcess {
  return spawn(path.join(RT_LIBEXEC, 'rt-server'), ['--server', 'Starman', '--host', '127.0.0.1', '--port', String(settings.port), '--workers', String(settings.workers)], {
    env,
    detached: true,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}

async function stopServer(server: ChildProcess) {
  if (server.exitCode !== null || server.pid === undefined) return;
  const exited = new Promise((resolve) => server.once('exit', resolve));
  // Starman's master and its preforked workers share the process group the server was started in.
  process.kill(-server.pid, 'SIGTERM');
  await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 10_000))]);
  if (server.exitCode === null) process.kill(-server.pid, 'SIGKILL');
}

async function waitForServer(server: ChildProcess) {
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    if (server.exitCode !== null) throw new Error(`rt-server exited with code ${server.exitCode}`);
    try {
      await fetch(`${baseUrl}/REST/2.0/`);
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
  throw new Error(`rt-server did not answer on ${baseUrl} within 120 s`);
}

/** A browser session: REST2 accepts RT's session cookie, which skips the per-request bcrypt of token and basic auth. */
async function sessionHeaders(): Promise<Record<string, string>> {
  const response = await fetch(`${baseUrl}/NoAuth/Login.html`, { method: 'POST', body: new URLSearchParams(ROOT_LOGIN), redirect: 'manual' });
  const cookie = response.headers.getSetCookie().find((value) => value.startsWith('RT_SID_'));
  if (!cookie) throw new Error(`RT login as root answered ${response.status} without a session cookie`);
  // RT refuses a cookie-authenticated write without a same-origin Referer (its CSRF check).
  return { cookie: cookie.split(';')[0], referer: `${baseUrl}/` };
}

/** An RT::AuthToken for root, the way an API client authenticates (`Authorization: token <t>`). */
function tokenHeaders(env: NodeJS.ProcessEnv): Record<string, string> {
  const program = [
    'use RT; RT::LoadConfig(); RT::Init();',
    'my $root = RT::User->new(RT->SystemUser); $root->Load("root");',
    'my ($id, $message, $token) = RT::AuthToken->new(RT::CurrentUser->new($root))->Create(Owner => $root->id, Description => "bench");',
    'die "$message\\n" unless $id; print $token;',
  ].join(' ');
  const token = execFileSync('perl', [`-I${RT_LIB}`, '-e', program], { env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  return { authorization: `token ${token.trim()}` };
}

function ticketLoad(headers: Record<string, string>) {
  return {
    url: `${baseUrl}/REST/2.0/ticket`,
    method: 'POST' as const,
    headers: { ...headers, 'content-type': 'application/json' },
    body: ticketBody,
    connections: settings.connections,
    timeout: 60,
  };
}

/**
 * One create on a connection of its own: Starman may close an idle keep-alive connection just as fetch reuses it
 * for a POST, which fetch does not retry ("other side closed"), and this probe only checks that RT creates tickets.
 */
async function createOneTicket(headers: Record<string, string>) {
  const load = ticketLoad(headers);
  const { status, body } = await new Promise<{ status: number; body: string }>((resolve, reject) => {
    const request = http.request(load.url, { method: load.method, headers: load.headers, agent: false }, (response) => {
      let text = '';
      response.setEncoding('utf8').on('data', (chunk: string) => (text += chunk)).on('end', () => resolve({ status: response.statusCode ?? 0, body: text }));
    });
    request.on('error', reject).end(load.body);
  });
  if (status !== 201) throw new Error(`RT refused a ticket create: ${status} ${body}`);
}

/** Every Starman worker compiles RT's code paths on its first requests, so warm-up is counted in tickets, not seconds;
 * the token runs that follow reuse the warmed workers. */
async function warmUp(headers: Record<string, string>) {
  await createOneTicket(headers);
  await autocannon({ ...ticketLoad(headers), amount: settings.warmupTickets });
}

async function createTickets(headers: Record<string, string>) {
  // Taken before the run: the other work on the machine, not RT's own load.
  const loadAverage1m = Math.round(os.loadavg()[0] * 100) / 100;
  const result = await autocannon({ ...ticketLoad(headers), duration: settings.durationSeconds });
  return {
    ticketsPerSecond: Math.round((result['2xx'] / result.duration) * 10) / 10,
    created: result['2xx'],
    latencyMs: { p50: result.latency.p50, p99: result.latency.p99, max: result.latency.max },
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    durationSeconds: Math.round(result.duration * 10) / 10,
    loadAverage1m,
  };
}

async function measure(headers: Record<string, string>) {
  const runs = [];
  for (let run = 0; run < settings.runs; run++) runs.push(await createTickets(headers));
  const median = [...runs].sort((a, b) => a.ticketsPerSecond - b.ticketsPerSecond)[Math.floor(runs.length / 2)];
  return { ...median, runs };
}

async function postgresVersion() {
  return withAdminClient(async (client) => (await client.query<{ server_version: string }>('SHOW server_version')).rows[0].server_version);
}

async function main() {
  if (process.getuid?.() !== 0) throw new Error('run as root: the script installs Debian packages and starts RT');
  installPackages();
  const configDirectory = mkdtempSync(path.join(os.tmpdir(), 'rt5-bench-'));
  const env = writeSiteConfig(configDirectory);
  await dropDatabase();
  setUpDatabase(env);
  const server = startServer(env);
  try {
    await waitForServer(server);
    const cookie = await sessionHeaders();
    const token = tokenHeaders(env);
    await warmUp(cookie);
    await createOneTicket(token);
    const session = await measure(cookie);
    if (session.created === 0) throw new Error(`no ticket created in ${settings.durationSeconds} s: the machine is too busy for a figure`);
    const tokenAuth = await measure(token);
    const figure = {
      peer: 'Request Tracker 5 REST2 POST /REST/2.0/ticket',
      ticketsPerSecond: session.ticketsPerSecond,
      measuredWith: 'session cookie (RT login once, then the cookie and a same-origin Referer on every request)',
      sessionAuth: session,
      tokenAuth: { ...tokenAuth, note: 'Authorization: token <t>; RT checks the token with bcrypt (BcryptCost 12) on every request' },
      load: {
        body: JSON.parse(ticketBody),
        concurrency: settings.connections,
        warmupTickets: settings.warmupTickets,
        durationSeconds: settings.durationSeconds,
        runs: settings.runs,
        statistic: 'median of runs by ticketsPerSecond (2xx responses / duration)',
        tool: `autocannon ${JSON.parse(readFileSync(require.resolve('autocannon/package.json'), 'utf8')).version}`,
      },
      rt: { version: packageVersion('request-tracker5'), config: 'Debian defaults (all default scrips active), mail to a file (MailCommand mbox)' },
      server: { name: 'Starman', version: packageVersion('starman'), workers: settings.workers, perl: execFileSync('perl', ['-e', 'print $^V'], { encoding: 'utf8' }) },
      database: { backend: 'PostgreSQL', version: await postgresVersion(), name: RT_DATABASE, host: new URL(POSTGRES_ADMIN_URL).host },
      machine: { cores: os.cpus().length, cpu: os.cpus()[0]?.model, memoryGiB: Math.round(os.totalmem() / 2 ** 30), os: `${os.type()} ${os.release()}` },
      date: new Date().toISOString(),
      command: `npx tsx bench/peers/measure-rt5.ts --workers ${settings.workers} --duration ${settings.durationSeconds} --warmup ${settings.warmupTickets} --runs ${settings.runs} --c ${settings.connections} --port ${settings.port}`,
    };
    writeFileSync(path.join(__dirname, 'rt5.json'), `${JSON.stringify(figure, null, 2)}\n`);
    console.log(`RT 5 REST2 ticket create: ${session.ticketsPerSecond}/s with a session, ${tokenAuth.ticketsPerSecond}/s with a token → bench/peers/rt5.json`);
  } finally {
    await stopServer(server);
    await dropDatabase();
    rmSync(configDirectory, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
