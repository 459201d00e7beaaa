import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { webhookSignature } from '../../records/deployment/adapters';
import { changeBody, changeTestService, standardChange, waitForChangeState } from '../support/change-fixtures';
import { eventually, startHarness, type Harness } from '../support/harness';
import { authoriseAndFinish, changeInWindow, planRelease, releaseAction, shellAdapter, waitForReleaseState } from '../support/release-fixtures';
import { recordHistoryIfAsked } from '../support/sla-fixtures';

const FORWARD = ['build:- start', 'build:- done', 'test:- start', 'test:- done'];
const deployed = (env: string) => [`deploy:${env} start`, `deploy:${env} done`, `verify:${env} start`, `verify:${env} done`];

describe('release workflow with the shell adapter running real commands', () => {
  let h: Harness;
  /** Approved and scheduled around now: what production needs linked. */
  let ready: { id: string };
  beforeAll(async () => {
    h = await startHarness('pglite');
    ready = await changeInWindow(h);
  });
  afterAll(() => h?.close());

  const deployments = async (releaseId: string) => Object.fromEntries((await h.db.prisma.deployment.findMany({ where: { releaseId } })).map((d) => [d.environment, d.state]));

  it('goes through test, staging (with a confirmed smoke test, escalated when late) and production, each step once', async () => {
    const adapter = await shellAdapter(h);
    const release = await planRelease(h, adapter.name, { confirmIn: ['staging'], confirmSeconds: 2, changeIds: [ready.id] });
    expect((await releaseAction(h, release.id, 'authorise', {}, 'manager')).status).toBe(409);
    expect((await releaseAction(h, release.id, 'start')).status).toBe(200);

    await eventually(async () => expect((await deployments(release.id)).staging).toBe('awaiting_confirmation'));
    expect((await releaseAction(h, release.id, 'confirm', { environment: 'production' })).status).toBe(409);
    await eventually(async () => expect(await h.db.prisma.releaseEvent.count({ where: { releaseId: release.id, type: 'confirmation-overdue' } })).toBe(1));
    const confirmed = await releaseAction(h, release.id, 'confirm', { environment: 'staging' });
    expect(confirmed.status).toBe(200);
    expect((await releaseAction(h, release.id, 'authorise', {}, 'agent')).status).toBe(403);
    await authoriseAndFinish(h, release.id);

    expect(adapter.lines()).toEqual([...FORWARD, ...deployed('test'), ...deployed('staging'), ...deployed('production')]);
    expect(await deployments(release.id)).toEqual({ test: 'deployed', staging: 'deployed', production: 'deployed' });
    const detail = await h.http.get(`/api/releases/${release.id}`).set(h.as('agent'));
    expect(detail.body.steps).toHaveLength(8);
    expect(detail.body.steps.every((s: { status: string; exitCode: number; attempts: number }) => s.status === 'succeeded' && s.exitCode === 0 && s.attempts === 1)).toBe(true);
    expect(detail.body.steps[0].output).toContain('build of');
    expect(detail.body.authorisedById).toBe(h.userIds.manager);
    await recordHistoryIfAsked(release.workflowId, 'release-three-environments');
    await recordHistoryIfAsked(`${release.workflowId}/staging`, 'release-environment-confirmed');
  });

  it('rolls back production, staging and test in that order, each once, when production fails its verification', async () => {
    const adapter = await shellAdapter(h, { FAIL_AT: 'verify:production' });
    const release = await planRelease(h, adapter.name, { changeIds: [ready.id] });
    await releaseAction(h, release.id, 'start');
    const ended = await authoriseAndFinish(h, release.id, 'rolled_back');

    expect(adapter.lines()).toEqual([
      ...FORWARD,
      ...deployed('test'),
      ...deployed('staging'),
      'deploy:production start',
      'deploy:production done',
      'verify:production start',
      ...['production', 'staging', 'test'].flatMap((env) => [`rollback:${env} start`, `rollback:${env} done`]),
    ]);
    expect(ended.failureReason).toMatch(/verify failed with exit code 3: smoke check failed on production/);
    expect(await deployments(release.id)).toEqual({ test: 'rolled_back', staging: 'rolled_back', production: 'rolled_back' });
    const rolledBack = await h.db.prisma.releaseEvent.findMany({ where: { releaseId: release.id, type: 'rolled-back' }, orderBy: { at: 'asc' } });
    expect(rolledBack.map((e) => (e.data as { environment: string }).environment)).toEqual(['production', 'staging', 'test']);
    await recordHistoryIfAsked(release.workflowId, 'release-verification-rollback');
  });

  it('compensates what an abort in the middle of a deploy had done: the cancelled step and the environments before it', async () => {
    const adapter = await shellAdapter(h, { SLOW_AT: 'deploy:staging', SLOW_SECONDS: '60' });
    const release = await planRelease(h, adapter.name, { changeIds: [ready.id] });
    await releaseAction(h, release.id, 'start');
    await eventually(() => Promise.resolve(expect(adapter.lines()).toContain('deploy:staging start')));
    const aborted = await releaseAction(h, release.id, 'abort', { reason: 'Payroll run moved forward' });
    expect(aborted.status).toBe(200);
    const ended = await waitForReleaseState(h, release.id, 'aborted');

    expect(adapter.lines()).toEqual([...FORWARD, ...deployed('test'), 'deploy:staging start', 'rollback:staging start', 'rollback:staging done', 'rollback:test start', 'rollback:test done']);
    expect(ended.failureReason).toBe('aborted: Payroll run moved forward');
    expect(await deployments(release.id)).toEqual({ test: 'rolled_back', staging: 'rolled_back', production: 'pending' });
    expect((await releaseAction(h, release.id, 'abort', { reason: 'again' })).body.currentState).toBe('aborted');
  });

  it('takes one of two aborts sent at the same instant and refuses the other: the release is already being aborted', async () => {
    const adapter = await shellAdapter(h);
    const release = await planRelease(h, adapter.name, { changeIds: [ready.id] });
    const abort = () => releaseAction(h, release.id, 'abort', { reason: 'Payroll run moved forward' });
    const both = await h.together(() => [abort(), abort()]);
    expect(both.map((r) => r.status).sort()).toEqual([200, 409]);
    const refused = both.find((r) => r.status === 409)!.body;
    expect(refused).toMatchObject({ currentState: 'planned', detail: expect.stringMatching(/already being aborted/) });
    const ended = await waitForReleaseState(h, release.id, 'aborted');
    expect(ended.failureReason).toBe('aborted: Payroll run moved forward');
    const requests = await h.db.prisma.releaseEvent.findMany({ where: { releaseId: release.id, type: 'abort-requested' } });
    expect(requests).toHaveLength(1);
    await recordHistoryIfAsked(release.workflowId, 'release-abort-together');
  });

  it('refuses production (409 with the reason) while a linked change is unapproved or outside its window, or the release window has closed', async () => {
    const service = await changeTestService(h);
    const raised = await h.http.post('/api/changes').set(h.as('requester')).send(changeBody(service.id, { ...(await standardChange(h, service.id)), submit: false }));
    const change = raised.body;
    const adapter = await shellAdapter(h);
    const release = await planRelease(h, adapter.name, { changeIds: [change.id] });
    await releaseAction(h, release.id, 'start');
    await waitForReleaseState(h, release.id, 'awaiting_authorisation');

    const unapproved = await releaseAction(h, release.id, 'authorise', {}, 'manager');
    expect(unapproved.status).toBe(409);
    expect(unapproved.body.currentState).toBe('awaiting_authorisation');
    expect(unapproved.body.reasons).toEqual([`${change.reference} is draft: it must be approved and scheduled`]);

    await h.http.post(`/api/changes/${change.id}/submit`).set(h.as('requester')).send({});
    await waitForChangeState(h, change.id, 'approved');
    const later = Date.now() + 2 * 3_600_000;
    expect((await h.http.post(`/api/changes/${change.id}/schedule`).set(h.as('agent')).send({ plannedStart: new Date(later).toISOString(), plannedEnd: new Date(later + 1_800_000).toISOString() })).status).toBe(200);
    const outside = await releaseAction(h, release.id, 'authorise', {}, 'manager');
    expect(outside.status).toBe(409);
    expect(outside.body.reasons[0]).toMatch(new RegExp(`^${change.reference} is scheduled for .* which does not contain now$`));
    expect(await h.db.prisma.releaseStep.count({ where: { releaseId: release.id, environment: 'production' } })).toBe(0);

    const closed = await planRelease(h, adapter.name, { productionEnd: new Date(Date.now() - 1_000).toISOString(), environments: ['production'], changeIds: [ready.id] });
    await releaseAction(h, closed.id, 'start');
    await waitForReleaseState(h, closed.id, 'awaiting_authorisation');
    expect((await releaseAction(h, closed.id, 'authorise', {}, 'manager')).body.reasons).toEqual([expect.stringMatching(/^the release's production window closed at /)]);

    const now = Date.now();
    expect((await h.http.post(`/api/changes/${change.id}/schedule`).set(h.as('agent')).send({ plannedStart: new Date(now - 60_000).toISOString(), plannedEnd: new Date(now + 1_800_000).toISOString() })).status).toBe(200);
    expect((await releaseAction(h, release.id, 'authorise', {}, 'manager')).status).toBe(200);
    await waitForReleaseState(h, release.id, 'released');
  });
});

describe('release workflow with the webhook adapter', () => {
  let h: Harness;
  let server: Server;
  let url: string;
  let ready: { id: string };
  const SECRET = 'webhook-secret-for-tests-0123456789';
  const requests: { step: string; environment: string; validSignature: boolean; status: number }[] = [];
  /** Per "<release version>/<step>:<environment>", the statuses to answer in turn (200 once they run out). */
  const script = new Map<string, number[]>();

  const bodyOf = (req: IncomingMessage) => new Promise<string>((resolve) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => resolve(body));
  });

  beforeAll(async () => {
    h = await startHarness('pglite');
    server = createServer(async (req, res) => {
      const body = await bodyOf(req);
      const validSignature = req.headers['x-itsm-signature'] === webhookSignature(SECRET, String(req.headers['x-itsm-timestamp']), body);
      const { version, step, environment } = JSON.parse(body) as { version: string; step: string; environment: string | null };
      const planned = script.get(`${version}/${step}:${environment ?? '-'}`) ?? [];
      const status = validSignature ? (planned.shift() ?? 200) : 401;
      requests.push({ step: `${version}/${step}:${environment ?? '-'}`, environment: environment ?? '-', validSignature, status });
      res.writeHead(status, { 'content-type': 'text/plain' }).end(status < 300 ? `${step} accepted` : `refused with ${status}`);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/deploy`;
    const adapter = await h.http
      .post('/api/deployment-adapters')
      .set(h.as('admin'))
      .send({ name: 'webhook-test', kind: 'webhook', internal: true, environments: [{ name: 'staging' }, { name: 'production', production: true }], config: { url, secret: SECRET, timeoutSeconds: 5 } });
    expect(adapter.status).toBe(201);
    ready = await changeInWindow(h);
    expect(adapter.body.config.secret).toBe('set');
  });
  afterAll(async () => {
    await new Promise((resolve) => server?.close(resolve));
    await h?.close();
  });

  it('signs every request so the receiver can verify it, and retries a 5xx until the step succeeds', async () => {
    script.set('5.0.0/deploy:staging', [503, 502]);
    const release = await planRelease(h, 'webhook-test', { version: '5.0.0', changeIds: [ready.id] });
    await releaseAction(h, release.id, 'start');
    await authoriseAndFinish(h, release.id);
    const mine = requests.filter((r) => r.step.startsWith('5.0.0/'));
    expect(mine.every((r) => r.validSignature)).toBe(true);
    expect(mine.map((r) => `${r.step} ${r.status}`)).toEqual([
      '5.0.0/build:- 200',
      '5.0.0/test:- 200',
      '5.0.0/deploy:staging 503',
      '5.0.0/deploy:staging 502',
      '5.0.0/deploy:staging 200',
      '5.0.0/verify:staging 200',
      '5.0.0/deploy:production 200',
      '5.0.0/verify:production 200',
    ]);
    const step = await h.db.prisma.releaseStep.findFirstOrThrow({ where: { releaseId: release.id, step: 'deploy', environment: 'staging' } });
    expect(step).toMatchObject({ status: 'succeeded', attempts: 3, httpStatus: 200, output: 'deploy accepted' });
  });

  it('does not retry a 4xx: the step fails at once and what was touched is rolled back', async () => {
    script.set('6.0.0/deploy:staging', [422]);
    const release = await planRelease(h, 'webhook-test', { version: '6.0.0', changeIds: [ready.id] });
    await releaseAction(h, release.id, 'start');
    const ended = await waitForReleaseState(h, release.id, 'rolled_back');
    expect(requests.filter((r) => r.step.startsWith('6.0.0/')).map((r) => `${r.step} ${r.status}`)).toEqual(['6.0.0/build:- 200', '6.0.0/test:- 200', '6.0.0/deploy:staging 422', '6.0.0/rollback:staging 200']);
    expect(ended.failureReason).toMatch(/refused with 422/);
    expect(await h.db.prisma.releaseStep.findFirstOrThrow({ where: { releaseId: release.id, step: 'deploy' } })).toMatchObject({ status: 'failed', attempts: 1, httpStatus: 422 });
  });
});
