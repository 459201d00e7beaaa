import { z } from 'zod';
import '../openapi';

export const TOKEN_STATUSES = ['active', 'expired', 'revoked'] as const;

export const ApiTokenSchema = z
  .object({
    id: z.uuid(),
    userId: z.uuid(),
    label: z.string(),
    status: z.enum(TOKEN_STATUSES),
    createdAt: z.iso.datetime(),
    lastUsedAt: z.iso.datetime().nullable().openapi({ description: 'kept to the minute' }),
    expiresAt: z.iso.datetime().nullable().openapi({ description: 'null: the token does not expire' }),
    revokedAt: z.iso.datetime().nullable(),
    revokedById: z.uuid().nullable(),
  })
  .openapi('ApiToken', { description: 'An API token as anyone may see it: never its secret.' });

export const IssuedApiTokenSchema = ApiTokenSchema.extend({
  token: z.string().openapi({ description: 'the secret, for `Authorization: Bearer <token>`; shown in this answer only and kept nowhere' }),
}).openapi('IssuedApiToken');

export const TokenIdParams = z.strictObject({ id: z.uuid('must be a token id (UUID)') });

export const ListTokensQuery = z.strictObject({
  userId: z.uuid('must be a user id (UUID)').optional().openapi({ description: "administrators only, for another person's tokens; default: your own" }),
});

// Shared by the API and `npm run admin` (--label, --expires-in-days), so both hold a token to the same rules.
export const tokenLabelField = z.string().trim().min(1, 'must not be empty').max(100, 'must be at most 100 characters');
export const expiresInDaysField = z.number().int('must be a whole number of days').min(1, 'must be at least 1').max(3650, 'must be at most 3650 (ten years)');

export const IssueTokenBody = z
  .strictObject({
    label: tokenLabelField.openapi({ example: 'monitoring integration' }),
    userId: z.uuid('must be a user id (UUID)').optional().openapi({ description: 'administrators only: issue the token to another person (to hand over); default: yourself' }),
    expiresAt: z.iso.datetime({ offset: true, message: 'must be an ISO 8601 instant such as 2027-01-31T00:00:00Z' }).optional(),
    expiresInDays: expiresInDaysField.optional(),
  })
  .superRefine((body, ctx) => {
    if (body.expiresAt !== undefined && body.expiresInDays !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['expiresInDays'], message: 'give expiresAt or expiresInDays, not both' });
    }
    if (body.expiresAt !== undefined && Date.parse(body.expiresAt) <= Date.now()) {
      ctx.addIssue({ code: 'custom', path: ['expiresAt'], message: 'must be in the future' });
    }
  })
  .openapi('IssueApiToken', { description: 'Without expiresAt or expiresInDays the token does not expire (until revoked).' });
