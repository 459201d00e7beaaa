import type { Prisma, SlaPolicy } from '../prisma/generated/client';

type VersionWriter = Pick<Prisma.TransactionClient, 'slaPolicyVersion'>;

/** What a version keeps: every setting that shapes an incident's clocks and notices. */
export function slaPolicySettings(policy: SlaPolicy): Prisma.InputJsonObject {
  const { calendarId, responseTargetSeconds, resolutionTargetSeconds, warningThresholds, escalationChain, progressUpdateEverySeconds, autoCloseAfterSeconds, reopenWindowSeconds, holdNotificationsOutsideHours, unassignedAlertSeconds } = policy;
  return { calendarId, responseTargetSeconds, resolutionTargetSeconds, warningThresholds, escalationChain, progressUpdateEverySeconds, autoCloseAfterSeconds, reopenWindowSeconds, holdNotificationsOutsideHours, unassignedAlertSeconds } as Prisma.InputJsonObject;
}

/** Keeps the policy as it now stands as its current version, with who changed it and why. */
export function recordSlaPolicyVersion(db: VersionWriter, policy: SlaPolicy, changedById: string | null, reason: string) {
  return db.slaPolicyVersion.create({ data: { policyId: policy.id, version: policy.version, settings: slaPolicySettings(policy), changedById, reason } });
}
