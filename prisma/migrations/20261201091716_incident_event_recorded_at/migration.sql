-- AlterTable
ALTER TABLE "IncidentEvent" ADD COLUMN     "recordedAt" TIMESTAMP(3) NOT NULL DEFAULT transaction_timestamp();
