-- CreateIndex
CREATE INDEX "Shipment_shopId_provider_registrationState_createdAt_idx" ON "Shipment"("shopId", "provider", "registrationState", "createdAt");

-- CreateIndex
CREATE INDEX "Shipment_registrationState_registrationLeaseUntil_idx" ON "Shipment"("registrationState", "registrationLeaseUntil");
