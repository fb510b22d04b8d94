-- DropIndex
DROP INDEX "Shipment_shopId_registrationState_idx";

-- DropIndex
DROP INDEX "Shipment_shopId_status_idx";

-- CreateIndex
CREATE INDEX "Order_shopId_name_idx" ON "Order"("shopId", "name");

-- CreateIndex
CREATE INDEX "Shipment_shopId_registrationState_createdAt_id_idx" ON "Shipment"("shopId", "registrationState", "createdAt", "id");

-- CreateIndex
CREATE INDEX "Shipment_shopId_status_createdAt_id_idx" ON "Shipment"("shopId", "status", "createdAt" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "Shipment_shopId_createdAt_id_idx" ON "Shipment"("shopId", "createdAt", "id");

-- CreateIndex
CREATE INDEX "Shipment_shopId_lastEventAt_id_idx" ON "Shipment"("shopId", "lastEventAt", "id");

-- CreateIndex
CREATE INDEX "Shipment_shopId_carrierCode_createdAt_id_idx" ON "Shipment"("shopId", "carrierCode", "createdAt", "id");

-- CreateIndex
CREATE INDEX "Shipment_shopId_provider_createdAt_id_idx" ON "Shipment"("shopId", "provider", "createdAt", "id");
