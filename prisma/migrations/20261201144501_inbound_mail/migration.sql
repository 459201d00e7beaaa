-- AlterTable
ALTER TABLE "Service" ADD COLUMN     "mailAddress" TEXT;

-- CreateTable
CREATE TABLE "InboundMail" (
    "id" UUID NOT NULL,
    "dedupKey" TEXT,
    "messageId" TEXT,
    "source" TEXT NOT NULL,
    "fromAddress" TEXT,
    "recipients" TEXT[],
    "subject" TEXT NOT NULL DEFAULT '',
    "text" TEXT NOT NULL DEFAULT '',
    "sizeBytes" INTEGER NOT NULL,
    "outcome" TEXT NOT NULL DEFAULT 'processing',
    "detail" TEXT,
    "incidentId" UUID,
    "receivedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "processedAt" TIMESTAMP(3),

    CONSTRAINT "InboundMail_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "MailAttachment" (
    "id" UUID NOT NULL,
    "inboundMailId" UUID NOT NULL,
    "incidentId" UUID,
    "filename" TEXT NOT NULL,
    "contentType" TEXT NOT NULL,
    "sizeBytes" INTEGER NOT NULL,
    "content" BYTEA,
    "refusedReason" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "MailAttachment_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "InboundMail_dedupKey_key" ON "InboundMail"("dedupKey");

-- CreateIndex
CREATE INDEX "InboundMail_receivedAt_idx" ON "InboundMail"("receivedAt");

-- CreateIndex
CREATE INDEX "InboundMail_incidentId_idx" ON "InboundMail"("incidentId");

-- CreateIndex
CREATE INDEX "MailAttachment_incidentId_idx" ON "MailAttachment"("incidentId");

-- CreateIndex
CREATE UNIQUE INDEX "Service_mailAddress_key" ON "Service"("mailAddress");

-- AddForeignKey
ALTER TABLE "InboundMail" ADD CONSTRAINT "InboundMail_incidentId_fkey" FOREIGN KEY ("incidentId") REFERENCES "Incident"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "MailAttachment" ADD CONSTRAINT "MailAttachment_inboundMailId_fkey" FOREIGN KEY ("inboundMailId") REFERENCES "InboundMail"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "MailAttachment" ADD CONSTRAINT "MailAttachment_incidentId_fkey" FOREIGN KEY ("incidentId") REFERENCES "Incident"("id") ON DELETE CASCADE ON UPDATE CASCADE;
