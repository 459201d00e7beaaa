-- AlterTable
ALTER TABLE "DeploymentAdapter" ADD COLUMN     "internal" BOOLEAN NOT NULL DEFAULT false;

-- AlterTable
ALTER TABLE "Release" ADD COLUMN     "productionEnvironments" TEXT[] DEFAULT ARRAY[]::TEXT[];

-- AlterTable
ALTER TABLE "StandardChangeTemplate" ADD COLUMN     "ciTypes" "CiType"[] DEFAULT ARRAY[]::"CiType"[],
ADD COLUMN     "maxRisk" TEXT NOT NULL DEFAULT 'low';

-- CreateTable
CREATE TABLE "StandardChangeTemplateService" (
    "templateId" UUID NOT NULL,
    "serviceId" UUID NOT NULL,

    CONSTRAINT "StandardChangeTemplateService_pkey" PRIMARY KEY ("templateId","serviceId")
);

-- CreateTable
CREATE TABLE "DeploymentEnvironment" (
    "id" UUID NOT NULL,
    "adapterId" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "position" INTEGER NOT NULL,
    "production" BOOLEAN NOT NULL DEFAULT false,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "DeploymentEnvironment_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "DeploymentEnvironment_adapterId_name_key" ON "DeploymentEnvironment"("adapterId", "name");

-- CreateIndex
CREATE UNIQUE INDEX "DeploymentEnvironment_adapterId_position_key" ON "DeploymentEnvironment"("adapterId", "position");

-- AddForeignKey
ALTER TABLE "StandardChangeTemplateService" ADD CONSTRAINT "StandardChangeTemplateService_templateId_fkey" FOREIGN KEY ("templateId") REFERENCES "StandardChangeTemplate"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "StandardChangeTemplateService" ADD CONSTRAINT "StandardChangeTemplateService_serviceId_fkey" FOREIGN KEY ("serviceId") REFERENCES "Service"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "DeploymentEnvironment" ADD CONSTRAINT "DeploymentEnvironment_adapterId_fkey" FOREIGN KEY ("adapterId") REFERENCES "DeploymentAdapter"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Releases planned before environments were records treated their last environment as production; they keep that.
UPDATE "Release" SET "productionEnvironments" = ARRAY["environments"[array_length("environments", 1)]] WHERE array_length("environments", 1) > 0;

-- Adapters already in use get the environments of their newest release, its last one production, so an
-- upgraded installation can plan its next release the way it planned the last one.
INSERT INTO "DeploymentEnvironment" ("id", "adapterId", "name", "position", "production")
SELECT gen_random_uuid(), newest."adapterId", env.name, env.ord - 1, env.ord = array_length(newest."environments", 1)
FROM (SELECT DISTINCT ON ("adapterId") "adapterId", "environments" FROM "Release" ORDER BY "adapterId", "number" DESC) AS newest,
     unnest(newest."environments") WITH ORDINALITY AS env(name, ord);
