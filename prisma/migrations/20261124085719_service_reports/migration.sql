-- AlterTable
ALTER TABLE "Service" ADD COLUMN     "slaTargetPercent" DOUBLE PRECISION NOT NULL DEFAULT 95;

-- CreateTable
CREATE TABLE "ServiceReport" (
    "id" UUID NOT NULL,
    "serviceId" UUID NOT NULL,
    "periodStart" TIMESTAMP(3) NOT NULL,
    "periodEnd" TIMESTAMP(3) NOT NULL,
    "data" JSONB NOT NULL,
    "mailedAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ServiceReport_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "ServiceReport_serviceId_periodStart_key" ON "ServiceReport"("serviceId", "periodStart");

-- AddForeignKey
ALTER TABLE "ServiceReport" ADD CONSTRAINT "ServiceReport_serviceId_fkey" FOREIGN KEY ("serviceId") REFERENCES "Service"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
