-- AlterTable
ALTER TABLE "ApiToken" ADD COLUMN     "expiresAt" TIMESTAMP(3),
ADD COLUMN     "revokedById" UUID;

-- AlterTable
ALTER TABLE "Group" ADD COLUMN     "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
ADD COLUMN     "deactivatedAt" TIMESTAMP(3),
ADD COLUMN     "lastRoutedUserId" UUID,
ADD COLUMN     "locale" TEXT NOT NULL DEFAULT 'en';

-- AlterTable
ALTER TABLE "Incident" ADD COLUMN     "channel" TEXT NOT NULL DEFAULT 'api',
ADD COLUMN     "loggedById" UUID,
ADD COLUMN     "slaPolicyId" UUID,
ADD COLUMN     "slaPolicyVersion" INTEGER;

-- AlterTable
ALTER TABLE "Service" ADD COLUMN     "defaultGroupId" UUID,
ADD COLUMN     "retiredAt" TIMESTAMP(3),
ADD COLUMN     "updatedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP;

-- AlterTable
ALTER TABLE "SlaPolicy" ADD COLUMN     "unassignedAlertSeconds" INTEGER,
ADD COLUMN     "version" INTEGER NOT NULL DEFAULT 1;

-- AlterTable
ALTER TABLE "User" ADD COLUMN     "deactivatedAt" TIMESTAMP(3),
ADD COLUMN     "timeZone" TEXT NOT NULL DEFAULT 'UTC',
ADD COLUMN     "updatedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP;

-- CreateTable
CREATE TABLE "AssignmentRule" (
    "id" UUID NOT NULL,
    "position" INTEGER NOT NULL,
    "name" TEXT NOT NULL,
    "serviceId" UUID,
    "category" TEXT,
    "ciType" TEXT,
    "groupId" UUID NOT NULL,
    "memberStrategy" TEXT NOT NULL DEFAULT 'none',
    "active" BOOLEAN NOT NULL DEFAULT true,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "AssignmentRule_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "SlaPolicyVersion" (
    "id" UUID NOT NULL,
    "policyId" UUID NOT NULL,
    "version" INTEGER NOT NULL,
    "settings" JSONB NOT NULL,
    "changedById" UUID,
    "changedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "reason" TEXT NOT NULL,

    CONSTRAINT "SlaPolicyVersion_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "AssignmentRule_position_idx" ON "AssignmentRule"("position");

-- CreateIndex
CREATE UNIQUE INDEX "SlaPolicyVersion_policyId_version_key" ON "SlaPolicyVersion"("policyId", "version");

-- CreateIndex
CREATE INDEX "ApiToken_userId_idx" ON "ApiToken"("userId");

-- CreateIndex
CREATE INDEX "Incident_assigneeId_state_idx" ON "Incident"("assigneeId", "state");

-- CreateIndex
CREATE INDEX "Incident_groupId_state_idx" ON "Incident"("groupId", "state");

-- AddForeignKey
ALTER TABLE "ApiToken" ADD CONSTRAINT "ApiToken_revokedById_fkey" FOREIGN KEY ("revokedById") REFERENCES "User"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Group" ADD CONSTRAINT "Group_lastRoutedUserId_fkey" FOREIGN KEY ("lastRoutedUserId") REFERENCES "User"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Service" ADD CONSTRAINT "Service_defaultGroupId_fkey" FOREIGN KEY ("defaultGroupId") REFERENCES "Group"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "AssignmentRule" ADD CONSTRAINT "AssignmentRule_serviceId_fkey" FOREIGN KEY ("serviceId") REFERENCES "Service"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "AssignmentRule" ADD CONSTRAINT "AssignmentRule_groupId_fkey" FOREIGN KEY ("groupId") REFERENCES "Group"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "SlaPolicyVersion" ADD CONSTRAINT "SlaPolicyVersion_policyId_fkey" FOREIGN KEY ("policyId") REFERENCES "SlaPolicy"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "SlaPolicyVersion" ADD CONSTRAINT "SlaPolicyVersion_changedById_fkey" FOREIGN KEY ("changedById") REFERENCES "User"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Incident" ADD CONSTRAINT "Incident_loggedById_fkey" FOREIGN KEY ("loggedById") REFERENCES "User"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- Policies that existed before versioning become their own version 1, so every policy has a history.
INSERT INTO "SlaPolicyVersion" ("id", "policyId", "version", "settings", "changedAt", "reason")
SELECT gen_random_uuid(), p."id", 1,
       jsonb_build_object(
         'calendarId', p."calendarId", 'responseTargetSeconds', p."responseTargetSeconds", 'resolutionTargetSeconds', p."resolutionTargetSeconds",
         'warningThresholds', to_jsonb(p."warningThresholds"), 'escalationChain', p."escalationChain",
         'progressUpdateEverySeconds', p."progressUpdateEverySeconds", 'autoCloseAfterSeconds', p."autoCloseAfterSeconds",
         'reopenWindowSeconds', p."reopenWindowSeconds", 'holdNotificationsOutsideHours', p."holdNotificationsOutsideHours",
         'unassignedAlertSeconds', p."unassignedAlertSeconds"),
       p."updatedAt", 'in force before policies were versioned'
FROM "SlaPolicy" p;
