import { z } from 'zod';
import { RELEASE_STATES } from '../../domain/release';
import '../openapi';

const environment = z.string().trim().regex(/^[a-z][a-z0-9-]{0,39}$/, 'lower-case letters, digits and dashes');
const instant = z.iso.datetime({ offset: true, message: 'must be an ISO 8601 instant' });

export const CreateAdapterBody = z
  .strictObject({
    name: z.string().trim().regex(/^[a-z0-9][a-z0-9._-]{0,59}$/i, 'letters, digits, dot, dash or underscore'),
    kind: z.enum(['shell', 'webhook']),
    config: z.record(z.string(), z.unknown()).openapi({ description: 'shell: {commands: {build?, test?, deploy?, verify?, rollback?}, cwd?, env?, timeoutSeconds?}; webhook: {url, secret, timeoutSeconds?}' }),
  })
  .openapi('CreateDeploymentAdapter');

export const AdapterSchema = z.object({ id: z.uuid(), name: z.string(), kind: z.string(), config: z.record(z.string(), z.unknown()) }).openapi('DeploymentAdapter');

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
      .default(['test', 'staging', 'production'])
      .openapi({ description: 'in deployment order; the last is production (authorised, windowed, gated on the linked changes)' }),
    changeIds: z.array(z.uuid('must be a change id (UUID)')).max(50).default([]),
    cis: z.array(z.string().trim().min(1).max(100)).max(50).default([]),
    confirmIn: z.array(environment).max(10).default([]).openapi({ description: 'environments where a person confirms the smoke test before verification' }),
    confirmSeconds: z.number().int().min(1).max(7 * 86_400).default(3_600).openapi({ description: 'how long the confirmation may take before it is escalated' }),
    productionStart: instant.optional().openapi({ description: 'production waits for this instant' }),
    productionEnd: instant.optional().openapi({ description: 'production is refused from this instant on' }),
  })
  .refine((body) => !body.productionStart || !body.productionEnd || Date.parse(body.productionStart) < Date.parse(body.productionEnd), { path: ['productionEnd'], message: 'must be after productionStart' })
  .refine((body) => body.confirmIn.every((env) => body.environments.includes(env)), { path: ['confirmIn'], message: 'only target environments can ask for a confirmation' })
  .openapi('CreateRelease');

export const ReleaseIdParams = z.strictObject({ id: z.uuid('must be a release id (UUID)') });
export const EmptyBody = z.strictObject({});
export const ConfirmBody = z.strictObject({ environment });
export const AbortBody = z.strictObject({ reason: z.string().trim().min(3, 'give a reason of at least 3 characters').max(2_000) });

export const ReleaseStatusSchema = z
  .object({
    state: z.enum(RELEASE_STATES),
    environments: z.record(z.string(), z.string()),
    authorisedById: z.uuid().nullable(),
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
    confirmIn: z.array(z.string()),
    productionStart: z.string().nullable(),
    productionEnd: z.string().nullable(),
    requesterId: z.uuid(),
    authorisedById: z.uuid().nullable(),
    failureReason: z.string().nullable(),
    workflowId: z.string(),
    createdAt: z.string(),
  })
  .openapi('Release');
