-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_Shop" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "domain" TEXT NOT NULL,
    "installedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "uninstalledAt" DATETIME,
    "ianaTimezone" TEXT,
    "webhookToken" TEXT NOT NULL,
    "trackingProvider" TEXT NOT NULL DEFAULT 'trackingmore',
    "carrierProviders" TEXT,
    "pollIntervalMinutes" INTEGER NOT NULL DEFAULT 360,
    "backfillDays" INTEGER NOT NULL DEFAULT 30,
    "stuckAfterDays" INTEGER NOT NULL DEFAULT 7,
    "pendingTooLongDays" INTEGER NOT NULL DEFAULT 5,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL
);
INSERT INTO "new_Shop" ("backfillDays", "carrierProviders", "createdAt", "domain", "ianaTimezone", "id", "installedAt", "pollIntervalMinutes", "trackingProvider", "uninstalledAt", "updatedAt", "webhookToken") SELECT "backfillDays", "carrierProviders", "createdAt", "domain", "ianaTimezone", "id", "installedAt", "pollIntervalMinutes", "trackingProvider", "uninstalledAt", "updatedAt", "webhookToken" FROM "Shop";
DROP TABLE "Shop";
ALTER TABLE "new_Shop" RENAME TO "Shop";
CREATE UNIQUE INDEX "Shop_domain_key" ON "Shop"("domain");
CREATE UNIQUE INDEX "Shop_webhookToken_key" ON "Shop"("webhookToken");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;
