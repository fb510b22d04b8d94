-- CreateTable
CREATE TABLE "ShopNotificationSettings" (
    "shopId" TEXT NOT NULL,
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
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "ShopNotificationSettings_pkey" PRIMARY KEY ("shopId")
);

-- CreateTable
CREATE TABLE "CustomerNotification" (
    "id" TEXT NOT NULL,
    "shopId" TEXT NOT NULL,
    "shipmentId" TEXT NOT NULL,
    "milestone" TEXT NOT NULL,
    "dedupeKey" TEXT NOT NULL,
    "state" TEXT NOT NULL DEFAULT 'queued',
    "reason" TEXT,
    "occurredAt" TIMESTAMP(3) NOT NULL,
    "messageId" TEXT,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "lastError" TEXT,
    "sendingStartedAt" TIMESTAMP(3),
    "sentAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "CustomerNotification_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "FulfillmentEventWrite" (
    "id" TEXT NOT NULL,
    "shopId" TEXT NOT NULL,
    "shipmentId" TEXT NOT NULL,
    "fulfillmentId" TEXT NOT NULL,
    "milestone" TEXT NOT NULL,
    "dedupeKey" TEXT NOT NULL,
    "state" TEXT NOT NULL DEFAULT 'queued',
    "reason" TEXT,
    "happenedAt" TIMESTAMP(3) NOT NULL,
    "shopifyEventId" TEXT,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "lastError" TEXT,
    "writtenAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "FulfillmentEventWrite_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "EmailSuppression" (
    "id" TEXT NOT NULL,
    "shopId" TEXT NOT NULL,
    "scope" TEXT NOT NULL,
    "subject" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "EmailSuppression_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "RateLimitWindow" (
    "key" TEXT NOT NULL,
    "windowStartMs" BIGINT NOT NULL,
    "count" INTEGER NOT NULL,

    CONSTRAINT "RateLimitWindow_pkey" PRIMARY KEY ("key")
);

-- CreateTable
CREATE TABLE "TransitStatistic" (
    "shopId" TEXT NOT NULL,
    "carrierCode" TEXT NOT NULL,
    "destinationCountry" TEXT NOT NULL,
    "sampleSize" INTEGER NOT NULL,
    "p10Days" DOUBLE PRECISION NOT NULL,
    "medianDays" DOUBLE PRECISION NOT NULL,
    "p90Days" DOUBLE PRECISION NOT NULL,
    "computedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "TransitStatistic_pkey" PRIMARY KEY ("shopId","carrierCode","destinationCountry")
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

-- AddForeignKey
ALTER TABLE "ShopNotificationSettings" ADD CONSTRAINT "ShopNotificationSettings_shopId_fkey" FOREIGN KEY ("shopId") REFERENCES "Shop"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "CustomerNotification" ADD CONSTRAINT "CustomerNotification_shopId_fkey" FOREIGN KEY ("shopId") REFERENCES "Shop"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "CustomerNotification" ADD CONSTRAINT "CustomerNotification_shipmentId_fkey" FOREIGN KEY ("shipmentId") REFERENCES "Shipment"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "FulfillmentEventWrite" ADD CONSTRAINT "FulfillmentEventWrite_shopId_fkey" FOREIGN KEY ("shopId") REFERENCES "Shop"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "FulfillmentEventWrite" ADD CONSTRAINT "FulfillmentEventWrite_shipmentId_fkey" FOREIGN KEY ("shipmentId") REFERENCES "Shipment"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "FulfillmentEventWrite" ADD CONSTRAINT "FulfillmentEventWrite_fulfillmentId_fkey" FOREIGN KEY ("fulfillmentId") REFERENCES "Fulfillment"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "EmailSuppression" ADD CONSTRAINT "EmailSuppression_shopId_fkey" FOREIGN KEY ("shopId") REFERENCES "Shop"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "TransitStatistic" ADD CONSTRAINT "TransitStatistic_shopId_fkey" FOREIGN KEY ("shopId") REFERENCES "Shop"("id") ON DELETE CASCADE ON UPDATE CASCADE;
