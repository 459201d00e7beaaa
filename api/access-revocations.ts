import { randomUUID } from 'node:crypto';
import { startRevocation } from '../activities/access-review';
import { REQUEST_TRANSITIONS } from '../domain/request';
import type { ApiDeps } from './deps';

/**
 * A deactivated person keeps no access: each entitlement they hold, unless a revocation of it is already under
 * way, gets a revocation request for the group that granted it. Returns the requests opened.
 */
export async function revokeAccessOf(deps: ApiDeps, userId: string, actorId: string): Promise<string[]> {
  const entitlements = await deps.prisma.entitlement.findMany({
    where: { userId, revokedAt: null, revocations: { none: { state: { notIn: [...REQUEST_TRANSITIONS.final] } } } },
    orderBy: [{ since: 'asc' }, { id: 'asc' }],
  });
  const opened: string[] = [];
  for (const entitlement of entitlements) {
    const requestId = randomUUID();
    await startRevocation({ ...deps, publicUrl: deps.publicUrl ?? '' }, { requestId, entitlementId: entitlement.id, requesterId: actorId, reason: 'the holder was deactivated', taskQueue: deps.taskQueue });
    opened.push(requestId);
  }
  return opened;
}
