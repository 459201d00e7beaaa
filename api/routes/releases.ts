import { randomUUID } from 'node:crypto';
import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import type { Router } from 'express';
import { z } from 'zod';
import { linkedChangeStates } from '../../activities/release';
import { adapterConfigSchema, adapterConfigView } from '../../records/deployment/adapters';
import { productionBlockers, releaseReference, releaseWorkflowId, type ReleaseOpened } from '../../domain/release';
import { changeReference } from '../../domain/change';
import { isoOrNull } from '../../domain/instants';
import { releaseStartDetails, releaseSummary } from '../../domain/release-metadata';
import type { DeploymentAdapter, DeploymentEnvironment, Prisma, Release } from '../../prisma/generated/client';
import { abortReleaseUpdate, authoriseReleaseUpdate, confirmReleaseUpdate, releaseStatusQuery, startReleaseUpdate, type ReleaseStatus } from '../../workflows/release.messages';
import type { release as releaseWorkflow } from '../../workflows/release';
import { ADMINS, MANAGERS, STAFF } from '../auth';
import { resolveCis } from '../ci-references';
import type { ApiDeps } from '../deps';
import { foundOr404, httpErrors, issuesFromZod } from '../problem-details';
import { recordActions } from '../record-action';
import { environmentRows, environmentsView, plannedEnvironments, replaceEnvironments } from '../release-environments';
import { defineRoute } from '../route';
import { AbortBody, AdapterEnvironmentsBody, AuthoriseBody, AdapterNameParams, AdapterSchema, ConfirmBody, CreateAdapterBody, CreateReleaseBody, EmptyBody, ReleaseIdParams, ReleaseSchema, ReleaseStatusSchema } from '../schemas/release';
import { recordApiUrl, workflowLink } from '../workflow-links';
import { recordUpdater } from '../workflow-updates';
import { startRecordWorkflow } from '../workflow-start';

type ReleaseRow = Release & { adapter: DeploymentAdapter };


function releaseView(deps: Pick<ApiDeps, 'temporalUiUrl' | 'namespace'>, release: ReleaseRow) {
  return {
    id: release.id,
    number: release.number,
    reference: releaseReference(release.number),
    version: release.version,
    title: release.title,
    type: release.type,
    state: release.state as ReleaseStatus['state'],
    adapter: release.adapter.name,
    environments: release.environments,
    productionEnvironments: release.productionEnvironments,
    confirmIn: release.confirmIn,
    productionStart: isoOrNull(release.productionStart),
    productionEnd: isoOrNull(release.productionEnd),
    requesterId: release.requesterId,
    authorisedById: release.authorisedById,
    failureReason: release.failureReason,
    workflowId: release.workflowId,
    workflow: workflowLink(deps, release.workflowId),
    createdAt: release.createdAt.toISOString(),
  };
}

/** Secrets are write-only: env values, the webhook secret and URL credentials never leave the API again. */
const adapterView = ({ id, name, kind, internal, config }: DeploymentAdapter) => ({ id, name, kind: kind as 'shell' | 'webhook', internal, config: adapterConfigView(kind, config) });
const adapterWithEnvironments = (adapter: DeploymentAdapter & { environments: DeploymentEnvironment[] }) => ({ ...adapterView(adapter), environments: environmentsView(adapter.environments) });

