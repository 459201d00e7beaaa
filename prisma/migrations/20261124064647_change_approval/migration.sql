-- CreateEnum
CREATE TYPE "ChangeType" AS ENUM ('standard', 'normal', 'emergency');

-- CreateEnum
CREATE TYPE "ChangeState" AS ENUM ('draft', 'submitted', 'assessment', 'approval', 'approved', 'scheduled', 'implementing', 'review', 'closed', 'rejected', 'cancelled', 'failed');

-- AlterTable
ALTER TABLE "Notification" ADD COLUMN     "changeId" UUID;

-- CreateTable
CREATE TABLE "ChangeRequest" (
    "id" UUID NOT NULL,
    "number" SERIAL NOT NULL,
    "workflowId" TEXT NOT NULL,
    "type" "ChangeType" NOT NULL,
    "state" "ChangeState" NOT NULL DEFAULT 'draft',
    "title" TEXT NOT NULL,
    "description" TEXT NOT NULL,
    "justification" TEXT NOT NULL,
    "implementationPlan" TEXT NOT NULL,
    "backoutPlan" TEXT NOT NULL,
    "requesterId" UUID NOT NULL,
    "templateId" UUID,
    "affectedCis" TEXT[],
    "plannedStart" TIMESTAMP(3) NOT NULL,
    "plannedEnd" TIMESTAMP(3) NOT NULL,
    "estimatedCost" DECIMAL(14,2) NOT NULL,
    "currency" TEXT NOT NULL DEFAULT 'CNY',
    "costApprovedAt" TIMESTAMP(3),
    "riskAnswers" JSONB NOT NULL,
    "riskScore" INTEGER,
    "riskLevel" TEXT,
    "approvalPlan" JSONB NOT NULL DEFAULT '[]',
    "approvalDueAt" TIMESTAMP(3),
    "escalationLevel" INTEGER NOT NULL DEFAULT 0,
    "scheduledStart" TIMESTAMP(3),
    "scheduledEnd" TIMESTAMP(3),
    "conflictOverride" JSONB,
    "implementationStartedAt" TIMESTAMP(3),
    "implementedAt" TIMESTAMP(3),
    "outcome" TEXT,
    "backout" JSONB,
    "reviewDueAt" TIMESTAMP(3),
    "review" JSONB,
    "closedAt" TIMESTAMP(3),
    "closeReason" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "ChangeRequest_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ChangeService" (
    "changeId" UUID NOT NULL,
    "serviceId" UUID NOT NULL,

    CONSTRAINT "ChangeService_pkey" PRIMARY KEY ("changeId","serviceId")
);

-- CreateTable
CREATE TABLE "ChangeApproval" (
    "id" UUID NOT NULL,
    "changeId" UUID NOT NULL,
    "level" INTEGER NOT NULL,
    "board" TEXT NOT NULL,
    "approverId" UUID NOT NULL,
    "decision" TEXT NOT NULL,
    "comment" TEXT NOT NULL DEFAULT '',
    "via" TEXT NOT NULL,
    "decidedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "ChangeApproval_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ChangeEvent" (
    "id" UUID NOT NULL,
    "eventKey" TEXT NOT NULL,
    "changeId" UUID NOT NULL,
    "type" TEXT NOT NULL,
    "actorId" UUID,
    "at" TIMESTAMP(3) NOT NULL,
    "fromState" TEXT,
    "toState" TEXT,
    "data" JSONB NOT NULL DEFAULT '{}',

    CONSTRAINT "ChangeEvent_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ApprovalBoard" (
    "id" UUID NOT NULL,
    "code" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "chairId" UUID,
    "quorum" JSONB NOT NULL,
    "calendarId" UUID NOT NULL,
    "decisionSeconds" INTEGER NOT NULL,
    "remindBeforeSeconds" INTEGER[],
    "escalateBeforeSeconds" INTEGER,
    "reviewSeconds" INTEGER NOT NULL,
    "secondLevelBoard" TEXT,
    "secondLevelCostAbove" DECIMAL(14,2),
    "secondLevelRiskAtLeast" TEXT,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "ApprovalBoard_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ApprovalBoardMember" (
    "boardId" UUID NOT NULL,
    "userId" UUID NOT NULL,

    CONSTRAINT "ApprovalBoardMember_pkey" PRIMARY KEY ("boardId","userId")
);

-- CreateTable
CREATE TABLE "StandardChangeTemplate" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "description" TEXT NOT NULL DEFAULT '',
    "implementationPlan" TEXT NOT NULL,
    "backoutPlan" TEXT NOT NULL,
    "maxCost" DECIMAL(14,2) NOT NULL,
    "maxDurationMinutes" INTEGER NOT NULL,
    "active" BOOLEAN NOT NULL DEFAULT true,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "StandardChangeTemplate_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "MaintenanceWindow" (
    "id" UUID NOT NULL,
    "serviceId" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "startsAt" TIMESTAMP(3) NOT NULL,
    "endsAt" TIMESTAMP(3) NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'open',
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "MaintenanceWindow_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "BlackoutPeriod" (
    "id" UUID NOT NULL,
    "serviceId" UUID,
    "name" TEXT NOT NULL,
    "reason" TEXT NOT NULL DEFAULT '',
    "startsAt" TIMESTAMP(3) NOT NULL,
    "endsAt" TIMESTAMP(3) NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "BlackoutPeriod_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ActionTokenUse" (
    "jti" TEXT NOT NULL,
    "changeId" UUID NOT NULL,
    "userId" UUID NOT NULL,
    "usedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ActionTokenUse_pkey" PRIMARY KEY ("jti")
);

-- CreateTable
CREATE TABLE "SystemSecret" (
    "name" TEXT NOT NULL,
    "value" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "SystemSecret_pkey" PRIMARY KEY ("name")
);

-- CreateIndex
CREATE UNIQUE INDEX "ChangeRequest_number_key" ON "ChangeRequest"("number");

-- CreateIndex
CREATE UNIQUE INDEX "ChangeRequest_workflowId_key" ON "ChangeRequest"("workflowId");

-- CreateIndex
CREATE INDEX "ChangeRequest_state_idx" ON "ChangeRequest"("state");

-- CreateIndex
CREATE INDEX "ChangeRequest_scheduledStart_scheduledEnd_idx" ON "ChangeRequest"("scheduledStart", "scheduledEnd");

-- CreateIndex
CREATE INDEX "ChangeRequest_requesterId_idx" ON "ChangeRequest"("requesterId");

-- CreateIndex
CREATE INDEX "ChangeService_serviceId_idx" ON "ChangeService"("serviceId");

-- CreateIndex
CREATE UNIQUE INDEX "ChangeApproval_changeId_level_approverId_key" ON "ChangeApproval"("changeId", "level", "approverId");

-- CreateIndex
CREATE UNIQUE INDEX "ChangeEvent_eventKey_key" ON "ChangeEvent"("eventKey");

-- CreateIndex
CREATE INDEX "ChangeEvent_changeId_at_idx" ON "ChangeEvent"("changeId", "at");

-- CreateIndex
CREATE UNIQUE INDEX "ApprovalBoard_code_key" ON "ApprovalBoard"("code");

-- CreateIndex
CREATE UNIQUE INDEX "StandardChangeTemplate_name_key" ON "StandardChangeTemplate"("name");

-- CreateIndex
CREATE INDEX "MaintenanceWindow_serviceId_startsAt_idx" ON "MaintenanceWindow"("serviceId", "startsAt");

-- CreateIndex
CREATE INDEX "BlackoutPeriod_startsAt_endsAt_idx" ON "BlackoutPeriod"("startsAt", "endsAt");

-- CreateIndex
CREATE INDEX "Notification_changeId_idx" ON "Notification"("changeId");

-- AddForeignKey
ALTER TABLE "Notification" ADD CONSTRAINT "Notification_changeId_fkey" FOREIGN KEY ("changeId") REFERENCES "ChangeRequest"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ChangeRequest" ADD CONSTRAINT "ChangeRequest_requesterId_fkey" FOREIGN KEY ("requesterId") REFERENCES "User"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ChangeRequest" ADD CONSTRAINT "ChangeRequest_templateId_fkey" FOREIGN KEY ("templateId") REFERENCES "StandardChangeTemplate"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ChangeService" ADD CONSTRAINT "ChangeService_changeId_fkey" FOREIGN KEY ("changeId") REFERENCES "ChangeRequest"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ChangeService" ADD CONSTRAINT "ChangeService_serviceId_fkey" FOREIGN KEY ("serviceId") REFERENCES "Service"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ChangeApproval" ADD CONSTRAINT "ChangeApproval_changeId_fkey" FOREIGN KEY ("changeId") REFERENCES "ChangeRequest"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ChangeApproval" ADD CONSTRAINT "ChangeApproval_approverId_fkey" FOREIGN KEY ("approverId") REFERENCES "User"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ChangeEvent" ADD CONSTRAINT "ChangeEvent_changeId_fkey" FOREIGN KEY ("changeId") REFERENCES "ChangeRequest"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ApprovalBoard" ADD CONSTRAINT "ApprovalBoard_chairId_fkey" FOREIGN KEY ("chairId") REFERENCES "User"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ApprovalBoard" ADD CONSTRAINT "ApprovalBoard_calendarId_fkey" FOREIGN KEY ("calendarId") REFERENCES "BusinessCalendar"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ApprovalBoardMember" ADD CONSTRAINT "ApprovalBoardMember_boardId_fkey" FOREIGN KEY ("boardId") REFERENCES "ApprovalBoard"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ApprovalBoardMember" ADD CONSTRAINT "ApprovalBoardMember_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "MaintenanceWindow" ADD CONSTRAINT "MaintenanceWindow_serviceId_fkey" FOREIGN KEY ("serviceId") REFERENCES "Service"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "BlackoutPeriod" ADD CONSTRAINT "BlackoutPeriod_serviceId_fkey" FOREIGN KEY ("serviceId") REFERENCES "Service"("id") ON DELETE CASCADE ON UPDATE CASCADE;
