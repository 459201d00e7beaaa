import type { Request, RequestHandler } from 'express';
import type { Db } from '../prisma/database';
import type { Role } from '../prisma/generated/client';
import { problems } from './problem';
import { hashToken } from './tokens';

export interface Principal {
  id: string;
  email: string;
  name: string;
  roles: Role[];
}

declare module 'express-serve-static-core' {
  interface Request {
    principal?: Principal;
  }
}

export const STAFF: Role[] = ['agent', 'manager', 'admin'];
export const MANAGERS: Role[] = ['manager', 'admin'];
export const ADMINS: Role[] = ['admin'];
export const EVERYONE: Role[] = ['requester', 'agent', 'manager', 'cab', 'auditor', 'admin'];

export function authenticate(prisma: Db): RequestHandler {
  return async (req, res, next) => {
    const header = req.get('authorization');
    if (!header) {
      res.set('WWW-Authenticate', 'Bearer realm="itsm"');
      throw problems.unauthenticated('missing bearer token in the Authorization header');
    }
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match) {
      res.set('WWW-Authenticate', 'Bearer realm="itsm", error="invalid_request"');
      throw problems.unauthenticated('the Authorization header must be "Bearer <token>"');
    }
    const token = await prisma.apiToken.findUnique({ where: { tokenHash: hashToken(match[1]) }, include: { user: true } });
    if (!token || token.revokedAt) {
      res.set('WWW-Authenticate', 'Bearer realm="itsm", error="invalid_token"');
      throw problems.unauthenticated('the bearer token is not valid or has been revoked');
    }
    req.principal = { id: token.user.id, email: token.user.email, name: token.user.name, roles: token.user.roles };
    next();
  };
}

export function requireRole(allowed: Role[]): RequestHandler {
  return (req, _res, next) => {
    const roles = req.principal?.roles ?? [];
    if (!roles.some((role) => allowed.includes(role))) {
      throw problems.forbidden(`this action needs one of the roles ${allowed.join(', ')}; you have ${roles.join(', ') || 'none'}`);
    }
    next();
  };
}

export function principalOf(req: Request): Principal {
  if (!req.principal) throw problems.unauthenticated('not authenticated');
  return req.principal;
}

export function hasAnyRole(principal: Principal, roles: Role[]): boolean {
  return principal.roles.some((role) => roles.includes(role));
}
