import { z } from 'zod';
import { ROLES } from './user';
import '../openapi';

const fields = {
  providerGroup: z.string().trim().min(1, 'must not be empty').max(400).openapi({ description: "a value of the provider's group claim (OIDC_GROUPS_CLAIM): a name, a path such as /itsm/agents, or an Entra ID object id", example: 'itsm-agents' }),
  roles: z
    .array(z.enum(ROLES, { error: `must be one of ${ROLES.join(', ')}` }))
    .transform((roles) => [...new Set(roles)])
    .openapi({ description: 'roles members of the provider group hold here; a person in no mapped group is a requester' }),
  groupId: z.uuid('must be a group id (UUID)').nullable().openapi({ description: 'a group here whose membership follows the provider group; null: none' }),
};

const grantsSomething = (body: { roles?: string[]; groupId?: string | null }) => (body.roles?.length ?? 0) > 0 || Boolean(body.groupId);
const NOTHING = { message: 'a mapping grants at least one role or a group', path: ['roles'] };

export const RoleMappingCreate = z
  .strictObject({ ...fields, roles: fields.roles.default([]), groupId: fields.groupId.default(null) })
  .refine(grantsSomething, NOTHING)
  .openapi('RoleMappingCreate');

export const RoleMappingUpdate = z
  .strictObject({ roles: fields.roles.optional(), groupId: fields.groupId.optional() })
  .refine((body) => Object.keys(body).length > 0, { message: 'give roles or groupId to change', path: ['roles'] })
  .openapi('RoleMappingUpdate');

export const RoleMappingIdParams = z.strictObject({ id: z.uuid('must be a role mapping id (UUID)') });

export const RoleMappingSchema = z
  .object({ id: z.uuid(), ...fields, createdAt: z.iso.datetime(), updatedAt: z.iso.datetime() })
  .openapi('RoleMapping');
