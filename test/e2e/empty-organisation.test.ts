import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import path from 'node:path';
import { readInbox } from '../../scripts/mail-catcher';
import { eventually } from '../support/harness';
import { embeddedStackVars, freePort } from '../support/ports';
import { databaseUrl, withAdminClient } from '../support/postgres';
import { describeOnPostgres } from '../support/worker-process';

const ROOT = path.resolve(__dirname, '../..');
const tsx = (script: string, args: string[], env: Record<string, string>) => spawn(process.execPath, [require.resolve('tsx/cli'), script, ...args], { cwd: ROOT, env: { ...process.env, ...env }, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });

/** `npm run admin -- create-user …`: the token is the only thing on stdout. */
function bootstrapAdmin(env: Record<string, string>, email: string): string {
  const result = spawnSync(process.execPath, [require.resolve('tsx/cli'), 'scripts/admin.ts', 'create-user', '--email', email, '--name', 'First Admin', '--role', 'admin'], { cwd: ROOT, env: { ...process.env, ...env }, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`admin create-user failed (${result.status}): ${result.stderr}`);
  const token = result.stdout.trim();
  expect(token).toMatch(/^itsm_\S+$/);
  return token;
}

/** A process that is ready once `marker` appears in its output; stopped by SIGTERM to its group. */
async function run(child: ChildProcess, marker: string) {
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  await eventually(async () => {
    if (child.exitCode !== null) throw new Error(`exited early:\n${output}`);
    if (!output.includes(marker)) throw new Error(`not ready yet:\n${output.slice(-1500)}`);
  }, 240_000);
  return {
    output: () => output,
    stop: () => new Promise<void>((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.once('close', () => resolve());
      process.kill(-child.pid!, child.spawnfile === 'npm' ? 'SIGINT' : 'SIGTERM');
    }),
  };
}

/**
 * The README's "Day one" walkthrough, step by step, through the API only: a calendar, a group with two members,
 * a service whose default group it is, four SLA policies and a requester; then the requester's incident.
 */
async function dayOne(api: string, adminToken: string, inbox: string, suffix: string) {
  // Answers are read loosely, as the README's shell walkthrough reads them with jq.
  const call = async (method: string, url: string, token: string, body?: unknown): Promise<any> => {
    const response = await fetch(`${api}${url}`, { method, headers: { Authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
    const json = response.status === 204 ? null : await response.json();
    if (response.status >= 300) throw new Error(`${method} ${url} -> ${response.status} ${JSON.stringify(json)}`);
    return json;
  };
  const admin = (method: string, url: string, body?: unknown) => call(method, url, adminToken, body);

  expect((await admin('GET', '/api/services')).items).toEqual([]);
  const calendar = await admin('POST', '/api/calendars', { name: 'Round the clock', timeZone: 'Europe/London', alwaysOpen: true });
  const person = (email: string, name: string, roles: string[], locale = 'en', timeZone = 'Europe/London') => admin('POST', '/api/users', { email, name, roles, locale, timeZone });
  const lead = await person(`lead.${suffix}@example.org`, 'Lena Lead', ['agent', 'manager']);
  const first = await person(`ana.${suffix}@example.org`, 'Ana Agent', ['agent']);
  const second = await person(`zhou.${suffix}@example.org`, '周杰 Zhou Jie', ['agent'], 'zh-CN', 'Asia/Shanghai');
  const requester = await person(`rob.${suffix}@example.org`, 'Rob Requester', ['requester']);
  const group = await admin('POST', '/api/groups', { name: 'Service Desk', leadId: lead.id });
  for (const member of [first, second]) await admin('POST', `/api/groups/${group.id}/members`, { userId: member.id });
  const service = await admin('POST', '/api/services', { code: 'PAYROLL', name: 'Payroll', ownerId: lead.id, defaultGroupId: group.id });
  for (const [priority, response] of [['P1', 8], ['P2', 600], ['P3', 1_800], ['P4', 3_600]] as const) {
    await admin('POST', '/api/sla-policies', {
      serviceId: service.id,
      priority,
      calendarId: calendar.id,
      responseTargetSeconds: response,
      resolutionTargetSeconds: response * 10,
      warningThresholds: [0.5],
      unassignedAlertSeconds: response * 0.75,
      reason: 'agreed with payroll',
    });
  }
  const requesterToken = (await admin('POST', '/api/tokens', { label: 'laptop', userId: requester.id })).token as string;

  const incident = await call('POST', '/api/incidents', requesterToken, { title: 'Payslips not generated', impact: 'high', urgency: 'high', serviceId: service.id });
  expect(incident).toMatchObject({ priority: 'P1', groupId: group.id, assigneeId: null, state: 'new', channel: 'api' });

  const members = [first.email, second.email].sort();
  const mails = await eventually(async () => {
    const found = (await readInbox(inbox)).filter((mail) => mail.headers['x-itsm-incident-id'] === incident.id);
    const kinds = (kind: string) => found.filter((mail) => mail.headers['x-itsm-kind'] === kind);
    if (kinds('new-incident').length < 2 || kinds('warning').length < 2 || kinds('unassigned').length < 1) throw new Error(`${found.length} mails so far`);
    return found;
  }, 60_000);
  const to = (kind: string) => mails.filter((mail) => mail.headers['x-itsm-kind'] === kind).map((mail) => mail.to[0].address).sort();
  // Both members hear of the new incident, each in their own language; the response warning reaches the group
  // while nobody is assigned, and the lead is alerted that nobody has taken it.
  expect(to('new-incident')).toEqual(members);
  expect(mails.find((mail) => mail.to[0].address === second.email && mail.headers['x-itsm-kind'] === 'new-incident')!.subject).toContain('您的处理组有新的 P1 事件');
  expect(to('warning')).toEqual(members);
  expect(to('unassigned')).toEqual([lead.email]);

  // The catalogue from nothing: an item the requester's manager approves, the manager set on the person.
  await admin('PATCH', `/api/users/${requester.id}`, { managerId: lead.id });
  const leadToken = (await admin('POST', '/api/tokens', { label: 'desk', userId: lead.id })).token as string;
  const item = await call('POST', '/api/catalog-items', leadToken, {
    code: 'PAYSLIP-COPY',
    serviceId: service.id,
    name: 'Payslip copy',
    form: { type: 'object', required: ['month'], properties: { month: { type: 'string', title: 'Month', format: 'date' } } },
    approval: { kind: 'manager' },
    fulfilment: { mode: 'ordered', tasks: [{ name: 'Print and send', groupId: group.id, olaSeconds: 3_600 }] },
    calendarId: calendar.id,
    responseTargetSeconds: 600,
    fulfilmentTargetSeconds: 3_600,
  });
  const request = await call('POST', '/api/requests', requesterToken, { itemId: item.id, answers: { month: '2026-11-01' } });
  expect(request.state).toBe('approval');
  const approved = await call('POST', `/api/requests/${request.id}/approve`, leadToken, { comment: '' });
  expect(approved.tasks[0]).toMatchObject({ groupId: group.id, state: 'open' });
  return [adminToken, requesterToken, leadToken];
}

/** Every credential the walkthrough used, looked for in a process's whole log: none may be there. */
function expectNoCredentials(log: string, tokens: string[]) {
  expect(log).toMatch(/"url":"\/api\/incidents"/);
  for (const token of tokens) expect(log).not.toContain(token);
}

describe('day one for an organisation that starts empty', () => {
  it('embedded: the bootstrap command, then ITSM_DEMO_DATA=false npm start and the API alone', async () => {
    // The embedded stack logs requests at debug (so a terminal is not flooded); at debug every request is in the
    // log, so the check below reads everything an operator's log could hold.
    const env: Record<string, string> = { ...(await embeddedStackVars(process.env.ITSM_TEST_RUN_DIR!, 'empty-')), ITSM_DEMO_DATA: 'false', LOG_LEVEL: 'debug' };
    // PGlite belongs to one process at a time: the bootstrap runs before the stack starts.
    const token = bootstrapAdmin(env, 'it@example.org');
    const stack = await run(spawn('npm', ['start'], { cwd: ROOT, env: { ...process.env, ...env }, detached: true, stdio: ['ignore', 'pipe', 'pipe'] }), 'Ready.');
    try {
      expect(stack.output()).not.toContain(token);
      expect(stack.output()).not.toContain('Demo tokens');
      const tokens = await dayOne(`http://127.0.0.1:${env.PORT}`, token, `http://127.0.0.1:${env.MAIL_UI_PORT}`, 'embedded');
      expectNoCredentials(stack.output(), tokens);
    } finally {
      await stack.stop();
    }
  }, 400_000);

  describeOnPostgres('scale configuration', () => {
    it('npm run api and npm run worker on PostgreSQL and the shared Temporal server, bootstrapped with npm run admin', async () => {
      const name = `itsm_test_${process.env.ITSM_TEST_RUN_ID}_empty_org`;
      await withAdminClient((client) => client.query(`CREATE DATABASE "${name}"`));
      const port = await freePort();
      const env = {
        DATABASE_URL: databaseUrl(name),
        TEMPORAL_ADDRESS: process.env.ITSM_TEST_TEMPORAL_ADDRESS!,
        TEMPORAL_TASK_QUEUE: `itsm-empty-org-${process.pid}`,
        SMTP_URL: process.env.ITSM_TEST_SMTP_URL!,
        PORT: String(port),
        PUBLIC_URL: `http://127.0.0.1:${port}`,
        DATA_DIR: mkdtempSync(path.join(process.env.ITSM_TEST_RUN_DIR!, 'scale-')),
        ITSM_DEMO_DATA: 'false',
        LOG_LEVEL: 'info',
      };
      const api = await run(tsx('api/main.ts', [], env), 'API listening');
      const worker = await run(tsx('workers/main.ts', [], env), 'worker polling');
      try {
        // Against PostgreSQL the bootstrap can run beside the API.
        const token = bootstrapAdmin(env, 'it@example.net');
        const tokens = await dayOne(`http://127.0.0.1:${port}`, token, process.env.ITSM_TEST_MAIL_INBOX!, 'scale');
        expectNoCredentials(api.output(), tokens);
        for (const credential of tokens) expect(worker.output()).not.toContain(credential);
      } finally {
        await Promise.all([api.stop(), worker.stop()]);
        await withAdminClient((client) => client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
      }
    }, 400_000);
  });
});
