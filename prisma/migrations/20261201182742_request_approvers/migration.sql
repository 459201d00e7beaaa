-- AlterTable
ALTER TABLE "ServiceRequest" ADD COLUMN     "approverIds" UUID[] DEFAULT ARRAY[]::UUID[];
