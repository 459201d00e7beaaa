import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import type { Router } from 'express';
import { isoOrNull } from '../../domain/instants';
import type { InboundOutcome } from '../../domain/inbound-mail';
import { MANAGERS } from '../auth';
import type { ApiDeps } from '../deps';
import { defineRoute } from '../route';
import { InboundMailPage, ListInboundMailQuery } from '../schemas/inbound-mail';

/**
 * Every received mail with what became of it, newest first. Managers and administrators: the mails name
 * senders and carry their text, and what to do about refused or failed ones is a service-desk decision.
 */
export function inboundMailRoutes(router: Router, registry: OpenAPIRegistry, deps: ApiDeps) {
  defineRoute(router, registry, {
    method: 'get',
    path: '/api/inbound-mail',
    summary: 'Received mail (SMTP listener and IMAP mailbox) with its outcome, newest first (managers and administrators)',
    tags: ['inbound-mail'],
    roles: MANAGERS,
    query: ListInboundMailQuery,
    responses: { 200: { description: 'A page of received mail', schema: InboundMailPage } },
    async handler({ query }) {
      const rows = await deps.prisma.inboundMail.findMany({
        where: { outcome: query.outcome, incidentId: query.incidentId, receivedAt: query.before ? { lt: new Date(query.before) } : undefined },
        include: { attachments: { select: { filename: true, sizeBytes: true, refusedReason: true }, orderBy: { createdAt: 'asc' } } },
        omit: { text: true, dedupKey: true },
        orderBy: [{ receivedAt: 'desc' }, { id: 'desc' }],
        take: query.limit + 1,
      });
      const page = rows.slice(0, query.limit);
      return {
        status: 200,
        body: {
          items: page.map((mail) => ({
            ...mail,
            source: mail.source as 'smtp' | 'imap',
            outcome: mail.outcome as InboundOutcome,
            receivedAt: mail.receivedAt.toISOString(),
            processedAt: isoOrNull(mail.processedAt),
          })),
          nextBefore: rows.length > query.limit ? page[page.length - 1].receivedAt.toISOString() : null,
        },
      };
    },
  });
}