export function releaseRoutes(router: Router, registry: OpenAPIRegistry, deps: ApiDeps) {
  const { prisma } = deps;
  const findRelease = (id: string) => foundOr404(prisma.release.findUnique({ where: { id }, include: { adapter: true } }), `release ${id}`);

  defineRoute(router, registry, {
    method: 'post',
    path: '/api/deployment-adapters',
    summary: 'Register how releases are deployed: a shell command per step, or a signed webhook (administrators only: it runs commands)',
    tags: ['releases'],
    roles: ADMINS,
    body: CreateAdapterBody,
    responses: { 201: { description: 'Registered', schema: AdapterSchema }, 409: { description: 'The name is taken' } },
    async handler({ body }) {
      const parsed = adapterConfigSchema(body.kind, { internal: body.internal, dataDir: deps.stepSandbox.dataDir }).safeParse(body.config);
      if (!parsed.success) throw httpErrors.validation(issuesFromZod('body', parsed.error).map((issue) => ({ ...issue, field: `config.${issue.field}`.replace(/\.\(root\)$/, '') })));
      if (await prisma.deploymentAdapter.findUnique({ where: { name: body.name } })) throw httpErrors.conflict(`an adapter named ${body.name} exists`);
      const adapter = await prisma.deploymentAdapter.create({
        data: { name: body.name, kind: body.kind, internal: body.internal, config: parsed.data as Prisma.InputJsonObject, environments: { create: environmentRows(body.environments) } },
        include: { environments: true },
      });
      return { status: 201, body: adapterWithEnvironments(adapter) };
    },
  });

  defineRoute(router, registry, {
    method: 'get',
    path: '/api/deployment-adapters',
    summary: 'The registered deployment adapters (secrets only as set)',
    tags: ['releases'],
    roles: STAFF,
    responses: { 200: { description: 'Adapters', schema: z.object({ items: z.array(AdapterSchema) }) } },
    async handler() {
      return { status: 200, body: { items: (await prisma.deploymentAdapter.findMany({ orderBy: { name: 'asc' }, include: { environments: true } })).map(adapterWithEnvironments) } };
    },
  });

  defineRoute(router, registry, {
    method: 'put',
    path: '/api/deployment-adapters/:name/environments',
    summary: "Replace an adapter's environments, in deployment order, each production or not (administrators only); releases already planned keep theirs",
    tags: ['releases'],
    roles: ADMINS,
    params: AdapterNameParams,
    body: AdapterEnvironmentsBody,
    responses: { 200: { description: 'Replaced', schema: AdapterSchema }, 404: { description: 'No such adapter' }, 409: { description: 'A release under way deploys to an environment the list leaves out' } },
    async handler({ params, body }) {
      const adapter = await foundOr404(prisma.deploymentAdapter.findUnique({ where: { name: params.name } }), `deployment adapter ${params.name}`);
      return { status: 200, body: adapterWithEnvironments({ ...adapter, environments: await replaceEnvironments(prisma, adapter, body.environments) }) };
    },
  });

  defineRoute(router, registry, {
    method: 'post',
    path: '/api/releases',
    summary: 'Plan a release: its changes, CIs, environments in order and adapter; its workflow starts, waiting for start',
    tags: ['releases'],
    roles: STAFF,
    body: CreateReleaseBody,
    responses: { 201: { description: 'Planned', schema: ReleaseSchema }, 503: { description: 'Workflow engine unreachable; nothing was written' } },
    async handler({ body, principal, res }) {
      const adapter = await prisma.deploymentAdapter.findUnique({ where: { name: body.adapter }, include: { environments: true } });
      if (!adapter) throw httpErrors.validation([{ location: 'body', field: 'adapter', message: `no deployment adapter ${body.adapter}`, code: 'unknown_reference' }]);
      const targets = plannedEnvironments(adapter, body.environments, body.confirmIn);
      // The gate also refuses production without a linked change; refusing here saves a release that could never finish.
      if (targets.production.length > 0 && body.changeIds.length === 0) {
        throw httpErrors.validation([{ location: 'body', field: 'changeIds', message: `a release to production (${targets.production.join(', ')}) needs at least one linked change`, code: 'required' }]);
      }
      const changes = await prisma.changeRequest.findMany({ where: { id: { in: body.changeIds } }, select: { id: true, number: true } });
      body.changeIds.forEach((id, index) => {
        if (!changes.some((c) => c.id === id)) throw httpErrors.validation([{ location: 'body', field: `changeIds.${index}`, message: `no change ${id}`, code: 'unknown_reference' }]);
      });
      const cis = await resolveCis(prisma, body.cis, 'cis');
      const id = randomUUID();
      const workflowId = releaseWorkflowId(id);
      // The row comes first here (the workflow's records hang off it); a refused start takes it away again.
      const row = await prisma.release.create({
        data: {
          id,
          workflowId,
          version: body.version,
          title: body.title,
          type: body.type,
          adapterId: adapter.id,
          environments: targets.environments,
          productionEnvironments: targets.production,
          confirmIn: body.confirmIn,
          confirmSeconds: body.confirmSeconds,
          productionStart: body.productionStart ? new Date(body.productionStart) : null,
          productionEnd: body.productionEnd ? new Date(body.productionEnd) : null,
          requesterId: principal.id,
          changes: { create: [...new Set(body.changeIds)].map((changeId) => ({ changeId })) },
          cis: { create: cis.map((ci) => ({ ciId: ci.id })) },
        },
        include: { adapter: true },
      });
      const apiUrl = recordApiUrl(deps, `/api/releases/${id}`);
      const opened: ReleaseOpened = {
        releaseId: id,
        number: row.number,
        version: row.version,
        environments: row.environments,
        production: row.productionEnvironments,
        confirmIn: row.confirmIn,
        confirmSeconds: row.confirmSeconds,
        productionStart: isoOrNull(row.productionStart),
        requesterId: principal.id,
        title: row.title,
        apiUrl,
      };
      const plan = { ...opened, title: row.title, type: row.type, adapter: adapter.name, productionEnd: isoOrNull(row.productionEnd), requesterName: principal.name, changes: changes.map((change) => changeReference(change.number)) };
      try {
        await startRecordWorkflow<typeof releaseWorkflow>(deps, 'release', { workflowId, args: [opened], kind: 'release', state: 'planned', summary: releaseSummary(row, 'planned'), details: releaseStartDetails(plan, apiUrl) });
      } catch (error) {
        await prisma.release.delete({ where: { id } });
        throw error;
      }
      res.location(`/api/releases/${id}`);
      return { status: 201, body: releaseView(deps, row) };
    },
  });

  defineRoute(router, registry, {
    method: 'get',
    path: '/api/releases',
    summary: 'Releases, newest first',
    tags: ['releases'],
    roles: STAFF,
    responses: { 200: { description: 'Releases', schema: z.object({ items: z.array(ReleaseSchema) }) } },
    async handler() {
      const rows = await prisma.release.findMany({ orderBy: { number: 'desc' }, take: 100, include: { adapter: true } });
      return { status: 200, body: { items: rows.map((row) => releaseView(deps, row)) } };
    },
  });

  defineRoute(router, registry, {
    method: 'get',
    path: '/api/releases/:id',
    summary: 'One release with its status per environment, its step logs (output, exit code) and its history',
    tags: ['releases'],
    roles: STAFF,
    params: ReleaseIdParams,
    responses: { 200: { description: 'The release', schema: ReleaseSchema.extend({ live: ReleaseStatusSchema.nullable(), deployments: z.array(z.record(z.string(), z.unknown())), steps: z.array(z.record(z.string(), z.unknown())), events: z.array(z.record(z.string(), z.unknown())), changes: z.array(z.record(z.string(), z.unknown())) }) }, 404: { description: 'No such release' } },
    async handler({ params }) {
      const release = await findRelease(params.id);
      const [deployments, steps, events, changes, live] = await Promise.all([
        prisma.deployment.findMany({ where: { releaseId: release.id }, orderBy: { position: 'asc' } }),
        prisma.releaseStep.findMany({ where: { releaseId: release.id }, orderBy: { startedAt: 'asc' } }),
        prisma.releaseEvent.findMany({ where: { releaseId: release.id }, orderBy: [{ at: 'asc' }, { eventKey: 'asc' }] }),
        linkedChangeStates(prisma, release.id),
        deps.temporal.workflow.getHandle(release.workflowId).query(releaseStatusQuery).catch(() => null),
      ]);
      return {
        status: 200,
        body: {
          ...releaseView(deps, release),
          live,
          deployments: deployments.map(({ environment, position, state, deployedAt, verifiedAt, rolledBackAt }) => ({ environment, position, state, deployedAt: isoOrNull(deployedAt), verifiedAt: isoOrNull(verifiedAt), rolledBackAt: isoOrNull(rolledBackAt) })),
          steps: steps.map(({ environment, step, status, attempts, exitCode, httpStatus, output, startedAt, finishedAt }) => ({ environment, step, status, attempts, exitCode, httpStatus, output, startedAt: startedAt.toISOString(), finishedAt: isoOrNull(finishedAt) })),
          events: events.map(({ type, at, actorId, fromState, toState, data }) => ({ type, at: at.toISOString(), actorId, fromState, toState, data })),
          changes: changes.map(({ reference, state, scheduledStart, scheduledEnd }) => ({ reference, state, scheduledStart: scheduledStart && new Date(scheduledStart).toISOString(), scheduledEnd: scheduledEnd && new Date(scheduledEnd).toISOString() })),
        },
      };
    },
  });

  const action = recordActions<ReleaseRow, ReleaseStatus>(router, registry, {
    path: '/api/releases',
    tag: 'releases',
    noun: 'release',
    params: ReleaseIdParams,
    status: ReleaseStatusSchema,
    find: (id) => findRelease(id),
  });
  const send = recordUpdater(deps.temporal, 'release', (id) => prisma.release.findUnique({ where: { id }, select: { state: true } }));

  action({ verb: 'start', summary: 'Start building, testing and deploying', roles: STAFF, body: EmptyBody, run: ({ record, principal }) => send(record, startReleaseUpdate, { actorId: principal.id }) });

  action({
    verb: 'authorise',
    summary: 'Authorise the deployment to the next production environment (managers; never your own release); refused without a linked change or while one is not approved and scheduled around now',
    roles: MANAGERS,
    body: AuthoriseBody,
    async run({ record, body, principal }) {
      if (record.requesterId === principal.id) throw httpErrors.forbidden(`${releaseReference(record.number)} cannot be authorised by its requester (segregation of duties)`);
      const reasons = productionBlockers(await linkedChangeStates(prisma, record.id), record.productionEnd?.getTime() ?? null, Date.now());
      if (reasons.length > 0) throw httpErrors.conflict(`production deployment refused: ${reasons.join('; ')}`, { currentState: record.state, reasons });
      return send(record, authoriseReleaseUpdate, { actorId: principal.id, environment: body.environment });
    },
  });

  action({ verb: 'confirm', summary: 'Confirm the smoke test of an environment waiting for it', roles: STAFF, body: ConfirmBody, run: ({ record, body, principal }) => send(record, confirmReleaseUpdate, { actorId: principal.id, environment: body.environment }) });

  action({ verb: 'abort', summary: 'Abort: the running step is cancelled and every environment touched is rolled back, last first', roles: STAFF, body: AbortBody, run: ({ record, body, principal }) => send(record, abortReleaseUpdate, { actorId: principal.id, reason: body.reason }) });
}
