import { readInbox } from '../../scripts/mail-catcher';
import { databaseKinds } from '../support/databases';
import { eventually, startHarness, type Harness } from '../support/harness';
import { changeInWindow, planRelease, releaseAction, shellAdapter, waitForReleaseState } from '../support/release-fixtures';
import { recordHistoryIfAsked } from '../support/sla-fixtures';

const PRODUCTION_AND_X = [
  { name: 'production', production: true },
  { name: 'x', production: false },
];

describe.each(databaseKinds())('production is gated by the environment record, not by its name or position (%s)', (kind) => {
  let h: Harness;
  /** Approved and scheduled around now: what production needs linked. */
  let ready: { id: string };
  beforeAll(async () => {
    h = await startHarness(kind);
    ready = await changeInWindow(h);
  });
  afterAll(() => h?.close());

  const releaseCount = () => h.db.prisma.release.count();
  const fields = (body: { errors?: { field: string }[] }) => (body.errors ?? []).map((e) => e.field);
  const productionDeploys = (releaseId: string, environment = 'production') => h.db.prisma.releaseStep.count({ where: { releaseId, environment, step: 'deploy' } });
  const live = async (releaseId: string) => (await h.http.get(`/api/releases/${releaseId}`).set(h.as('agent'))).body.live;

  it('environments are records an administrator defines per adapter: required, ordered, production by flag; agents only read them', async () => {
    const adapters = await h.db.prisma.deploymentAdapter.count();
    const bare = await h.http.post('/api/deployment-adapters').set(h.as('admin')).send({ name: `no-envs-${kind}`, kind: 'shell', config: { commands: { build: 'true' } } });
    expect(bare.status).toBe(400);
    expect(fields(bare.body)).toContain('environments');
    const asAgent = await h.http.post('/api/deployment-adapters').set(h.as('agent')).send({ name: `agent-${kind}`, kind: 'shell', environments: PRODUCTION_AND_X, config: { commands: { build: 'true' } } });
    expect(asAgent.status).toBe(403);
    expect(await h.db.prisma.deploymentAdapter.count()).toBe(adapters);

    const adapter = await shellAdapter(h, {}, PRODUCTION_AND_X);
    const listed = await h.http.get('/api/deployment-adapters').set(h.as('agent'));
    expect(listed.body.items.find((a: { name: string }) => a.name === adapter.name).environments).toEqual([
      { name: 'production', position: 0, production: true },
      { name: 'x', position: 1, production: false },
    ]);
    const replaced = await h.http.put(`/api/deployment-adapters/${adapter.name}/environments`).set(h.as('agent')).send({ environments: [{ name: 'x' }] });
    expect(replaced.status).toBe(403);
    expect(await h.db.prisma.deploymentEnvironment.count({ where: { adapter: { name: adapter.name } } })).toBe(2);
  });

  it('the ["production","x"] attack: unknown or out-of-order environments and a production release without a change are refused, nothing written; production never deploys unauthorised', async () => {
    const adapter = await shellAdapter(h, {}, PRODUCTION_AND_X);
    const before = await releaseCount();
    const plan = (body: object) => h.http.post('/api/releases').set(h.as('agent')).send({ version: '9.9.9', title: 'Sneak into production', type: 'minor', adapter: adapter.name, ...body });

    const unknown = await plan({ environments: ['production', 'staging'], changeIds: [ready.id] });
    expect(unknown.status).toBe(400);
    expect(fields(unknown.body)).toEqual(['environments.1']);
    const outOfOrder = await plan({ environments: ['x', 'production'], changeIds: [ready.id] });
    expect(outOfOrder.status).toBe(400);
    expect(fields(outOfOrder.body)).toEqual(['environments.1']);
    const confirmElsewhere = await plan({ environments: ['x'], confirmIn: ['production'] });
    expect(fields(confirmElsewhere.body)).toEqual(['confirmIn.0']);
    const noChange = await plan({ environments: ['production', 'x'] });
    expect(noChange.status).toBe(400);
    expect(fields(noChange.body)).toEqual(['changeIds']);
    expect(await releaseCount()).toBe(before);

    // A release that stays out of production needs no change.
    expect((await plan({ environments: ['x'] })).status).toBe(201);

    const release = await planRelease(h, adapter.name, { environments: ['production', 'x'], changeIds: [ready.id] });
    expect(release).toMatchObject({ environments: ['production', 'x'], productionEnvironments: ['production'] });
    expect((await releaseAction(h, release.id, 'start')).status).toBe(200);
    await waitForReleaseState(h, release.id, 'awaiting_authorisation');
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect((await h.db.prisma.release.findUniqueOrThrow({ where: { id: release.id } })).state).toBe('awaiting_authorisation');
    expect(await productionDeploys(release.id)).toBe(0);
    expect(await live(release.id)).toMatchObject({ awaitingAuthorisationFor: 'production', authorisedById: null, environments: { production: 'pending', x: 'pending' } });
    expect((await releaseAction(h, release.id, 'abort', { reason: 'not authorised' })).status).toBe(200);
    await waitForReleaseState(h, release.id, 'aborted');
    expect(await productionDeploys(release.id)).toBe(0);
  });

  it('each production environment needs its own authorisation, and an authorisation names the environment it is for', async () => {
    const adapter = await shellAdapter(h, {}, [
      { name: 'staging', production: false },
      { name: 'prod-eu', production: true },
      { name: 'prod-us', production: true },
    ]);
    const release = await planRelease(h, adapter.name, { changeIds: [ready.id] });
    await releaseAction(h, release.id, 'start');
    await waitForReleaseState(h, release.id, 'awaiting_authorisation');
    expect(await live(release.id)).toMatchObject({ awaitingAuthorisationFor: 'prod-eu' });
    const wrong = await releaseAction(h, release.id, 'authorise', { environment: 'prod-us' }, 'manager');
    expect(wrong.status).toBe(409);
    expect(wrong.body.detail).toMatch(/waits for an authorisation for prod-eu, not prod-us/);
    const first = await releaseAction(h, release.id, 'authorise', { environment: 'prod-eu' }, 'manager');
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ authorisedFor: 'prod-eu' });

    // prod-eu deploys; prod-us waits for an authorisation of its own.
    await eventually(async () => expect(await live(release.id)).toMatchObject({ state: 'awaiting_authorisation', awaitingAuthorisationFor: 'prod-us', authorisedById: null, environments: { 'prod-eu': 'deployed' } }));
    expect(await productionDeploys(release.id, 'prod-us')).toBe(0);
    const mails = await eventually(async () => {
      const found = (await readInbox(process.env.ITSM_TEST_MAIL_INBOX!)).filter((m) => m.headers['x-itsm-release-id'] === release.id && m.headers['x-itsm-kind'] === 'authorisation-request');
      if (found.length < 2) throw new Error(`${found.length} authorisation requests so far`);
      return found;
    });
    expect(mails.map((m) => m.subject).sort()).toEqual([`[${release.reference}] prod-eu deployment awaits your authorisation`, `[${release.reference}] prod-us deployment awaits your authorisation`]);

    expect((await releaseAction(h, release.id, 'authorise', {}, 'manager')).body).toMatchObject({ authorisedFor: 'prod-us' });
    await waitForReleaseState(h, release.id, 'released');
    const authorised = await h.db.prisma.releaseEvent.findMany({ where: { releaseId: release.id, type: 'authorised' }, orderBy: { at: 'asc' } });
    expect(authorised.map((e) => (e.data as { environment: string }).environment)).toEqual(['prod-eu', 'prod-us']);
    if (kind === 'pglite') await recordHistoryIfAsked(release.workflowId, 'release-two-production-environments');
  });

  it('an environment a release under way deploys to cannot be removed; order and flags can change, and planned releases keep theirs', async () => {
    const adapter = await shellAdapter(h, {}, [
      { name: 'test', production: false },
      { name: 'production', production: true },
    ]);
    const release = await planRelease(h, adapter.name, { changeIds: [ready.id] });
    const put = (environments: object[]) => h.http.put(`/api/deployment-adapters/${adapter.name}/environments`).set(h.as('admin')).send({ environments });

    const removing = await put([{ name: 'production', production: true }]);
    expect(removing.status).toBe(409);
    expect(removing.body.detail).toContain(`${release.reference} (planned) deploys to test`);
    expect(await h.db.prisma.deploymentEnvironment.count({ where: { adapter: { name: adapter.name } } })).toBe(2);
    expect((await put([{ name: 'test', production: false }, { name: 'test', production: true }])).status).toBe(400);

    const grown = await put([{ name: 'test', production: true }, { name: 'staging' }, { name: 'production', production: true }]);
    expect(grown.status).toBe(200);
    expect(grown.body.environments.map((e: { name: string; production: boolean }) => `${e.name}:${e.production}`)).toEqual(['test:true', 'staging:false', 'production:true']);
    expect((await h.db.prisma.release.findUniqueOrThrow({ where: { id: release.id } })).productionEnvironments).toEqual(['production']);

    await releaseAction(h, release.id, 'abort', { reason: 'environments reorganised' });
    await waitForReleaseState(h, release.id, 'aborted');
    expect((await put([{ name: 'production', production: true }])).status).toBe(200);
  });
});
