import { z } from 'zod';
import { RELEASE_STATES } from '../../domain/release';
import '../openapi';
import { WorkflowLinkSchema } from './workflow-link';

const environment = z.string().trim().regex(/^[a-z][a-z0-9-]{0,39}$/, 'lower-case letters, digits and dashes');
const instant = z.iso.datetime({ offset: true, message: 'must be an ISO 8601 instant' });

const EnvironmentDefinition = z.strictObject({
  name: environment,
  production: z.boolean().default(false).openapi({ description: 'deploying here needs a manager\'s authorisation, the release window and an approved, scheduled change' }),
});
const EnvironmentList = z
  .array(EnvironmentDefinition)
  .min(1)
  .max(10)
  .refine((envs) => new Set(envs.map((env) => env.name)).size === envs.length, 'each environment once')
  .openapi({ description: 'the environments releases may deploy to, in deployment order' });

export const CreateAdapterBody = z
  .strictObject({
    name: z.string().trim().regex(/^[a-z0-9][a-z0-9._-]{0,59}$/i, 'letters, digits, dot, dash or underscore'),
    kind: z.enum(['shell', 'webhook']),
    config: z.record(z.string(), z.unknown()).openapi({ description: 'shell: {commands: {build?, test?, deploy?, verify?, rollback?}, cwd?, env?, timeoutSeconds?}; webhook: {url, secret, timeoutSeconds?}' }),
    internal: z.boolean().default(false).openapi({ description: 'a webhook that may call private, loopback and link-local addresses, and plain http' }),
    environments: EnvironmentList,
  })
  .openapi('CreateDeploymentAdapter');

export const AdapterNameParams = z.strictObject({ name: z.string().trim().min(1).max(60) });
export const AdapterEnvironmentsBody = z.strictObject({ environments: EnvironmentList }).openapi('DeploymentEnvironments');
const DeploymentEnvironmentSchema = z.object({ name: z.string(), position: z.number().int(), production: z.boolean() }).openapi('DeploymentEnvironment');

const ShellAdapterView = z.object({
  commands: z.record(z.string(), z.string()),
  cwd: z.string().optional(),
  env: z.record(z.string(), z.literal('set')).openapi({ description: 'the variables by name; their values are write-only' }),
  timeoutSeconds: z.number().int(),
});
const WebhookAdapterView = z.object({
  url: z.string().openapi({ description: 'without its credentials; query values as ***' }),
  secret: z.literal('set').openapi({ description: 'write-only' }),
  timeoutSeconds: z.number().int(),
});
/** An adapter as anyone who may read it sees it: its secrets are write-only. */
export const AdapterSchema = z
  .object({ id: z.uuid(), name: z.string(), kind: z.enum(['shell', 'webhook']), internal: z.boolean(), config: z.union([ShellAdapterView, WebhookAdapterView]), environments: z.array(DeploymentEnvironmentSchema) })
  .openapi('DeploymentAdapter');

export const CreateReleaseBody = z
  .strictObject({
    version: z.string().trim().min(1).max(60),
    title: z.string().trim().min(3, 'must be at least 3 characters').max(200),
    type: z.enum(['major', 'minor', 'emergency']),
    adapter: z.string().trim().min(1).openapi({ description: 'the deployment adapter, by name' }),
    environments: z
      .array(environment)
      .min(1)
      .max(10)
      .refine((envs) => new Set(envs).size === envs.length, 'each environment once')
      .optional()
      .openapi({ description: "environments of the adapter, in the adapter's order; all of them when absent. Each one the adapter flags production is gated (authorisation, window, linked changes)" }),
    changeIds: z.array(z.uuid('must be a change id (UUID)')).max(50).default([]).openapi({ description: 'at least one when the release deploys to a production environment' }),
    cis: z.array(z.string().trim().min(1).max(100)).max(50).default([]),
    confirmIn: z.array(environment).max(10).default([]).openapi({ description: "environments of the release's where a person confirms the smoke test before verification" }),
    confirmSeconds: z.number().int().min(1).max(7 * 86_400).default(3_600).openapi({ description: 'how long the confirmation may take before it is escalated' }),
    productionStart: instant.optional().openapi({ description: 'production waits for this instant' }),
    productionEnd: instant.optional().openapi({ description: 'production is refused from this instant on' }),
  })
  .refine((body) => !body.productionStart || !body.productionEnd || Date.parse(body.productionStart) < Date.parse(body.productionEnd), { path: ['productionEnd'], message: 'must be after productionStart' })
  .openapi('CreateRelease');

export const ReleaseIdParams = z.strictObject({ id: z.uuid('must be a release id (UUID)') });
export const EmptyBody = z.strictObject({});
export const ConfirmBody = z.strictObject({ environment });
export const AuthoriseBody = z.strictObject({ environment: environment.optional().openapi({ description: 'the production environment you mean; refused (409) when another one is waiting' }) });
export const AbortBody = z.strictObject({ reason: z.string().trim().min(3, 'give a reason of at least 3 characters').max(2_000) });

export const ReleaseStatusSchema = z
  .object({
    state: z.enum(RELEASE_STATES),
    environments: z.record(z.string(), z.string()),
    authorisedById: z.uuid().nullable(),
    authorisedFor: z.string().nullable().openapi({ description: 'the production environment the current authorisation is for' }),
    awaitingAuthorisationFor: z.string().nullable().openapi({ description: 'the production environment waiting for an authorisation now or next' }),
    abortRequested: z.boolean(),
    failureReason: z.string().nullable(),
  })
  .openapi('ReleaseStatus');

export const ReleaseSchema = z
  .object({
    id: z.uuid(),
    number: z.number().int(),
    reference: z.string().openapi({ example: 'REL-000003' }),
    version: z.string(),
    title: z.string(),
    type: z.string(),
    state: z.enum(RELEASE_STATES),
    adapter: z.string(),
    environments: z.array(z.string()),
    productionEnvironments: z.array(z.string()).openapi({ description: 'the environments that were production on the adapter when the release was planned: each is gated' }),
    confirmIn: z.array(z.string()),
    productionStart: z.string().nullable(),
    productionEnd: z.string().nullable(),
    requesterId: z.uuid(),
    authorisedById: z.uuid().nullable(),
    failureReason: z.string().nullable(),
    workflowId: z.string(),
    workflow: WorkflowLinkSchema,
    createdAt: z.string(),
  })
  .openapi('Release');
