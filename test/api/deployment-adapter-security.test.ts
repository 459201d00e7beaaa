import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createTcpServer, type AddressInfo, type Server as TcpServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { isInside } from '../../records/deployment/step-sandbox';
import { databaseKinds } from '../support/databases';
import { eventually, startHarness, type Harness } from '../support/harness';
import { planRelease, releaseAction, waitForReleaseState } from '../support/release-fixtures';

// What a worker holds in its environment in production: none of it may reach a step. The last one is in no
// list of known secrets, so only an allowlist keeps it out.
const WORKER_SECRETS: Record<string, string> = {
  DATABASE_URL: 'postgresql://itsm:worker-db-password@db.internal/itsm',
  ACTION_LINK_SECRET: 'worker-action-link-secret-0123456789abcdef',
  SMTP_URL: 'smtps://itsm:worker-smtp-password@mail.internal',
  TEMPORAL_API_KEY: 'worker-temporal-api-key',
  TEMPORAL_TLS_KEY_PATH: '/etc/itsm/worker-temporal.key',
  CLOUD_DEPLOY_TOKEN: 'worker-cloud-token-nobody-listed',
};
const ADAPTER_SECRET = 'adapter-api-key-5f1c2e9a';
const WEBHOOK_SECRET = 'webhook-signing-secret-0123456789';

