import { z } from 'zod';
import { INBOUND_OUTCOMES } from '../../domain/inbound-mail';
import '../openapi';

export const InboundMailSchema = z
  .object({
    id: z.uuid(),
    messageId: z.string().nullable(),
    source: z.enum(['smtp', 'imap']),
    fromAddress: z.string().nullable(),
    recipients: z.array(z.string()),
    subject: z.string(),
    sizeBytes: z.number().int(),
    outcome: z.enum(INBOUND_OUTCOMES),
    detail: z.string().nullable(),
    incidentId: z.uuid().nullable(),
    attachments: z.array(z.object({ filename: z.string(), sizeBytes: z.number().int(), refusedReason: z.string().nullable() })),
    receivedAt: z.iso.datetime(),
    processedAt: z.iso.datetime().nullable(),
  })
  .openapi('InboundMail');

export const ListInboundMailQuery = z.strictObject({
  outcome: z.enum(INBOUND_OUTCOMES).optional(),
  incidentId: z.uuid('must be an incident id (UUID)').optional(),
  limit: z.coerce.number().int().min(1, 'must be between 1 and 200').max(200, 'must be between 1 and 200').default(50),
  before: z.iso.datetime('must be an ISO 8601 instant').optional().openapi({ description: 'the receivedAt of the last mail of the previous page' }),
});

export const InboundMailPage = z.object({ items: z.array(InboundMailSchema), nextBefore: z.iso.datetime().nullable() }).openapi('InboundMailPage');
