-- AlterTable
ALTER TABLE "ChangeRequest" ADD COLUMN     "declaresDowntime" BOOLEAN NOT NULL DEFAULT false;

-- AlterTable
ALTER TABLE "Service" ADD COLUMN     "availabilityTargetPercent" DOUBLE PRECISION,
ADD COLUMN     "serviceHoursCalendarId" UUID;

-- CreateTable
CREATE TABLE "Outage" (
    "id" UUID NOT NULL,
    "sourceKey" TEXT,
    "serviceId" UUID NOT NULL,
    "startedAt" TIMESTAMP(3) NOT NULL,
    "endedAt" TIMESTAMP(3),
    "planned" BOOLEAN NOT NULL,
    "incidentId" UUID,
    "changeId" UUID,
    "description" TEXT NOT NULL DEFAULT '',
    "recordedById" UUID,
    "correctedById" UUID,
    "correctedAt" TIMESTAMP(3),
    "correctionReason" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Outage_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "Outage_sourceKey_key" ON "Outage"("sourceKey");

-- CreateIndex
CREATE INDEX "Outage_serviceId_startedAt_idx" ON "Outage"("serviceId", "startedAt");

-- AddForeignKey
ALTER TABLE "Service" ADD CONSTRAINT "Service_serviceHoursCalendarId_fkey" FOREIGN KEY ("serviceHoursCalendarId") REFERENCES "BusinessCalendar"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Outage" ADD CONSTRAINT "Outage_serviceId_fkey" FOREIGN KEY ("serviceId") REFERENCES "Service"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Outage" ADD CONSTRAINT "Outage_incidentId_fkey" FOREIGN KEY ("incidentId") REFERENCES "Incident"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Outage" ADD CONSTRAINT "Outage_changeId_fkey" FOREIGN KEY ("changeId") REFERENCES "ChangeRequest"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Outage" ADD CONSTRAINT "Outage_recordedById_fkey" FOREIGN KEY ("recordedById") REFERENCES "User"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Outage" ADD CONSTRAINT "Outage_correctedById_fkey" FOREIGN KEY ("correctedById") REFERENCES "User"("id") ON DELETE SET NULL ON UPDATE CASCADE;
