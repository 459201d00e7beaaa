-- CreateIndex
CREATE INDEX "ServiceRequest_approverIds_idx" ON "ServiceRequest" USING GIN ("approverIds");
