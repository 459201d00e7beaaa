import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import type { Router } from 'express';
import { z } from 'zod';
import { activeUserIssue } from '../active-references';
import { ADMINS, EVERYONE, hasAnyRole, type Principal } from '../auth';
import type { ApiDeps } from '../deps';
import { foundOr404, httpErrors } from '../problem-details';
import { defineRoute } from '../route';
import { ApiTokenSchema, IssuedApiTokenSchema, IssueTokenBody, ListTokensQuery, TokenIdParams } from '../schemas/token';
import { issueToken, revokeToken, tokenExpiry, tokenView } from '../tokens';

/** Everyone manages their own tokens; an administrator also manages anyone else's. */
function refuseOthersUnlessAdmin(principal: Principal, ownerId: string, what: string) {
  if (ownerId !== principal.id && !hasAnyRole(principal, ADMINS)) {
    throw httpErrors.forbidden(`only an administrator may ${what} another person's tokens`);
  }
}

export function tokenRoutes(router: Router, registry: OpenAPIRegistry, deps: ApiDeps) {
  defineRoute(router, registry, {
    method: 'get',
    path: '/api/tokens',
    summary: "Your API tokens (an administrator: anyone's, with ?userId=), newest first; never their secrets",
    tags: ['tokens'],
    roles: EVERYONE,
    query: ListTokensQuery,
    responses: { 200: { description: 'Tokens', schema: z.object({ items: z.array(ApiTokenSchema) }) }, 404: { description: 'No such user' } },
    async handler({ query, principal }) {
      const userId = query.userId ?? principal.id;
      refuseOthersUnlessAdmin(principal, userId, 'list');
      await foundOr404(deps.prisma.user.findUnique({ where: { id: userId } }), `user ${userId}`);
      const tokens = await deps.prisma.apiToken.findMany({ where: { userId }, orderBy: [{ createdAt: 'desc' }, { id: 'desc' }] });
      const now = new Date();
      return { status: 200, body: { items: tokens.map((token) => tokenView(token, now)) } };
    },
  });

  defineRoute(router, registry, {
    method: 'post',
    path: '/api/tokens',
    operationId: 'issueToken',
    summary: 'Issues a new API token, to yourself (an administrator: to anyone); the secret is in this answer only',
    tags: ['tokens'],
    roles: EVERYONE,
    body: IssueTokenBody,
    responses: { 201: { description: 'Issued; store the token now, it cannot be shown again', schema: IssuedApiTokenSchema } },
    async handler({ body, principal, req, res }) {
      const userId = body.userId ?? principal.id;
      refuseOthersUnlessAdmin(principal, userId, 'issue');
      const issue = await activeUserIssue(deps.prisma, userId, 'userId');
      if (issue) throw httpErrors.validation([issue]);
      const { secret, token } = await issueToken(deps.prisma, { userId, label: body.label, expiresAt: tokenExpiry(body) });
      req.log.info({ tokenId: token.id, userId, by: principal.id }, 'API token issued');
      res.set('Cache-Control', 'no-store');
      return { status: 201, body: { ...tokenView(token), token: secret } };
    },
  });

  defineRoute(router, registry, {
    method: 'post',
    path: '/api/tokens/:id/revoke',
    summary: 'Revokes one of your tokens (an administrator: anyone’s); it stops working at once, sessions signed in with it too',
    tags: ['tokens'],
    roles: EVERYONE,
    params: TokenIdParams,
    responses: {
      200: { description: 'Revoked', schema: ApiTokenSchema },
      404: { description: 'No such token' },
      409: { description: 'Already revoked (the answer says when and by whom)' },
    },
    async handler({ params, principal, req }) {
      const token = await foundOr404(deps.prisma.apiToken.findUnique({ where: { id: params.id } }), `token ${params.id}`);
      refuseOthersUnlessAdmin(principal, token.userId, 'revoke');
      const revoked = await revokeToken(deps.prisma, token, principal.id);
      req.log.info({ tokenId: token.id, userId: token.userId, by: principal.id }, 'API token revoked');
      return { status: 200, body: tokenView(revoked) };
    },
  });
}
