import { randomBytes } from 'node:crypto';
import type { Db } from '../../prisma/database';

// jose is published as ES modules only; a dynamic import loads it from this CommonJS code (and under jest).
const jose = () => import('jose');

const ISSUER = 'itsm';
const AUDIENCE = 'itsm-action';
const SECRET_NAME = 'action-link-hs256';
/** How long any action link may live unless ITSM_LINK_MAX_DAYS says otherwise. */
export const DEFAULT_LINK_MAX_DAYS = 7;

/** Signs and checks action links: the shared secret and the longest lifetime a link may have. */
export interface ActionLinkKey {
  secret: Uint8Array;
  maxLifetimeMs: number;
}

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

/** ... or authorise one release's deployment to one production environment. */
export interface ReleaseAuthorisationClaims extends LinkClaims {
  act: 'release-authorisation';
  releaseId: string;
  /** Absent from links mailed before a release could have several production environments. */
  environment?: string;
}

/** ... or answer one satisfaction survey (the approver is the incident's requester). */
export interface SatisfactionSurveyClaims extends LinkClaims {
  act: 'satisfaction-survey';
  surveyId: string;
}

/** ... or take one step a record process offered them (domain/action-links.ts), on the workflow that offered it. */
export interface ProcessStepClaims extends LinkClaims {
  act: 'process-step';
  workflowId: string;
  /** The step's name, e.g. `corrective-action.complete`: the API's step registry knows what it sends. */
  step: string;
}

export type ActionClaims = ChangeDecisionClaims | ReleaseAuthorisationClaims | SatisfactionSurveyClaims | ProcessStepClaims;

export type VerifiedAction = { ok: true; claims: ActionClaims } | { ok: false; reason: 'expired' | 'invalid'; claims?: ActionClaims };

/** When a link asked to live until `wanted` expires when signed now: never later than the key's longest lifetime. */
export function cappedExpiry(key: ActionLinkKey, wanted: number, now = Date.now()): number {
  return Math.min(wanted, now + key.maxLifetimeMs);
}

export async function signActionToken(key: ActionLinkKey, claims: ActionClaims): Promise<string> {
  const { SignJWT } = await jose();
  const subject =
    claims.act === 'change-decision'
      ? { chg: claims.changeId, lvl: claims.level }
      : claims.act === 'release-authorisation'
        ? { rel: claims.releaseId, ...(claims.environment ? { env: claims.environment } : {}) }
        : claims.act === 'process-step'
          ? { wf: claims.workflowId, stp: claims.step }
          : { srv: claims.surveyId };
  const issuedAt = Math.floor(Date.now() / 1000);
  return new SignJWT({ ...subject, act: claims.act })
    .setProtectedHeader({ alg: 'HS256' })
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setSubject(claims.approverId)
    .setJti(claims.jti)
    .setIssuedAt(issuedAt)
    .setExpirationTime(Math.floor(cappedExpiry(key, claims.expiresAt, issuedAt * 1000) / 1000))
    .sign(key.secret);
}

function claimsOf(payload: Record<string, unknown>): ActionClaims | null {
  const { sub, chg, lvl, rel, env, srv, wf, stp, jti, exp, act } = payload;
  if (typeof sub !== 'string' || typeof jti !== 'string' || typeof exp !== 'number') return null;
  const link = { approverId: sub, jti, expiresAt: exp * 1000 };
  if (act === 'change-decision' && typeof chg === 'string' && typeof lvl === 'number') return { ...link, act, changeId: chg, level: lvl };
  if (act === 'release-authorisation' && typeof rel === 'string') return { ...link, act, releaseId: rel, ...(typeof env === 'string' ? { environment: env } : {}) };
  if (act === 'satisfaction-survey' && typeof srv === 'string') return { ...link, act, surveyId: srv };
  if (act === 'process-step' && typeof wf === 'string' && typeof stp === 'string') return { ...link, act, workflowId: wf, step: stp };
  return null;
}

/**
 * Checks the signature first, then the expiry; an expired but genuine token still names its record. A token
 * signed to live longer than the key now allows (issued before the cap, or before it was lowered) has expired.
 */
export async function verifyActionToken(key: ActionLinkKey, token: string): Promise<VerifiedAction> {
  const { jwtVerify, errors } = await jose();
  try {
    const { payload } = await jwtVerify(token, key.secret, { issuer: ISSUER, audience: AUDIENCE, algorithms: ['HS256'], requiredClaims: ['iat'] });
    const claims = claimsOf(payload);
    if (!claims) return { ok: false, reason: 'invalid' };
    if ((payload.exp! - payload.iat!) * 1000 > key.maxLifetimeMs) return { ok: false, reason: 'expired', claims };
    return { ok: true, claims };
  } catch (error) {
    if (error instanceof errors.JWTExpired) return { ok: false, reason: 'expired', claims: claimsOf(error.payload) ?? undefined };
    return { ok: false, reason: 'invalid' };
  }
}

/**
 * The signing key every API and worker process shares: ACTION_LINK_SECRET when set, otherwise one generated on
 * first start and kept in the database, so separately deployed processes agree without more configuration.
 */
export async function loadActionSecret(prisma: Db, configured?: string, maxDays = DEFAULT_LINK_MAX_DAYS): Promise<ActionLinkKey> {
  const maxLifetimeMs = maxDays * 86_400_000;
  if (configured) return { secret: new TextEncoder().encode(configured), maxLifetimeMs };
  const candidate = randomBytes(32).toString('base64url');
  await prisma.$executeRaw`INSERT INTO "SystemSecret" (name, value) VALUES (${SECRET_NAME}, ${candidate}) ON CONFLICT (name) DO NOTHING`;
  const row = await prisma.systemSecret.findUniqueOrThrow({ where: { name: SECRET_NAME } });
  return { secret: new TextEncoder().encode(row.value), maxLifetimeMs };
}
