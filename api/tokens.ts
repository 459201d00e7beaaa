import { createHash, randomBytes } from 'node:crypto';

/** API tokens are random and stored only as a SHA-256 digest: enough for 256-bit secrets, and fast to look up. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

export function generateToken(): string {
  return `itsm_${randomBytes(32).toString('base64url')}`;
}
