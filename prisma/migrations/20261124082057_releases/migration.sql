-- CreateEnum
CREATE TYPE "ReleaseType" AS ENUM ('major', 'minor', 'emergency');

-- AlterTable
ALTER TABLE "ActionTokenUse" ADD COLUMN     "releaseId" UUID,
ALTER COLUMN "changeId" DROP NOT NULL;

-- CreateTable
CREATE TABLE "DeploymentAdapter" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "config" JSONB NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "DeploymentAdapter_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Release" (
    "id" UUID NOT NULL,
    "number" SERIAL NOT NULL,
    "workflowId" TEXT NOT NULL,
    "version" TEXT NOT NULL,
    "title" TEXT NOT NULL,
    "type" "ReleaseType" NOT NULL,
    "state" TEXT NOT NULL DEFAULT 'planned',
    "adapterId" UUID NOT NULL,
    "environments" TEXT[],
    "confirmIn" TEXT[],
    "confirmSeconds" INTEGER NOT NULL DEFAULT 3600,
    "productionStart" TIMESTAMP(3),
    "productionEnd" TIMESTAMP(3),
    "requesterId" UUID NOT NULL,
    "authorisedById" UUID,
    "authorisedAt" TIMESTAMP(3),
    "failureReason" TEXT,
    "finishedAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Release_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ReleaseChange" (
    "releaseId" UUID NOT NULL,
    "changeId" UUID NOT NULL,

    CONSTRAINT "ReleaseChange_pkey" PRIMARY KEY ("releaseId","changeId")
);

-- CreateTable
CREATE TABLE "ReleaseCi" (
    "releaseId" UUID NOT NULL,
    "ciId" UUID NOT NULL,

    CONSTRAINT "ReleaseCi_pkey" PRIMARY KEY ("releaseId","ciId")
);

-- CreateTable
CREATE TABLE "Deployment" (
    "id" UUID NOT NULL,
    "releaseId" UUID NOT NULL,
    "environment" TEXT NOT NULL,
    "position" INTEGER NOT NULL,
    "state" TEXT NOT NULL DEFAULT 'pending',
    "deployedAt" TIMESTAMP(3),
    "verifiedAt" TIMESTAMP(3),
    "rolledBackAt" TIMESTAMP(3),
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Deployment_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ReleaseStep" (
    "id" UUID NOT NULL,
    "stepKey" TEXT NOT NULL,
    "releaseId" UUID NOT NULL,
    "environment" TEXT,
    "step" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "exitCode" INTEGER,
    "httpStatus" INTEGER,
    "output" TEXT NOT NULL DEFAULT '',
    "startedAt" TIMESTAMP(3) NOT NULL,
    "finishedAt" TIMESTAMP(3),

    CONSTRAINT "ReleaseStep_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ReleaseEvent" (
    "id" UUID NOT NULL,
    "eventKey" TEXT NOT NULL,
    "releaseId" UUID NOT NULL,
    "type" TEXT NOT NULL,
    "actorId" UUID,
    "at" TIMESTAMP(3) NOT NULL,
    "fromState" TEXT,
    "toState" TEXT,
    "data" JSONB NOT NULL DEFAULT '{}',

    CONSTRAINT "ReleaseEvent_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "DeploymentAdapter_name_key" ON "DeploymentAdapter"("name");

-- CreateIndex
CREATE UNIQUE INDEX "Release_number_key" ON "Release"("number");

-- CreateIndex
CREATE UNIQUE INDEX "Release_workflowId_key" ON "Release"("workflowId");

-- CreateIndex
CREATE INDEX "Release_state_idx" ON "Release"("state");

-- CreateIndex
CREATE UNIQUE INDEX "Deployment_releaseId_environment_key" ON "Deployment"("releaseId", "environment");

-- CreateIndex
CREATE UNIQUE INDEX "ReleaseStep_stepKey_key" ON "ReleaseStep"("stepKey");

-- CreateIndex
CREATE INDEX "ReleaseStep_releaseId_startedAt_idx" ON "ReleaseStep"("releaseId", "startedAt");

-- CreateIndex
CREATE UNIQUE INDEX "ReleaseEvent_eventKey_key" ON "ReleaseEvent"("eventKey");

-- CreateIndex
CREATE INDEX "ReleaseEvent_releaseId_at_idx" ON "ReleaseEvent"("releaseId", "at");

-- AddForeignKey
ALTER TABLE "Release" ADD CONSTRAINT "Release_adapterId_fkey" FOREIGN KEY ("adapterId") REFERENCES "DeploymentAdapter"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Release" ADD CONSTRAINT "Release_requesterId_fkey" FOREIGN KEY ("requesterId") REFERENCES "User"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ReleaseChange" ADD CONSTRAINT "ReleaseChange_releaseId_fkey" FOREIGN KEY ("releaseId") REFERENCES "Release"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ReleaseChange" ADD CONSTRAINT "ReleaseChange_changeId_fkey" FOREIGN KEY ("changeId") REFERENCES "ChangeRequest"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ReleaseCi" ADD CONSTRAINT "ReleaseCi_releaseId_fkey" FOREIGN KEY ("releaseId") REFERENCES "Release"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ReleaseCi" ADD CONSTRAINT "ReleaseCi_ciId_fkey" FOREIGN KEY ("ciId") REFERENCES "ConfigurationItem"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Deployment" ADD CONSTRAINT "Deployment_releaseId_fkey" FOREIGN KEY ("releaseId") REFERENCES "Release"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ReleaseStep" ADD CONSTRAINT "ReleaseStep_releaseId_fkey" FOREIGN KEY ("releaseId") REFERENCES "Release"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ReleaseEvent" ADD CONSTRAINT "ReleaseEvent_releaseId_fkey" FOREIGN KEY ("releaseId") REFERENCES "Release"("id") ON DELETE CASCADE ON UPDATE CASCADE;
