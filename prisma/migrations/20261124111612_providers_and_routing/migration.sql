-- AlterTable
ALTER TABLE "Shipment" ADD COLUMN "subscriptionExpiresAt" DATETIME;

-- AlterTable
ALTER TABLE "Shop" ADD COLUMN "carrierProviders" TEXT;

-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_ProviderAccount" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "shopId" TEXT NOT NULL,
    "provider" TEXT NOT NULL,
    "apiVersion" TEXT,
    "environment" TEXT,
    "credentialsEncrypted" TEXT NOT NULL,
    "accountFingerprint" TEXT NOT NULL,
    "blockedReason" TEXT,
    "blockedMessage" TEXT,
    "blockedAt" DATETIME,
    "lastSuccessAt" DATETIME,
    "ignoredEvents" INTEGER NOT NULL DEFAULT 0,
    "pollWatermark" DATETIME,
    "pollPassStartedAt" DATETIME,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "ProviderAccount_shopId_fkey" FOREIGN KEY ("shopId") REFERENCES "Shop" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
INSERT INTO "new_ProviderAccount" ("accountFingerprint", "apiVersion", "blockedAt", "blockedMessage", "blockedReason", "createdAt", "credentialsEncrypted", "id", "lastSuccessAt", "pollPassStartedAt", "pollWatermark", "provider", "shopId", "updatedAt") SELECT "accountFingerprint", "apiVersion", "blockedAt", "blockedMessage", "blockedReason", "createdAt", "credentialsEncrypted", "id", "lastSuccessAt", "pollPassStartedAt", "pollWatermark", "provider", "shopId", "updatedAt" FROM "ProviderAccount";
DROP TABLE "ProviderAccount";
ALTER TABLE "new_ProviderAccount" RENAME TO "ProviderAccount";
CREATE INDEX "ProviderAccount_accountFingerprint_idx" ON "ProviderAccount"("accountFingerprint");
CREATE UNIQUE INDEX "ProviderAccount_shopId_provider_key" ON "ProviderAccount"("shopId", "provider");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

-- CreateIndex
CREATE INDEX "Shipment_provider_subscriptionExpiresAt_idx" ON "Shipment"("provider", "subscriptionExpiresAt");
