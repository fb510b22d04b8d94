-- AlterTable
ALTER TABLE "Shop" ADD COLUMN     "checklistDismissedAt" TIMESTAMP(3);

-- AlterTable
ALTER TABLE "Shipment" ADD COLUMN     "shippedAt" TIMESTAMP(3);

-- CreateIndex
CREATE INDEX "Shipment_shopId_status_lastEventAt_createdAt_idx" ON "Shipment"("shopId", "status", "lastEventAt", "createdAt");

-- CreateIndex
CREATE INDEX "Shipment_shopId_status_deliveredAt_idx" ON "Shipment"("shopId", "status", "deliveredAt");

-- Existing shipments: the first carrier scan among the events already stored.
UPDATE "Shipment" SET "shippedAt" = (
  SELECT MIN(e."occurredAt") FROM "TrackingEvent" e
  WHERE e."shipmentId" = "Shipment"."id" AND e."status" IN ('transit', 'pickup', 'undelivered', 'delivered', 'exception')
);
