import { randomBytes } from 'node:crypto';
import type { Db } from '../prisma/database';

// jose is published as ES modules only; a dynamic import loads it from this CommonJS code (and under jest).
const jose = () => import('jose');

const ISSUER = 'itsm';
const AUDIENCE = 'itsm-action';
const SECRET_NAME = 'action-link-hs256';

interface LinkClaims {
  approverId: string;
  /** Single-use id, claimed in the database when the decision is made. */
  jti: string;
  expiresAt: number;
}

/** What an e-mail action link lets one person do, once, in time: decide one approval level of one change ... */
export interface ChangeDecisionClaims extends LinkClaims {
  act: 'change-decision';
  changeId: string;
  level: number;
}

/** ... or authorise one release's production deployment. */
export interface ReleaseAuthorisationClaims extends LinkClaims {
  act: 'release-authorisation';
  releaseId: string;
}

/** ... or answer one satisfaction survey (the approver is the incident's requester). */
export interface SatisfactionSurveyClaims extends LinkClaims {
  act: 'satisfaction-survey';
  surveyId: string;
}

export type ActionClaims = ChangeDecisionClaims | ReleaseAuthorisationClaims | SatisfactionSurveyClaims;

export type VerifiedAction = { ok: true; claims: ActionClaims } | { ok: false; reason: 'expired' | 'invalid'; claims?: ActionClaims };

export async function signActionToken(secret: Uint8Array, claims: ActionClaims): Promise<string> {
  const { SignJWT } = await jose();
  const subject = claims.act === 'change-decision' ? { chg: claims.changeId, lvl: claims.level } : claims.act === 'release-authorisation' ? { rel: claims.releaseId } : { srv: claims.surveyId };
  return new SignJWT({ ...subject, act: claims.act })
    .setProtectedHeader({ alg: 'HS256' })
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setSubject(claims.approverId)
    .setJti(claims.jti)
    .setIssuedAt()
    .setExpirationTime(Math.floor(claims.expiresAt / 1000))
    .sign(secret);
}

function claimsOf(payload: Record<string, unknown>): ActionClaims | null {
  const { sub, chg, lvl, rel, srv, jti, exp, act } = payload;
  if (typeof sub !== 'string' || typeof jti !== 'string' || typeof exp !== 'number') return null;
  const link = { approverId: sub, jti, expiresAt: exp * 1000 };
  if (act === 'change-decision' && typeof chg === 'string' && typeof lvl === 'number') return { ...link, act, changeId: chg, level: lvl };
  if (act === 'release-authorisation' && typeof rel === 'string') return { ...link, act, releaseId: rel };
  if (act === 'satisfaction-survey' && typeof srv === 'string') return { ...link, act, surveyId: srv };
  return null;
}

/** Checks the signature first, then the expiry; an expired but genuine token still names its change. */
export async function verifyActionToken(secret: Uint8Array, token: string): Promise<VerifiedAction> {
  const { jwtVerify, errors } = await jose();
  try {
    const { payload } = await jwtVerify(token, secret, { issuer: ISSUER, audience: AUDIENCE, algorithms: ['HS256'] });
    const claims = claimsOf(payload);
    return claims ? { ok: true, claims } : { ok: false, reason: 'invalid' };
  } catch (error) {
    if (error instanceof errors.JWTExpired) return { ok: false, reason: 'expired', claims: claimsOf(error.payload) ?? undefined };
    return { ok: false, reason: 'invalid' };
  }
}

/**
 * The signing key every API and worker process shares: ACTION_LINK_SECRET when set, otherwise one generated on
 * first start and kept in the database, so separately deployed processes agree without more configuration.
 */
export async function loadActionSecret(prisma: Db, configured?: string): Promise<Uint8Array> {
  if (configured) return new TextEncoder().encode(configured);
  const candidate = randomBytes(32).toString('base64url');
  await prisma.$executeRaw`INSERT INTO "SystemSecret" (name, value) VALUES (${SECRET_NAME}, ${candidate}) ON CONFLICT (name) DO NOTHING`;
  const row = await prisma.systemSecret.findUniqueOrThrow({ where: { name: SECRET_NAME } });
  return new TextEncoder().encode(row.value);
}
