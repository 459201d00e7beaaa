-- CreateEnum
CREATE TYPE "CiType" AS ENUM ('service', 'application', 'server', 'database', 'network_device', 'workstation', 'storage', 'licence', 'other');

-- CreateEnum
CREATE TYPE "CiStatus" AS ENUM ('planned', 'active', 'maintenance', 'retired');

-- CreateEnum
CREATE TYPE "RelationshipType" AS ENUM ('depends_on', 'runs_on', 'connected_to', 'part_of');

-- CreateEnum
CREATE TYPE "ProblemState" AS ENUM ('new', 'investigating', 'known_error', 'fix_pending', 'resolved', 'closed');

-- CreateEnum
CREATE TYPE "ArticleStatus" AS ENUM ('draft', 'published', 'retired');

-- AlterTable
ALTER TABLE "ChangeRequest" ADD COLUMN     "problemId" UUID;

-- AlterTable
ALTER TABLE "Incident" ADD COLUMN     "category" TEXT;

-- AlterTable
ALTER TABLE "Notification" ADD COLUMN     "problemId" UUID;

-- CreateTable
CREATE TABLE "ConfigurationItem" (
    "id" UUID NOT NULL,
    "code" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "type" "CiType" NOT NULL,
    "status" "CiStatus" NOT NULL DEFAULT 'active',
    "description" TEXT NOT NULL DEFAULT '',
    "ownerId" UUID,
    "serviceId" UUID,
    "attributes" JSONB NOT NULL DEFAULT '{}',
    "purchasedAt" TIMESTAMP(3),
    "purchaseCost" DECIMAL(14,2),
    "warrantyEndsAt" TIMESTAMP(3),
    "licenceSeats" INTEGER,
    "seatsInUse" INTEGER,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "ConfigurationItem_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "CiRelationship" (
    "id" UUID NOT NULL,
    "type" "RelationshipType" NOT NULL,
    "sourceId" UUID NOT NULL,
    "targetId" UUID NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "CiRelationship_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "CiHistory" (
    "id" UUID NOT NULL,
    "ciId" UUID NOT NULL,
    "kind" TEXT NOT NULL,
    "actorId" UUID,
    "changeRequestId" UUID,
    "at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "diff" JSONB NOT NULL DEFAULT '{}',

    CONSTRAINT "CiHistory_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "IncidentCi" (
    "incidentId" UUID NOT NULL,
    "ciId" UUID NOT NULL,

    CONSTRAINT "IncidentCi_pkey" PRIMARY KEY ("incidentId","ciId")
);

-- CreateTable
CREATE TABLE "ChangeCi" (
    "changeId" UUID NOT NULL,
    "ciId" UUID NOT NULL,

    CONSTRAINT "ChangeCi_pkey" PRIMARY KEY ("changeId","ciId")
);

-- CreateTable
CREATE TABLE "Problem" (
    "id" UUID NOT NULL,
    "number" SERIAL NOT NULL,
    "workflowId" TEXT NOT NULL,
    "title" TEXT NOT NULL,
    "description" TEXT NOT NULL,
    "priority" "Priority" NOT NULL,
    "state" "ProblemState" NOT NULL DEFAULT 'new',
    "source" TEXT NOT NULL,
    "trendKey" TEXT,
    "serviceId" UUID,
    "ciId" UUID,
    "category" TEXT,
    "ownerId" UUID,
    "rcaDueAt" TIMESTAMP(3),
    "escalationLevel" INTEGER NOT NULL DEFAULT 0,
    "rootCause" TEXT,
    "workaround" TEXT,
    "reviewUntil" TIMESTAMP(3),
    "resolvedAt" TIMESTAMP(3),
    "closedAt" TIMESTAMP(3),
    "closeReason" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Problem_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ProblemIncident" (
    "problemId" UUID NOT NULL,
    "incidentId" UUID NOT NULL,
    "linkedBy" TEXT NOT NULL,
    "linkedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ProblemIncident_pkey" PRIMARY KEY ("problemId","incidentId")
);

