import { z } from 'zod';
import { queryFlag } from './fields';
import { emailField, localeField } from './user';
import '../openapi';

/** A semicolon separates group names in the bulk import's CSV, so no name may hold one. */
export const groupName = z
  .string()
  .trim()
  .min(2, 'must be at least 2 characters')
  .max(100, 'must be at most 100 characters')
  .regex(/^[^;]+$/, 'must not contain ";"')
  .openapi({ example: 'Service Desk' });

export const GroupIdParams = z.strictObject({ id: z.uuid('must be a group id (UUID)') });
export const GroupMemberParams = z.strictObject({ id: z.uuid('must be a group id (UUID)'), userId: z.uuid('must be a user id (UUID)') });
export const ListGroupsQuery = z.strictObject({ active: queryFlag.optional().openapi({ description: 'true: active groups only; false: deactivated groups only' }) });

export const CreateGroupBody = z
  .strictObject({
    name: groupName,
    email: emailField.optional().openapi({ description: "the group's shared mailbox; without one, group mail goes to each member" }),
    locale: localeField.default('en').openapi({ description: "language of mail sent to the group's own address" }),
    leadId: z.uuid('must be a user id (UUID)').optional().openapi({ description: 'an active user; alerted when an incident stays unassigned' }),
  })
  .openapi('CreateGroup');

export const UpdateGroupBody = z
  .strictObject({
    name: groupName.optional(),
    email: emailField.nullable().optional().openapi({ description: 'null removes the address' }),
    locale: localeField.optional(),
    leadId: z.uuid('must be a user id (UUID)').nullable().optional().openapi({ description: 'null removes the lead' }),
  })
  .refine((body) => Object.keys(body).length > 0, { message: 'name at least one field to change' })
  .openapi('UpdateGroup');

export const MemberBody = z.strictObject({ userId: z.uuid('must be a user id (UUID)') }).openapi('GroupMemberInput');

export const GroupSchema = z
  .object({
    id: z.uuid(),
    name: z.string(),
    email: z.string().nullable(),
    locale: z.string(),
    leadId: z.uuid().nullable(),
    active: z.boolean(),
    deactivatedAt: z.iso.datetime().nullable(),
    createdAt: z.iso.datetime(),
    members: z.array(z.object({ id: z.uuid(), email: z.string(), name: z.string(), active: z.boolean() })),
  })
  .openapi('Group');
