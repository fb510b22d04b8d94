-- CreateTable
CREATE TABLE "ShopNotificationSettings" (
    "shopId" TEXT NOT NULL PRIMARY KEY,
    "milestones" TEXT,
    "senderName" TEXT,
    "replyTo" TEXT,
    "logoUrl" TEXT,
    "accentColor" TEXT,
    "maxEventAgeHours" INTEGER NOT NULL DEFAULT 72,
    "emailsPerMinute" INTEGER NOT NULL DEFAULT 60,
    "shopifyWriteBack" BOOLEAN NOT NULL DEFAULT true,
    "staffDigestEnabled" BOOLEAN NOT NULL DEFAULT true,
    "staffEmail" TEXT,
    "lastDigestDate" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "ShopNotificationSettings_shopId_fkey" FOREIGN KEY ("shopId") REFERENCES "Shop" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "CustomerNotification" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "shopId" TEXT NOT NULL,
    "shipmentId" TEXT NOT NULL,
    "milestone" TEXT NOT NULL,
    "dedupeKey" TEXT NOT NULL,
    "state" TEXT NOT NULL DEFAULT 'queued',
    "reason" TEXT,
    "occurredAt" DATETIME NOT NULL,
    "messageId" TEXT,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "lastError" TEXT,
    "sendingStartedAt" DATETIME,
    "sentAt" DATETIME,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "CustomerNotification_shopId_fkey" FOREIGN KEY ("shopId") REFERENCES "Shop" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "CustomerNotification_shipmentId_fkey" FOREIGN KEY ("shipmentId") REFERENCES "Shipment" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "FulfillmentEventWrite" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "shopId" TEXT NOT NULL,
    "shipmentId" TEXT NOT NULL,
    "fulfillmentId" TEXT NOT NULL,
    "milestone" TEXT NOT NULL,
    "dedupeKey" TEXT NOT NULL,
    "state" TEXT NOT NULL DEFAULT 'queued',
    "reason" TEXT,
    "happenedAt" DATETIME NOT NULL,
    "shopifyEventId" TEXT,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "lastError" TEXT,
    "writtenAt" DATETIME,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "FulfillmentEventWrite_shopId_fkey" FOREIGN KEY ("shopId") REFERENCES "Shop" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "FulfillmentEventWrite_shipmentId_fkey" FOREIGN KEY ("shipmentId") REFERENCES "Shipment" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "FulfillmentEventWrite_fulfillmentId_fkey" FOREIGN KEY ("fulfillmentId") REFERENCES "Fulfillment" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "EmailSuppression" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "shopId" TEXT NOT NULL,
    "scope" TEXT NOT NULL,
    "subject" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "EmailSuppression_shopId_fkey" FOREIGN KEY ("shopId") REFERENCES "Shop" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "RateLimitWindow" (
    "key" TEXT NOT NULL PRIMARY KEY,
    "windowStartMs" BIGINT NOT NULL,
    "count" INTEGER NOT NULL
);

-- CreateTable
CREATE TABLE "TransitStatistic" (
    "shopId" TEXT NOT NULL,
    "carrierCode" TEXT NOT NULL,
    "destinationCountry" TEXT NOT NULL,
    "sampleSize" INTEGER NOT NULL,
    "p10Days" REAL NOT NULL,
    "medianDays" REAL NOT NULL,
    "p90Days" REAL NOT NULL,
    "computedAt" DATETIME NOT NULL,

    PRIMARY KEY ("shopId", "carrierCode", "destinationCountry"),
    CONSTRAINT "TransitStatistic_shopId_fkey" FOREIGN KEY ("shopId") REFERENCES "Shop" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateIndex
CREATE INDEX "CustomerNotification_shopId_state_createdAt_idx" ON "CustomerNotification"("shopId", "state", "createdAt");

-- CreateIndex
CREATE UNIQUE INDEX "CustomerNotification_shipmentId_dedupeKey_key" ON "CustomerNotification"("shipmentId", "dedupeKey");

-- CreateIndex
CREATE INDEX "FulfillmentEventWrite_shipmentId_idx" ON "FulfillmentEventWrite"("shipmentId");

-- CreateIndex
CREATE UNIQUE INDEX "FulfillmentEventWrite_fulfillmentId_dedupeKey_key" ON "FulfillmentEventWrite"("fulfillmentId", "dedupeKey");

-- CreateIndex
CREATE UNIQUE INDEX "EmailSuppression_shopId_scope_subject_key" ON "EmailSuppression"("shopId", "scope", "subject");