-- CreateTable
CREATE TABLE "ProblemEvent" (
    "id" UUID NOT NULL,
    "eventKey" TEXT NOT NULL,
    "problemId" UUID NOT NULL,
    "type" TEXT NOT NULL,
    "actorId" UUID,
    "at" TIMESTAMP(3) NOT NULL,
    "fromState" TEXT,
    "toState" TEXT,
    "data" JSONB NOT NULL DEFAULT '{}',

    CONSTRAINT "ProblemEvent_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ProblemPolicy" (
    "priority" "Priority" NOT NULL,
    "rcaSeconds" INTEGER NOT NULL,
    "remindBeforeSeconds" INTEGER[],
    "escalateAfterSeconds" INTEGER NOT NULL DEFAULT 0,
    "coordinatorId" UUID,
    "effectivenessSeconds" INTEGER NOT NULL,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "ProblemPolicy_pkey" PRIMARY KEY ("priority")
);

-- CreateTable
CREATE TABLE "TrendRule" (
    "dimension" TEXT NOT NULL,
    "windowSeconds" INTEGER NOT NULL,
    "threshold" INTEGER NOT NULL,
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "TrendRule_pkey" PRIMARY KEY ("dimension")
);

-- CreateTable
CREATE TABLE "KnownError" (
    "id" UUID NOT NULL,
    "problemId" UUID NOT NULL,
    "title" TEXT NOT NULL,
    "rootCause" TEXT NOT NULL,
    "workaround" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'published',
    "publishedAt" TIMESTAMP(3) NOT NULL,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "KnownError_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Article" (
    "id" UUID NOT NULL,
    "number" SERIAL NOT NULL,
    "title" TEXT NOT NULL,
    "body" TEXT NOT NULL,
    "language" TEXT NOT NULL DEFAULT 'en',
    "tags" TEXT[],
    "status" "ArticleStatus" NOT NULL DEFAULT 'draft',
    "version" INTEGER NOT NULL DEFAULT 1,
    "authorId" UUID,
    "knownErrorId" UUID,
    "publishedAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    "search" tsvector,

    CONSTRAINT "Article_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ArticleVersion" (
    "articleId" UUID NOT NULL,
    "version" INTEGER NOT NULL,
    "title" TEXT NOT NULL,
    "body" TEXT NOT NULL,
    "tags" TEXT[],
    "status" "ArticleStatus" NOT NULL,
    "editorId" UUID,
    "at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ArticleVersion_pkey" PRIMARY KEY ("articleId","version")
);

-- CreateTable
CREATE TABLE "ArticleCi" (
    "articleId" UUID NOT NULL,
    "ciId" UUID NOT NULL,

    CONSTRAINT "ArticleCi_pkey" PRIMARY KEY ("articleId","ciId")
);

-- CreateIndex
CREATE UNIQUE INDEX "ConfigurationItem_code_key" ON "ConfigurationItem"("code");

-- CreateIndex
CREATE UNIQUE INDEX "ConfigurationItem_serviceId_key" ON "ConfigurationItem"("serviceId");

-- CreateIndex
CREATE INDEX "ConfigurationItem_type_idx" ON "ConfigurationItem"("type");

-- CreateIndex
CREATE INDEX "ConfigurationItem_warrantyEndsAt_idx" ON "ConfigurationItem"("warrantyEndsAt");

-- CreateIndex
CREATE INDEX "CiRelationship_targetId_idx" ON "CiRelationship"("targetId");

-- CreateIndex
CREATE UNIQUE INDEX "CiRelationship_sourceId_targetId_type_key" ON "CiRelationship"("sourceId", "targetId", "type");

-- CreateIndex
CREATE INDEX "CiHistory_ciId_at_idx" ON "CiHistory"("ciId", "at");

-- CreateIndex
CREATE INDEX "IncidentCi_ciId_idx" ON "IncidentCi"("ciId");

-- CreateIndex
CREATE INDEX "ChangeCi_ciId_idx" ON "ChangeCi"("ciId");

-- CreateIndex
CREATE UNIQUE INDEX "Problem_number_key" ON "Problem"("number");

-- CreateIndex
CREATE UNIQUE INDEX "Problem_workflowId_key" ON "Problem"("workflowId");

-- CreateIndex
CREATE INDEX "Problem_state_idx" ON "Problem"("state");

-- CreateIndex
CREATE INDEX "Problem_trendKey_state_idx" ON "Problem"("trendKey", "state");

-- CreateIndex
CREATE INDEX "ProblemIncident_incidentId_idx" ON "ProblemIncident"("incidentId");

-- CreateIndex
CREATE UNIQUE INDEX "ProblemEvent_eventKey_key" ON "ProblemEvent"("eventKey");

-- CreateIndex
CREATE INDEX "ProblemEvent_problemId_at_idx" ON "ProblemEvent"("problemId", "at");

-- CreateIndex
CREATE UNIQUE INDEX "KnownError_problemId_key" ON "KnownError"("problemId");

-- CreateIndex
CREATE UNIQUE INDEX "Article_number_key" ON "Article"("number");

-- CreateIndex
CREATE UNIQUE INDEX "Article_knownErrorId_key" ON "Article"("knownErrorId");

-- CreateIndex
CREATE INDEX "Article_search_idx" ON "Article" USING GIN ("search");

-- CreateIndex
CREATE INDEX "Article_status_idx" ON "Article"("status");

-- CreateIndex
CREATE INDEX "ArticleCi_ciId_idx" ON "ArticleCi"("ciId");

-- CreateIndex
CREATE INDEX "ChangeRequest_problemId_idx" ON "ChangeRequest"("problemId");

-- CreateIndex
CREATE INDEX "Incident_category_createdAt_idx" ON "Incident"("category", "createdAt");

-- CreateIndex
CREATE INDEX "Notification_problemId_idx" ON "Notification"("problemId");

-- AddForeignKey
ALTER TABLE "Notification" ADD CONSTRAINT "Notification_problemId_fkey" FOREIGN KEY ("problemId") REFERENCES "Problem"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ChangeRequest" ADD CONSTRAINT "ChangeRequest_problemId_fkey" FOREIGN KEY ("problemId") REFERENCES "Problem"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ConfigurationItem" ADD CONSTRAINT "ConfigurationItem_ownerId_fkey" FOREIGN KEY ("ownerId") REFERENCES "User"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ConfigurationItem" ADD CONSTRAINT "ConfigurationItem_serviceId_fkey" FOREIGN KEY ("serviceId") REFERENCES "Service"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "CiRelationship" ADD CONSTRAINT "CiRelationship_sourceId_fkey" FOREIGN KEY ("sourceId") REFERENCES "ConfigurationItem"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "CiRelationship" ADD CONSTRAINT "CiRelationship_targetId_fkey" FOREIGN KEY ("targetId") REFERENCES "ConfigurationItem"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "CiHistory" ADD CONSTRAINT "CiHistory_ciId_fkey" FOREIGN KEY ("ciId") REFERENCES "ConfigurationItem"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "CiHistory" ADD CONSTRAINT "CiHistory_changeRequestId_fkey" FOREIGN KEY ("changeRequestId") REFERENCES "ChangeRequest"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "IncidentCi" ADD CONSTRAINT "IncidentCi_incidentId_fkey" FOREIGN KEY ("incidentId") REFERENCES "Incident"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "IncidentCi" ADD CONSTRAINT "IncidentCi_ciId_fkey" FOREIGN KEY ("ciId") REFERENCES "ConfigurationItem"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ChangeCi" ADD CONSTRAINT "ChangeCi_changeId_fkey" FOREIGN KEY ("changeId") REFERENCES "ChangeRequest"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ChangeCi" ADD CONSTRAINT "ChangeCi_ciId_fkey" FOREIGN KEY ("ciId") REFERENCES "ConfigurationItem"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Problem" ADD CONSTRAINT "Problem_serviceId_fkey" FOREIGN KEY ("serviceId") REFERENCES "Service"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Problem" ADD CONSTRAINT "Problem_ciId_fkey" FOREIGN KEY ("ciId") REFERENCES "ConfigurationItem"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Problem" ADD CONSTRAINT "Problem_ownerId_fkey" FOREIGN KEY ("ownerId") REFERENCES "User"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ProblemIncident" ADD CONSTRAINT "ProblemIncident_problemId_fkey" FOREIGN KEY ("problemId") REFERENCES "Problem"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ProblemIncident" ADD CONSTRAINT "ProblemIncident_incidentId_fkey" FOREIGN KEY ("incidentId") REFERENCES "Incident"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ProblemEvent" ADD CONSTRAINT "ProblemEvent_problemId_fkey" FOREIGN KEY ("problemId") REFERENCES "Problem"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ProblemPolicy" ADD CONSTRAINT "ProblemPolicy_coordinatorId_fkey" FOREIGN KEY ("coordinatorId") REFERENCES "User"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "KnownError" ADD CONSTRAINT "KnownError_problemId_fkey" FOREIGN KEY ("problemId") REFERENCES "Problem"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Article" ADD CONSTRAINT "Article_authorId_fkey" FOREIGN KEY ("authorId") REFERENCES "User"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Article" ADD CONSTRAINT "Article_knownErrorId_fkey" FOREIGN KEY ("knownErrorId") REFERENCES "KnownError"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ArticleVersion" ADD CONSTRAINT "ArticleVersion_articleId_fkey" FOREIGN KEY ("articleId") REFERENCES "Article"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ArticleCi" ADD CONSTRAINT "ArticleCi_articleId_fkey" FOREIGN KEY ("articleId") REFERENCES "Article"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ArticleCi" ADD CONSTRAINT "ArticleCi_ciId_fkey" FOREIGN KEY ("ciId") REFERENCES "ConfigurationItem"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- Hand-written below this line: what Prisma does not model.

-- Changes named their CIs by free text until now. Each distinct name becomes a CI of type "other" (to be
-- completed in the CMDB), and the changes reference it, before the old column goes.
INSERT INTO "ConfigurationItem" ("id", "code", "name", "type", "updatedAt")
SELECT gen_random_uuid(), name, name, 'other', now()
  FROM (SELECT DISTINCT unnest("affectedCis") AS name FROM "ChangeRequest") AS named(name)
ON CONFLICT ("code") DO NOTHING;
INSERT INTO "ChangeCi" ("changeId", "ciId")
SELECT c.id, ci.id FROM "ChangeRequest" c CROSS JOIN LATERAL unnest(c."affectedCis") AS named(code) JOIN "ConfigurationItem" ci ON ci.code = named.code
ON CONFLICT DO NOTHING;
ALTER TABLE "ChangeRequest" DROP COLUMN "affectedCis";

-- Knowledge search. PostgreSQL's parsers do not segment Chinese, so CJK characters are indexed one per token
-- (searches for a Chinese word become a phrase of adjacent characters; see domain/knowledge.ts).
CREATE FUNCTION itsm_cjk_split(input text) RETURNS text
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$ SELECT regexp_replace(input, '([぀-ヿ㐀-䶿一-鿿豈-﫿])', ' \1 ', 'g') $$;

-- Title weighs most, then tags, then the body, so a word in the title ranks above the same word in passing.
CREATE FUNCTION itsm_article_search() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW."search" :=
    setweight(to_tsvector('english', itsm_cjk_split(NEW."title")), 'A') ||
    setweight(to_tsvector('english', itsm_cjk_split(array_to_string(NEW."tags", ' '))), 'B') ||
    setweight(to_tsvector('english', itsm_cjk_split(NEW."body")), 'C');
  RETURN NEW;
END
$$;

CREATE TRIGGER "Article_search_update" BEFORE INSERT OR UPDATE OF "title", "tags", "body" ON "Article"
  FOR EACH ROW EXECUTE FUNCTION itsm_article_search();
