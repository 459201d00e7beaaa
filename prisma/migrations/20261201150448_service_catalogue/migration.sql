-- CreateEnum
CREATE TYPE "CatalogItemKind" AS ENUM ('standard', 'access');

-- AlterTable
ALTER TABLE "SatisfactionSurvey" ADD COLUMN     "requestId" UUID,
ALTER COLUMN "incidentId" DROP NOT NULL;

-- AlterTable
ALTER TABLE "User" ADD COLUMN     "managerId" UUID;

-- CreateTable
CREATE TABLE "CatalogItem" (
    "id" UUID NOT NULL,
    "code" TEXT NOT NULL,
    "serviceId" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "description" TEXT NOT NULL DEFAULT '',
    "kind" "CatalogItemKind" NOT NULL DEFAULT 'standard',
    "ciId" UUID,
    "accessRole" TEXT,
    "form" JSONB NOT NULL,
    "approval" JSONB NOT NULL,
    "fulfilment" JSONB NOT NULL,
    "calendarId" UUID NOT NULL,
    "responseTargetSeconds" INTEGER NOT NULL,
    "fulfilmentTargetSeconds" INTEGER NOT NULL,
    "autoCloseAfterSeconds" INTEGER NOT NULL DEFAULT 259200,
    "version" INTEGER NOT NULL DEFAULT 1,
    "retiredAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "CatalogItem_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "CatalogItemVersion" (
    "id" UUID NOT NULL,
    "itemId" UUID NOT NULL,
    "version" INTEGER NOT NULL,
    "settings" JSONB NOT NULL,
    "changedById" UUID,
    "reason" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "CatalogItemVersion_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ServiceRequest" (
    "id" UUID NOT NULL,
    "number" SERIAL NOT NULL,
    "workflowId" TEXT NOT NULL,
    "itemId" UUID NOT NULL,
    "itemVersion" INTEGER NOT NULL,
    "requesterId" UUID NOT NULL,
    "answers" JSONB NOT NULL,
    "state" TEXT NOT NULL,
    "responseDueAt" TIMESTAMP(3),
    "fulfilmentDueAt" TIMESTAMP(3),
    "respondedAt" TIMESTAMP(3),
    "fulfilledAt" TIMESTAMP(3),
    "closedAt" TIMESTAMP(3),
    "responseBreached" BOOLEAN NOT NULL DEFAULT false,
    "fulfilmentBreached" BOOLEAN NOT NULL DEFAULT false,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "revokesEntitlementId" UUID,

    CONSTRAINT "ServiceRequest_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "RequestTask" (
    "id" TEXT NOT NULL,
    "requestId" UUID NOT NULL,
    "position" INTEGER NOT NULL,
    "name" TEXT NOT NULL,
    "groupId" UUID NOT NULL,
    "state" TEXT NOT NULL,
    "assigneeId" UUID,
    "openedAt" TIMESTAMP(3),
    "olaDueAt" TIMESTAMP(3),
    "completedAt" TIMESTAMP(3),
    "olaBreached" BOOLEAN NOT NULL DEFAULT false,
    "escalationLevel" INTEGER NOT NULL DEFAULT 0,
    "notes" TEXT NOT NULL DEFAULT '',

    CONSTRAINT "RequestTask_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "RequestEvent" (
    "id" TEXT NOT NULL,
    "requestId" UUID NOT NULL,
    "type" TEXT NOT NULL,
    "actorId" UUID,
    "at" TIMESTAMP(3) NOT NULL,
    "fromState" TEXT,
    "toState" TEXT,
    "data" JSONB NOT NULL DEFAULT '{}',

    CONSTRAINT "RequestEvent_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Entitlement" (
    "id" UUID NOT NULL,
    "userId" UUID NOT NULL,
    "ciId" UUID NOT NULL,
    "role" TEXT NOT NULL,
    "itemId" UUID NOT NULL,
    "grantedById" UUID,
    "approvedById" UUID,
    "requestId" UUID,
    "since" TIMESTAMP(3) NOT NULL,
    "revokedAt" TIMESTAMP(3),

    CONSTRAINT "Entitlement_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "AccessReview" (
    "id" UUID NOT NULL,
    "workflowId" TEXT NOT NULL,
    "ciId" UUID NOT NULL,
    "ownerId" UUID,
    "state" TEXT NOT NULL DEFAULT 'due',
    "dueAt" TIMESTAMP(3) NOT NULL,
    "escalated" BOOLEAN NOT NULL DEFAULT false,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "doneAt" TIMESTAMP(3),

    CONSTRAINT "AccessReview_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "AccessReviewDecision" (
    "id" UUID NOT NULL,
    "reviewId" UUID NOT NULL,
    "entitlementId" UUID NOT NULL,
    "decision" TEXT NOT NULL,
    "decidedById" UUID NOT NULL,
    "decidedAt" TIMESTAMP(3) NOT NULL,
    "revocationRequestId" UUID,

    CONSTRAINT "AccessReviewDecision_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "CatalogItem_code_key" ON "CatalogItem"("code");

-- CreateIndex
CREATE UNIQUE INDEX "CatalogItemVersion_itemId_version_key" ON "CatalogItemVersion"("itemId", "version");

-- CreateIndex
CREATE UNIQUE INDEX "ServiceRequest_number_key" ON "ServiceRequest"("number");

-- CreateIndex
CREATE UNIQUE INDEX "ServiceRequest_workflowId_key" ON "ServiceRequest"("workflowId");

-- CreateIndex
CREATE INDEX "ServiceRequest_requesterId_idx" ON "ServiceRequest"("requesterId");

-- CreateIndex
CREATE INDEX "ServiceRequest_revokesEntitlementId_idx" ON "ServiceRequest"("revokesEntitlementId");

-- CreateIndex
CREATE INDEX "ServiceRequest_itemId_createdAt_idx" ON "ServiceRequest"("itemId", "createdAt");

-- CreateIndex
CREATE INDEX "RequestTask_groupId_state_idx" ON "RequestTask"("groupId", "state");

-- CreateIndex
CREATE UNIQUE INDEX "RequestTask_requestId_position_key" ON "RequestTask"("requestId", "position");

-- CreateIndex
CREATE INDEX "RequestEvent_requestId_at_idx" ON "RequestEvent"("requestId", "at");

-- CreateIndex
CREATE UNIQUE INDEX "Entitlement_requestId_key" ON "Entitlement"("requestId");

-- CreateIndex
CREATE INDEX "Entitlement_ciId_revokedAt_idx" ON "Entitlement"("ciId", "revokedAt");

-- CreateIndex
CREATE INDEX "Entitlement_userId_revokedAt_idx" ON "Entitlement"("userId", "revokedAt");

-- CreateIndex
CREATE UNIQUE INDEX "AccessReview_workflowId_key" ON "AccessReview"("workflowId");

-- CreateIndex
CREATE UNIQUE INDEX "AccessReviewDecision_reviewId_entitlementId_key" ON "AccessReviewDecision"("reviewId", "entitlementId");

-- CreateIndex
CREATE UNIQUE INDEX "SatisfactionSurvey_requestId_key" ON "SatisfactionSurvey"("requestId");

-- AddForeignKey
ALTER TABLE "User" ADD CONSTRAINT "User_managerId_fkey" FOREIGN KEY ("managerId") REFERENCES "User"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "SatisfactionSurvey" ADD CONSTRAINT "SatisfactionSurvey_requestId_fkey" FOREIGN KEY ("requestId") REFERENCES "ServiceRequest"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "CatalogItem" ADD CONSTRAINT "CatalogItem_serviceId_fkey" FOREIGN KEY ("serviceId") REFERENCES "Service"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "CatalogItem" ADD CONSTRAINT "CatalogItem_ciId_fkey" FOREIGN KEY ("ciId") REFERENCES "ConfigurationItem"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "CatalogItem" ADD CONSTRAINT "CatalogItem_calendarId_fkey" FOREIGN KEY ("calendarId") REFERENCES "BusinessCalendar"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "CatalogItemVersion" ADD CONSTRAINT "CatalogItemVersion_itemId_fkey" FOREIGN KEY ("itemId") REFERENCES "CatalogItem"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ServiceRequest" ADD CONSTRAINT "ServiceRequest_itemId_fkey" FOREIGN KEY ("itemId") REFERENCES "CatalogItem"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ServiceRequest" ADD CONSTRAINT "ServiceRequest_requesterId_fkey" FOREIGN KEY ("requesterId") REFERENCES "User"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ServiceRequest" ADD CONSTRAINT "ServiceRequest_revokesEntitlementId_fkey" FOREIGN KEY ("revokesEntitlementId") REFERENCES "Entitlement"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "RequestTask" ADD CONSTRAINT "RequestTask_requestId_fkey" FOREIGN KEY ("requestId") REFERENCES "ServiceRequest"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "RequestEvent" ADD CONSTRAINT "RequestEvent_requestId_fkey" FOREIGN KEY ("requestId") REFERENCES "ServiceRequest"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Entitlement" ADD CONSTRAINT "Entitlement_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Entitlement" ADD CONSTRAINT "Entitlement_ciId_fkey" FOREIGN KEY ("ciId") REFERENCES "ConfigurationItem"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Entitlement" ADD CONSTRAINT "Entitlement_itemId_fkey" FOREIGN KEY ("itemId") REFERENCES "CatalogItem"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Entitlement" ADD CONSTRAINT "Entitlement_requestId_fkey" FOREIGN KEY ("requestId") REFERENCES "ServiceRequest"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "AccessReview" ADD CONSTRAINT "AccessReview_ciId_fkey" FOREIGN KEY ("ciId") REFERENCES "ConfigurationItem"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "AccessReviewDecision" ADD CONSTRAINT "AccessReviewDecision_reviewId_fkey" FOREIGN KEY ("reviewId") REFERENCES "AccessReview"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "AccessReviewDecision" ADD CONSTRAINT "AccessReviewDecision_entitlementId_fkey" FOREIGN KEY ("entitlementId") REFERENCES "Entitlement"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
