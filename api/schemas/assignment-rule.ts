import { z } from 'zod';
import { MEMBER_STRATEGIES } from '../../domain/routing';
import { categoryField } from './incident';
import '../openapi';

const criteria = {
  serviceId: z.uuid('must be a service id (UUID)').nullable().openapi({ description: 'only incidents on this service; null: any' }),
  category: categoryField.nullable().openapi({ description: 'only incidents of this category; null: any' }),
  ciType: z.string().trim().min(1).max(60).nullable().openapi({ description: 'only incidents naming a CI of this type; null: any' }),
};

const fields = {
  name: z.string().trim().min(3, 'must be at least 3 characters').max(120),
  ...criteria,
  groupId: z.uuid('must be a group id (UUID)'),
  memberStrategy: z.enum(MEMBER_STRATEGIES).openapi({ description: 'none: the group only; round_robin / fewest_open: also one of its active members' }),
  active: z.boolean(),
  position: z.number().int().min(1).max(100_000).openapi({ description: 'rules are tried in ascending position; the service default group comes after all of them' }),
};

export const AssignmentRuleCreate = z
  .strictObject({
    ...fields,
    serviceId: criteria.serviceId.default(null),
    category: criteria.category.default(null),
    ciType: criteria.ciType.default(null),
    memberStrategy: fields.memberStrategy.default('none'),
    active: fields.active.default(true),
    position: fields.position.optional().openapi({ description: 'default: after the last rule' }),
  })
  .openapi('AssignmentRuleCreate');

export const AssignmentRuleUpdate = z
  .strictObject(Object.fromEntries(Object.entries(fields).map(([key, schema]) => [key, schema.optional()])) as { [K in keyof typeof fields]: z.ZodOptional<(typeof fields)[K]> })
  .refine((body) => Object.keys(body).length > 0, { message: 'give at least one field to change', path: ['name'] })
  .openapi('AssignmentRuleUpdate');

export const AssignmentRuleSchema = z
  .object({ id: z.uuid(), ...fields, createdAt: z.iso.datetime(), updatedAt: z.iso.datetime() })
  .openapi('AssignmentRule');

export const AssignmentRuleIdParams = z.strictObject({ id: z.uuid('must be an assignment rule id (UUID)') });
