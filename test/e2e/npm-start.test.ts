import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { eventually } from '../support/harness';
import { embeddedStackVars } from '../support/ports';

const ROOT = path.resolve(__dirname, '../..');
const ADMIN_TOKEN = 'e2e-admin-token-0123456789abcdef';

interface Started {
  child: ChildProcess;
  output: () => string;
}

/** `npm start` exactly as a person runs it, in its own process group so Ctrl-C can be simulated. */
async function npmStart(env: Record<string, string>): Promise<Started> {
  const child = spawn('npm', ['start'], { cwd: ROOT, env: { ...process.env, ...env }, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  await eventually(async () => {
    if (child.exitCode !== null) throw new Error(`npm start exited early:\n${output}`);
    if (!output.includes('Ready.')) throw new Error(`not ready yet:\n${output.slice(-2000)}`);
  }, 240_000);
  return { child, output: () => output };
}

/** Ctrl-C in a terminal: SIGINT to the whole foreground group. Resolves once every process writing to it is gone. */
function ctrlC(started: Started): Promise<string> {
  return new Promise((resolve) => {
    started.child.once('close', () => resolve(started.output()));
    process.kill(-started.child.pid!, 'SIGINT');
  });
}

/** Runs checks against a started stack, then Ctrl-C: a failed check is what the test reports, not the stop after it. */
async function whileRunning(started: Started, checks: () => Promise<void>): Promise<string> {
  let failure: unknown = null;
  try {
    await checks();
  } catch (error) {
    failure = error;
  }
  const output = await ctrlC(started);
  if (failure) throw failure;
  return output;
}

describe('npm start: the embedded stack in one command', () => {
  let env: Record<string, string>;
  let api: string;

  beforeAll(async () => {
    env = { ...(await embeddedStackVars(process.env.ITSM_TEST_RUN_DIR!, 'start-')), ITSM_ADMIN_TOKEN: ADMIN_TOKEN, LOG_LEVEL: 'warn' };
    api = `http://127.0.0.1:${env.PORT}`;
  });

  it('serves everything, keeps data across a Ctrl-C and a restart', async () => {
    const auth = { Authorization: `Bearer ${ADMIN_TOKEN}` };
    const first = await npmStart(env);
    let incidentId = '';
    const firstOutput = await whileRunning(first, async () => {
      for (const url of [`${api}/docs`, `http://127.0.0.1:${env.TEMPORAL_UI_PORT}`, `http://127.0.0.1:${env.MAIL_UI_PORT}`]) {
        expect(first.output()).toContain(url);
      }
      // The operator's own token is never printed (issue 14); the generated demo tokens are.
      expect(first.output()).not.toContain(ADMIN_TOKEN);
      expect(first.output()).toContain('(your ITSM_ADMIN_TOKEN)');
      // Nor does it reach the children: the Temporal server and the mail catcher run without the secrets.
      for (const pidFile of ['temporal.pid', 'maildev.pid']) {
        const pid = readFileSync(path.join(env.DATA_DIR, pidFile), 'utf8').trim();
        const environ = readFileSync(`/proc/${pid}/environ`, 'utf8');
        expect(environ).toContain('PATH=');
        expect(environ).not.toContain(ADMIN_TOKEN);
      }

      const ready = await (await fetch(`${api}/readyz`)).json();
      expect(ready).toMatchObject({ status: 'ready', components: { database: { status: 'up' }, temporal: { status: 'up' }, smtp: { status: 'up' } } });
      expect((await fetch(`http://127.0.0.1:${env.TEMPORAL_UI_PORT}`)).status).toBe(200);
      expect((await fetch(`http://127.0.0.1:${env.MAIL_UI_PORT}/email`)).status).toBe(200);

      const services = (await (await fetch(`${api}/api/services`, { headers: auth })).json()) as { items: { id: string; code: string }[] };
      const net = services.items.find((s) => s.code === 'NET')!;
      const created = await fetch(`${api}/api/incidents`, {
        method: 'POST',
        headers: { ...auth, 'content-type': 'application/json' },
        body: JSON.stringify({ title: 'Site link to Suzhou down', impact: 'high', urgency: 'high', serviceId: net.id }),
      });
      expect(created.status).toBe(201);
      const incident = (await created.json()) as { id: string; workflowId: string };
      incidentId = incident.id;

      // What a manager sees in the Temporal UI: the workflow, found by its ITSM search attributes.
      const connection = await Connection.connect({ address: `127.0.0.1:${env.TEMPORAL_PORT}` });
      try {
        const client = new Client({ connection });
        const listed = await eventually(async () => {
          const found = [];
          for await (const wf of client.workflow.list({ query: `ItsmKind = "incident" AND ItsmPriority = "P1" AND ItsmState = "new" AND ItsmService = "NET"` })) found.push(wf);
          if (found.length !== 1) throw new Error(`visibility shows ${found.length} workflows`);
          return found;
        });
        expect(listed[0].workflowId).toBe(incident.workflowId);
        expect(listed[0].type).toBe('incidentLifecycle');
      } finally {
        await connection.close();
      }
    });
    expect(firstOutput).toMatch(/SIGINT: stopping[^]*\nstopped\.\n/);
    // Every child went with it: the ports are free again.
    await expect(fetch(`http://127.0.0.1:${env.TEMPORAL_UI_PORT}`)).rejects.toThrow();
    await expect(fetch(`http://127.0.0.1:${env.MAIL_UI_PORT}/email`)).rejects.toThrow();

    const second = await npmStart(env);
    const secondOutput = await whileRunning(second, async () => {
      const again = await fetch(`${api}/api/incidents/${incidentId}`, { headers: auth });
      expect(again.status).toBe(200);
      expect(((await again.json()) as { title: string }).title).toBe('Site link to Suzhou down');
      const connection = await Connection.connect({ address: `127.0.0.1:${env.TEMPORAL_PORT}` });
      try {
        const description = await new Client({ connection }).workflow.getHandle(`incident-${incidentId}`).describe();
        expect(description.status.name).toBe('RUNNING');
      } finally {
        await connection.close();
      }
    });
    expect(secondOutput).toMatch(/\nstopped\.\n/);
  }, 600_000);
});
