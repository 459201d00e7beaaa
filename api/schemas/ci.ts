import { z } from 'zod';
import { CI_STATUSES, CI_TYPES, MAX_IMPACT_DEPTH, RELATIONSHIP_TYPES, type CiType } from '../../domain/cmdb';
import '../openapi';

const name = (max: number) => z.string().trim().min(1, 'must not be empty').max(max);
const environment = z.enum(['production', 'staging', 'test', 'development']);

/** What each CI type records about itself; unknown attributes are refused so typos do not pass as data. */
export const CI_ATTRIBUTE_SCHEMAS: Record<CiType, z.ZodType> = {
  service: z.strictObject({ tier: z.enum(['gold', 'silver', 'bronze']).optional(), hours: name(100).optional() }),
  application: z.strictObject({ vendor: name(200).optional(), version: name(100).optional(), url: z.url().optional() }),
  server: z.strictObject({
    hostname: z.string().regex(/^[a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?$/i, 'must be a host name'),
    os: name(100).optional(),
    cpus: z.number().int().positive().max(4096).optional(),
    memoryGb: z.number().positive().max(65_536).optional(),
    ip: z.union([z.ipv4(), z.ipv6()]).optional(),
    environment: environment.optional(),
  }),
  database: z.strictObject({
    engine: z.enum(['postgresql', 'mysql', 'oracle', 'sqlserver', 'mongodb', 'other']),
    version: name(50).optional(),
    sizeGb: z.number().nonnegative().optional(),
    environment: environment.optional(),
  }),
  network_device: z.strictObject({ model: name(100).optional(), managementIp: z.union([z.ipv4(), z.ipv6()]).optional(), ports: z.number().int().positive().max(10_000).optional() }),
  workstation: z.strictObject({ assetTag: name(50), assignedTo: z.email().optional(), model: name(100).optional() }),
  storage: z.strictObject({ capacityTb: z.number().positive(), raid: name(20).optional() }),
  licence: z.strictObject({ vendor: name(200), product: name(200), metric: z.enum(['user', 'device', 'core', 'site']).optional() }),
  other: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])),
};

const attributes = z.record(z.string(), z.unknown()).openapi({ description: 'type-specific attributes, validated against the type (see the CMDB section of the README)' });
const instant = z.iso.datetime({ offset: true, message: 'must be an ISO 8601 instant' });
const money = z.number().nonnegative().max(1e12).multipleOf(0.01, 'at most two decimals');
const seats = z.number().int().nonnegative().max(10_000_000);
const changeId = z.uuid('must be a change id (UUID)').optional().openapi({ description: 'the change request this edit belongs to, kept in the CI history' });

export const CreateCiBody = z
  .strictObject({
    code: z.string().trim().regex(/^[a-z0-9][a-z0-9._-]{0,99}$/i, 'letters, digits, dot, dash or underscore, up to 100'),
    name: name(200),
    type: z.enum(CI_TYPES),
    status: z.enum(CI_STATUSES).default('active'),
    description: z.string().trim().max(5_000).default(''),
    ownerId: z.uuid('must be a user id (UUID)').optional(),
    serviceId: z.uuid('must be a service id (UUID)').optional().openapi({ description: 'for a CI of type service: the catalogue service it stands for' }),
    attributes: attributes.default({}),
    purchasedAt: instant.optional(),
    purchaseCost: money.optional(),
    warrantyEndsAt: instant.optional(),
    licenceSeats: seats.optional(),
    seatsInUse: seats.optional(),
    changeId,
  })
  .openapi('CreateCi');

export const UpdateCiBody = z
  .strictObject({
    name: name(200).optional(),
    status: z.enum(CI_STATUSES).optional(),
    description: z.string().trim().max(5_000).optional(),
    ownerId: z.uuid().nullable().optional(),
    attributes: attributes.optional(),
    purchasedAt: instant.nullable().optional(),
    purchaseCost: money.nullable().optional(),
    warrantyEndsAt: instant.nullable().optional(),
    licenceSeats: seats.nullable().optional(),
    seatsInUse: seats.nullable().optional(),
    changeId,
  })
  .openapi('UpdateCi');

export const CiIdParams = z.strictObject({ id: z.uuid('must be a configuration item id (UUID)') });
export const RelationshipParams = z.strictObject({ id: z.uuid(), relationshipId: z.uuid('must be a relationship id (UUID)') });

export const ListCisQuery = z.strictObject({
  type: z.enum(CI_TYPES).optional(),
  status: z.enum(CI_STATUSES).optional(),
  q: z.string().trim().min(1).max(100).optional().openapi({ description: 'part of the code or name' }),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

export const ImpactQuery = z.strictObject({
  depth: z.coerce.number().int().min(1).max(MAX_IMPACT_DEPTH).default(3).openapi({ description: `how many relationships to follow (1-${MAX_IMPACT_DEPTH})` }),
});

export const CreateRelationshipBody = z
  .strictObject({
    type: z.enum(RELATIONSHIP_TYPES),
    target: z.string().trim().min(1).max(100).openapi({ description: 'the other CI, by code or id: "<this> <type> <target>"' }),
    changeId,
  })
  .openapi('CreateRelationship');

const alert = z.object({ kind: z.string(), message: z.string() });

export const CiSchema = z
  .object({
    id: z.uuid(),
    code: z.string(),
    name: z.string(),
    type: z.enum(CI_TYPES),
    status: z.enum(CI_STATUSES),
    description: z.string(),
    ownerId: z.uuid().nullable(),
    serviceId: z.uuid().nullable(),
    attributes: z.record(z.string(), z.unknown()),
    purchasedAt: z.string().nullable(),
    purchaseCost: z.number().nullable(),
    warrantyEndsAt: z.string().nullable(),
    licenceSeats: z.number().int().nullable(),
    seatsInUse: z.number().int().nullable(),
    alerts: z.array(alert),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi('ConfigurationItem');

export const RelationshipSchema = z
  .object({ id: z.uuid(), type: z.enum(RELATIONSHIP_TYPES), source: z.object({ id: z.uuid(), code: z.string(), name: z.string() }), target: z.object({ id: z.uuid(), code: z.string(), name: z.string() }) })
  .openapi('CiRelationship');

const impacted = z.object({ id: z.uuid(), code: z.string(), name: z.string(), type: z.string(), status: z.string(), depth: z.number().int(), service: z.object({ id: z.uuid(), code: z.string(), name: z.string() }).nullable() });
const side = z.object({ cis: z.array(impacted), services: z.array(z.object({ id: z.uuid(), code: z.string(), name: z.string() })) });
export const ImpactSchema = z.object({ ci: z.object({ id: z.uuid(), code: z.string() }), depth: z.number().int(), downstream: side, upstream: side }).openapi('ImpactAnalysis');
