-- AlterTable
ALTER TABLE "Shop" ADD COLUMN     "carrierProviders" TEXT;

-- AlterTable
ALTER TABLE "ProviderAccount" ADD COLUMN     "environment" TEXT,
ADD COLUMN     "ignoredEvents" INTEGER NOT NULL DEFAULT 0;

-- AlterTable
ALTER TABLE "Shipment" ADD COLUMN     "subscriptionExpiresAt" TIMESTAMP(3);

-- CreateIndex
CREATE INDEX "Shipment_provider_subscriptionExpiresAt_idx" ON "Shipment"("provider", "subscriptionExpiresAt");
