import { IANAZone } from 'luxon';
import { z } from 'zod';
import { queryFlag } from './fields';
import '../openapi';

export const ROLES = ['requester', 'agent', 'manager', 'cab', 'auditor', 'admin'] as const;
/** The languages mail and pages are written in. */
export const LOCALES = ['en', 'zh-CN'] as const;

// Field schemas shared by the user routes and the bulk import, so a row is held to the same rules as a request.
// E-mail addresses are kept in lower case: the address is the person's key in imports and escalation chains.
export const emailField = z
  .string()
  .trim()
  .toLowerCase()
  .pipe(z.email('must be an e-mail address').max(254))
  .openapi({ format: 'email', example: 'mei.chen@example.com' });
export const personName = z.string().trim().min(1, 'must not be empty').max(200, 'must be at most 200 characters');
export const localeField = z.enum(LOCALES);
export const timeZoneField = z
  .string()
  .trim()
  .refine((zone) => IANAZone.isValidZone(zone), 'must be an IANA time zone such as Asia/Shanghai or Europe/London')
  .openapi({ example: 'Asia/Shanghai' });
export const rolesField = z
  .array(z.enum(ROLES, { error: `must be one of ${ROLES.join(', ')}` }))
  .min(1, 'must name at least one role')
  .transform((roles) => [...new Set(roles)]);

export const UserSchema = z
  .object({
    id: z.uuid(),
    email: z.string(),
    name: z.string(),
    locale: z.string(),
    timeZone: z.string(),
    roles: z.array(z.enum(ROLES)),
    managerId: z.uuid().nullable().openapi({ description: "approves the person's requests that need their manager" }),
    active: z.boolean(),
    deactivatedAt: z.iso.datetime().nullable(),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .openapi('User');

export const UserDetailSchema = UserSchema.extend({
  groups: z.array(z.object({ id: z.uuid(), name: z.string(), active: z.boolean() })).openapi({ description: 'the groups the person is a member of' }),
}).openapi('UserDetail');

export const UserIdParams = z.strictObject({ id: z.uuid('must be a user id (UUID)') });

export const ListUsersQuery = z.strictObject({
  role: z.enum(ROLES).optional(),
  active: queryFlag.optional().openapi({ description: 'true: active people only; false: deactivated people only' }),
});

export const CreateUserBody = z
  .strictObject({
    email: emailField,
    name: personName,
    locale: localeField.default('en'),
    timeZone: timeZoneField.default('UTC'),
    roles: rolesField,
    managerId: z.uuid('must be a user id (UUID)').nullable().optional().openapi({ description: "the person's manager, who approves their requests that need it" }),
  })
  .openapi('CreateUser');

export const UpdateUserBody = z
  .strictObject({
    email: emailField.optional(),
    name: personName.optional(),
    locale: localeField.optional(),
    timeZone: timeZoneField.optional(),
    roles: rolesField.optional().openapi({ description: 'replaces the person’s roles' }),
    managerId: z.uuid('must be a user id (UUID)').nullable().optional().openapi({ description: "the person's manager (null: none)" }),
  })
  .refine((body) => Object.keys(body).length > 0, { message: 'name at least one field to change' })
  .openapi('UpdateUser');

const openRecord = z.object({ id: z.uuid(), reference: z.string(), title: z.string(), state: z.string(), dueAt: z.iso.datetime().nullable() });

export const OpenWorkSchema = z
  .object({
    incidents: z.array(openRecord).openapi({ description: 'open incidents assigned to the person' }),
    problems: z.array(openRecord).openapi({ description: 'open problems they own' }),
    complaints: z.array(openRecord).openapi({ description: 'open complaints they handle' }),
    competenceReviews: z.array(openRecord).openapi({ description: 'their own competence reviews still due' }),
    correctiveActions: z.array(openRecord).openapi({ description: 'open corrective actions they own' }),
    continuityTests: z.array(openRecord).openapi({ description: 'continuity tests due on plans they own' }),
    supplierReviews: z.array(openRecord).openapi({ description: 'unfinished reviews of contracts they own' }),
    groupsLed: z.array(z.object({ id: z.uuid(), name: z.string() })),
    servicesOwned: z.array(z.object({ id: z.uuid(), code: z.string(), name: z.string() })),
  })
  .openapi('OpenWork', { description: 'What a deactivated person leaves behind, for a manager to hand over; nothing is reassigned automatically.' });

export const DeactivationSchema = z
  .object({ user: UserSchema, openWork: OpenWorkSchema, revocationRequestIds: z.array(z.uuid()).openapi({ description: 'the revocation requests opened for the access the person held' }) })
  .openapi('UserDeactivation');
