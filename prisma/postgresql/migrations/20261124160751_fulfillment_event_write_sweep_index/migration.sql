-- CreateIndex
CREATE INDEX "FulfillmentEventWrite_state_createdAt_idx" ON "FulfillmentEventWrite"("state", "createdAt");
