-- CreateTable
CREATE TABLE "ContinuityPlan" (
    "id" UUID NOT NULL,
    "serviceId" UUID NOT NULL,
    "title" TEXT NOT NULL,
    "scenario" TEXT NOT NULL,
    "ownerId" UUID NOT NULL,
    "testSeconds" INTEGER NOT NULL DEFAULT 2592000,
    "remindBeforeSeconds" INTEGER[] DEFAULT ARRAY[604800]::INTEGER[],
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ContinuityPlan_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ContinuityTest" (
    "id" UUID NOT NULL,
    "workflowId" TEXT NOT NULL,
    "planId" UUID NOT NULL,
    "state" TEXT NOT NULL DEFAULT 'due',
    "dueAt" TIMESTAMP(3) NOT NULL,
    "escalated" BOOLEAN NOT NULL DEFAULT false,
    "notes" TEXT NOT NULL DEFAULT '',
    "testedAt" TIMESTAMP(3),
    "testedById" UUID,
    "actionId" UUID,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ContinuityTest_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "ContinuityTest_workflowId_key" ON "ContinuityTest"("workflowId");

-- AddForeignKey
ALTER TABLE "ContinuityPlan" ADD CONSTRAINT "ContinuityPlan_serviceId_fkey" FOREIGN KEY ("serviceId") REFERENCES "Service"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ContinuityPlan" ADD CONSTRAINT "ContinuityPlan_ownerId_fkey" FOREIGN KEY ("ownerId") REFERENCES "User"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ContinuityTest" ADD CONSTRAINT "ContinuityTest_planId_fkey" FOREIGN KEY ("planId") REFERENCES "ContinuityPlan"("id") ON DELETE CASCADE ON UPDATE CASCADE;
