-- CreateTable
CREATE TABLE "Competence" (
    "id" UUID NOT NULL,
    "userId" UUID NOT NULL,
    "skill" TEXT NOT NULL,
    "level" TEXT NOT NULL,
    "trainedOn" TIMESTAMP(3),
    "certification" TEXT,
    "expiresOn" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Competence_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "CompetenceReview" (
    "id" UUID NOT NULL,
    "workflowId" TEXT NOT NULL,
    "userId" UUID NOT NULL,
    "year" INTEGER NOT NULL,
    "state" TEXT NOT NULL DEFAULT 'due',
    "dueAt" TIMESTAMP(3) NOT NULL,
    "escalated" BOOLEAN NOT NULL DEFAULT false,
    "reviewerId" UUID,
    "summary" TEXT NOT NULL DEFAULT '',
    "doneAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "CompetenceReview_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "Competence_expiresOn_idx" ON "Competence"("expiresOn");

-- CreateIndex
CREATE UNIQUE INDEX "CompetenceReview_workflowId_key" ON "CompetenceReview"("workflowId");

-- AddForeignKey
ALTER TABLE "Competence" ADD CONSTRAINT "Competence_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "CompetenceReview" ADD CONSTRAINT "CompetenceReview_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;