describe.each(databaseKinds())('deployment adapters: steps without the worker\'s secrets, write-only configuration, no webhook to the inside (%s)', (kind) => {
  let h: Harness;
  const saved: Record<string, string | undefined> = {};
  const dataDir = () => process.env.ITSM_TEST_RUN_DIR!;
  beforeAll(async () => {
    h = await startHarness(kind);
    for (const [name, value] of Object.entries({ ...WORKER_SECRETS, DATA_DIR: dataDir() })) {
      saved[name] = process.env[name];
      process.env[name] = value;
    }
  });
  afterAll(async () => {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    await h?.close();
  });

  let counter = 0;
  // One environment, not production: these releases need no change and no authorisation to reach their build.
  const register = (body: { kind: string; config: object; internal?: boolean }, role: 'admin' | 'agent' = 'admin') =>
    h.http.post('/api/deployment-adapters').set(h.as(role)).send({ name: `${body.kind}-${kind}-${++counter}`, environments: [{ name: 'test', production: false }], ...body });
  const adapterCount = () => h.db.prisma.deploymentAdapter.count();

  /** Starts a release on the adapter and returns its build step as an agent reads it, once it has ended. */
  async function buildStepOf(adapter: string) {
    const release = await planRelease(h, adapter);
    expect((await releaseAction(h, release.id, 'start')).status).toBe(200);
    return eventually(async () => {
      const detail = await h.http.get(`/api/releases/${release.id}`).set(h.as('agent'));
      const build = (detail.body.steps as { step: string; status: string; output: string }[]).find((s) => s.step === 'build');
      if (!build || build.status === 'running' || build.status === 'retrying') throw new Error('build still running');
      return { release, build };
    }, 60_000);
  }

  it('runs a shell step with only the basics, its adapter\'s variables (masked in output) and the release fields, in a directory of its own outside DATA_DIR', async () => {
    const command = [
      'env',
      'echo "pwd=$(pwd)"',
      'cat "$DATA_DIR"/demo-tokens.json 2>&1 || echo "no DATA_DIR"',
      // Printed in two writes, so the secret reaches the worker split across chunks.
      'printf "split=%s" "${DEPLOY_API_KEY:0:10}"; sleep 0.3; echo "${DEPLOY_API_KEY:10}"',
    ].join('\n');
    const adapter = await register({ kind: 'shell', config: { commands: { build: command }, env: { DEPLOY_API_KEY: ADAPTER_SECRET, DEPLOY_TARGET: 'payroll-cluster' } } });
    expect(adapter.status).toBe(201);
    const { build } = await buildStepOf(adapter.body.name);

    expect(build.status).toBe('succeeded');
    const variables = build.output.split('\n').filter((line) => /^[A-Z_][A-Z0-9_]*=/.test(line)).map((line) => line.split('=')[0]);
    expect(variables.filter((name) => !['PWD', 'SHLVL', '_'].includes(name)).sort()).toEqual(
      ['DEPLOY_API_KEY', 'DEPLOY_TARGET', 'HOME', 'ITSM_ENVIRONMENT', 'ITSM_RELEASE', 'ITSM_RELEASE_ID', 'ITSM_RELEASE_VERSION', 'ITSM_STEP', 'ITSM_STEP_KEY', 'PATH', ...['LANG', 'LC_ALL', 'TZ'].filter((name) => process.env[name] !== undefined)].sort(),
    );
    for (const value of [...Object.values(WORKER_SECRETS), ADAPTER_SECRET, 'payroll-cluster']) expect(build.output).not.toContain(value);
    expect(build.output).toContain('DEPLOY_API_KEY=***');
    expect(build.output).toContain('DEPLOY_TARGET=***');
    expect(build.output).toContain('split=***');
    expect(build.output).toContain('no DATA_DIR');
    const pwd = /^pwd=(.*)$/m.exec(build.output)![1];
    expect(isInside(pwd, dataDir())).toBe(false);
    expect(isInside(pwd, path.join(os.tmpdir(), 'itsm-steps'))).toBe(true);
    expect(existsSync(pwd)).toBe(false);
  });

  it('stops a step at its time limit, its whole process group, and fails the release saying so', async () => {
    const adapter = await register({ kind: 'shell', config: { commands: { build: 'echo "group=$(ps -o pgid= -p $$)"; (sleep 60; echo never) & sleep 60' }, timeoutSeconds: 1 } });
    const { release, build } = await buildStepOf(adapter.body.name);

    expect(build.status).toBe('failed');
    expect(build.output).toMatch(/did not finish within its time limit of 1 s and was stopped/);
    expect((await waitForReleaseState(h, release.id, 'failed')).failureReason).toMatch(/build did not finish within its time limit of 1 s/);
    const group = /group=\s*(\d+)/.exec(build.output)![1];
    // Once the grace has passed, nothing the step started is left (zombies aside: nobody may reap them here).
    const living = () => execFileSync('ps', ['-e', '-o', 'pgid=,stat=']).toString().split('\n').map((line) => line.trim().split(/\s+/)).filter(([pgid, stat]) => pgid === group && !stat.startsWith('Z'));
    await eventually(() => Promise.resolve(expect(living()).toEqual([])), 15_000);
  });

  it('refuses (400) a working directory inside DATA_DIR, plain http to a public webhook and other schemes, writing nothing', async () => {
    const before = await adapterCount();
    const refusals = [
      { body: { kind: 'shell', config: { commands: { build: 'true' }, cwd: path.join(dataDir(), 'deploy') } }, field: 'config.cwd' },
      { body: { kind: 'shell', config: { commands: { build: 'true' }, cwd: dataDir() } }, field: 'config.cwd' },
      { body: { kind: 'webhook', config: { url: 'http://deploy.example.com/hook', secret: WEBHOOK_SECRET } }, field: 'config.url' },
      { body: { kind: 'webhook', internal: true, config: { url: 'file:///etc/passwd', secret: WEBHOOK_SECRET } }, field: 'config.url' },
    ];
    for (const { body, field } of refusals) {
      const response = await register(body);
      expect([response.status, response.headers['content-type']?.split(';')[0]]).toEqual([400, 'application/problem+json']);
      expect(response.body.errors.map((e: { field: string }) => e.field)).toContain(field);
    }
    // Marking an adapter internal is the administrator's call, as is registering one at all.
    expect((await register({ kind: 'webhook', internal: true, config: { url: 'http://10.0.0.5/hook', secret: WEBHOOK_SECRET } }, 'agent')).status).toBe(403);
    expect(await adapterCount()).toBe(before);
  });

  it('shows agents an adapter\'s secrets only as set: env values, the webhook secret and URL credentials are write-only', async () => {
    const shell = await register({ kind: 'shell', config: { commands: { deploy: './deploy.sh' }, env: { DEPLOY_API_KEY: ADAPTER_SECRET } } });
    const webhook = await register({ kind: 'webhook', config: { url: 'https://deployer:url-password-7731@hooks.example.com/deploy?token=query-token-4410', secret: WEBHOOK_SECRET } });
    expect(shell.body).toMatchObject({ internal: false, config: { commands: { deploy: './deploy.sh' }, env: { DEPLOY_API_KEY: 'set' }, timeoutSeconds: 900 } });
    expect(webhook.body).toMatchObject({ internal: false, config: { url: 'https://hooks.example.com/deploy?token=***', secret: 'set', timeoutSeconds: 30 } });
    const listed = await h.http.get('/api/deployment-adapters').set(h.as('agent'));
    expect(listed.status).toBe(200);
    expect(listed.body.items.map((a: { name: string }) => a.name)).toEqual(expect.arrayContaining([shell.body.name, webhook.body.name]));
    const shown = JSON.stringify([shell.body, webhook.body, listed.body]);
    for (const secret of [ADAPTER_SECRET, WEBHOOK_SECRET, 'url-password-7731', 'query-token-4410', 'deployer']) expect(shown).not.toContain(secret);
  });

  describe('webhooks', () => {
    let probe: TcpServer;
    let connections = 0;
    let redirector: Server;
    let redirected = 0;
    beforeAll(async () => {
      // Counts connections, not requests: a refused webhook must not even connect.
      probe = createTcpServer((socket) => {
        connections++;
        socket.destroy();
      });
      await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
      const target = createHttpServer((_req, res) => {
        redirected++;
        res.end('collected');
      });
      await new Promise<void>((resolve) => target.listen(0, '127.0.0.1', resolve));
      const targetUrl = `http://127.0.0.1:${(target.address() as AddressInfo).port}/collect?token=location-secret-9921`;
      redirector = createHttpServer((_req, res) => res.writeHead(302, { location: targetUrl }).end(`moved to ${targetUrl}`));
      redirector.on('close', () => target.close());
      await new Promise<void>((resolve) => redirector.listen(0, '127.0.0.1', resolve));
    });
    afterAll(async () => {
      await new Promise((resolve) => probe?.close(resolve));
      await new Promise((resolve) => redirector?.close(resolve));
    });

    it.each(['localhost', '127.0.0.1', '[::ffff:127.0.0.1]'])('does not call a loopback address (%s) from an adapter not marked internal: the step fails, nothing connects', async (host) => {
      const port = (probe.address() as AddressInfo).port;
      const adapter = await register({ kind: 'webhook', config: { url: `https://${host}:${port}/deploy`, secret: WEBHOOK_SECRET } });
      expect(adapter.status).toBe(201);
      const { release, build } = await buildStepOf(adapter.body.name);

      expect(build.status).toBe('failed');
      expect((await waitForReleaseState(h, release.id, 'failed')).failureReason).toMatch(/was not called: .* which is not a public address; only an adapter an administrator marked internal/);
      expect(await h.db.prisma.releaseStep.findFirstOrThrow({ where: { releaseId: release.id, step: 'build' } })).toMatchObject({ attempts: 1 });
      expect(connections).toBe(0);
    });

    it('does not follow a redirect, even on an internal adapter: the step fails naming the status, the redirect target gets nothing', async () => {
      const adapter = await register({ kind: 'webhook', internal: true, config: { url: `http://127.0.0.1:${(redirector.address() as AddressInfo).port}/deploy`, secret: WEBHOOK_SECRET } });
      expect(adapter.body.internal).toBe(true);
      const { release, build } = await buildStepOf(adapter.body.name);

      expect(build.status).toBe('failed');
      expect((await waitForReleaseState(h, release.id, 'failed')).failureReason).toMatch(/answered 302, a redirect, which webhooks do not follow/);
      expect(JSON.stringify((await h.http.get(`/api/releases/${release.id}`).set(h.as('agent'))).body)).not.toContain('location-secret-9921');
      expect(redirected).toBe(0);
    });
  });
});
