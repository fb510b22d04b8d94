-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "public";

-- CreateTable
CREATE TABLE "Session" (
    "id" TEXT NOT NULL,
    "shop" TEXT NOT NULL,
    "state" TEXT NOT NULL,
    "isOnline" BOOLEAN NOT NULL DEFAULT false,
    "scope" TEXT,
    "expires" TIMESTAMP(3),
    "accessToken" TEXT NOT NULL,
    "userId" BIGINT,
    "firstName" TEXT,
    "lastName" TEXT,
    "email" TEXT,
    "accountOwner" BOOLEAN NOT NULL DEFAULT false,
    "locale" TEXT,
    "collaborator" BOOLEAN DEFAULT false,
    "emailVerified" BOOLEAN DEFAULT false,
    "refreshToken" TEXT,
    "refreshTokenExpires" TIMESTAMP(3),

    CONSTRAINT "Session_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Shop" (
    "id" TEXT NOT NULL,
    "domain" TEXT NOT NULL,
    "installedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "uninstalledAt" TIMESTAMP(3),
    "ianaTimezone" TEXT,
    "webhookToken" TEXT NOT NULL,
    "trackingProvider" TEXT NOT NULL DEFAULT 'trackingmore',
    "pollIntervalMinutes" INTEGER NOT NULL DEFAULT 360,
    "backfillDays" INTEGER NOT NULL DEFAULT 30,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Shop_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ProviderAccount" (
    "id" TEXT NOT NULL,
    "shopId" TEXT NOT NULL,
    "provider" TEXT NOT NULL,
    "apiVersion" TEXT,
    "credentialsEncrypted" TEXT NOT NULL,
    "accountFingerprint" TEXT NOT NULL,
    "blockedReason" TEXT,
    "blockedMessage" TEXT,
    "blockedAt" TIMESTAMP(3),
    "lastSuccessAt" TIMESTAMP(3),
    "pollWatermark" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "ProviderAccount_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ProviderThrottle" (
    "key" TEXT NOT NULL,
    "nextSlotAtMs" BIGINT NOT NULL,
    "pausedUntilMs" BIGINT NOT NULL DEFAULT 0,

    CONSTRAINT "ProviderThrottle_pkey" PRIMARY KEY ("key")
);

-- CreateTable
CREATE TABLE "Order" (
    "id" TEXT NOT NULL,
    "shopId" TEXT NOT NULL,
    "shopifyOrderId" TEXT NOT NULL,
    "name" TEXT,
    "email" TEXT,
    "phone" TEXT,
    "customerFirstName" TEXT,
    "shopifyCustomerId" TEXT,
    "locale" TEXT,
    "destinationCountry" TEXT,
    "redactedAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Order_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Fulfillment" (
    "id" TEXT NOT NULL,
    "shopId" TEXT NOT NULL,
    "orderId" TEXT NOT NULL,
    "shopifyFulfillmentId" TEXT NOT NULL,
    "name" TEXT,
    "status" TEXT NOT NULL,
    "trackingCompany" TEXT,
    "lineItems" TEXT,
    "shopifyUpdatedAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Fulfillment_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Shipment" (
    "id" TEXT NOT NULL,
    "shopId" TEXT NOT NULL,
    "trackingNumber" TEXT NOT NULL,
    "carrierCode" TEXT,
    "carrierSource" TEXT,
    "trackingCompany" TEXT,
    "trackingUrl" TEXT,
    "provider" TEXT NOT NULL,
    "providerTrackingId" TEXT,
    "registrationState" TEXT NOT NULL DEFAULT 'pending',
    "registrationLeaseUntil" TIMESTAMP(3),
    "registrationClaim" TEXT,
    "registrationAttempts" INTEGER NOT NULL DEFAULT 0,
    "registrationError" TEXT,
    "registeredAt" TIMESTAMP(3),
    "stoppedAt" TIMESTAMP(3),
    "stopReason" TEXT,
    "status" TEXT NOT NULL DEFAULT 'pending',
    "substatus" TEXT,
    "rawStatus" TEXT,
    "statusAsOf" TIMESTAMP(3),
    "statusChangedAt" TIMESTAMP(3),
    "deliveredAt" TIMESTAMP(3),
    "estimatedDeliveryAt" TIMESTAMP(3),
    "estimatedDeliveryEndAt" TIMESTAMP(3),
    "lastEventAt" TIMESTAMP(3),
    "lastEventDescription" TEXT,
    "lastEventLocation" TEXT,
    "lastCheckedAt" TIMESTAMP(3),
    "destinationCountry" TEXT,
    "version" INTEGER NOT NULL DEFAULT 0,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Shipment_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ShipmentFulfillment" (
    "shipmentId" TEXT NOT NULL,
    "fulfillmentId" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ShipmentFulfillment_pkey" PRIMARY KEY ("shipmentId","fulfillmentId")
);

-- CreateTable
CREATE TABLE "TrackingEvent" (
    "id" TEXT NOT NULL,
    "shipmentId" TEXT NOT NULL,
    "identity" TEXT NOT NULL,
    "occurredAt" TIMESTAMP(3) NOT NULL,
    "zoneKnown" BOOLEAN NOT NULL DEFAULT true,
    "status" TEXT,
    "substatus" TEXT,
    "description" TEXT NOT NULL,
    "location" TEXT,
    "city" TEXT,
    "state" TEXT,
    "countryCode" TEXT,
    "postalCode" TEXT,
    "rawStatus" TEXT,
    "source" TEXT NOT NULL,
    "receivedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "TrackingEvent_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ShipmentStatusCount" (
    "shopId" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "count" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "ShipmentStatusCount_pkey" PRIMARY KEY ("shopId","status")
);

-- CreateTable
CREATE TABLE "Job" (
    "id" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "payload" TEXT NOT NULL,
    "shopId" TEXT,
    "state" TEXT NOT NULL DEFAULT 'queued',
    "dedupeKey" TEXT,
    "singletonKey" TEXT,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "maxAttempts" INTEGER NOT NULL DEFAULT 12,
    "runAtMs" BIGINT NOT NULL,
    "lockedBy" TEXT,
    "lockedUntilMs" BIGINT,
    "lastError" TEXT,
    "result" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    "finishedAt" TIMESTAMP(3),

    CONSTRAINT "Job_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "BackfillRun" (
    "id" TEXT NOT NULL,
    "shopId" TEXT NOT NULL,
    "state" TEXT NOT NULL DEFAULT 'queued',
    "sinceDate" TIMESTAMP(3) NOT NULL,
    "bulkOperationId" TEXT,
    "totalObjects" INTEGER,
    "totalBytes" INTEGER,
    "bytesRead" INTEGER NOT NULL DEFAULT 0,
    "linesProcessed" INTEGER NOT NULL DEFAULT 0,
    "ordersProcessed" INTEGER NOT NULL DEFAULT 0,
    "trackingNumbersFound" INTEGER NOT NULL DEFAULT 0,
    "error" TEXT,
    "startedAt" TIMESTAMP(3),
    "finishedAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "BackfillRun_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "CustomerDataRequest" (
    "id" TEXT NOT NULL,
    "shopId" TEXT NOT NULL,
    "shopifyRequestId" TEXT,
    "shopifyCustomerId" TEXT,
    "report" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "CustomerDataRequest_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "Session_shop_idx" ON "Session"("shop");

-- CreateIndex
CREATE UNIQUE INDEX "Shop_domain_key" ON "Shop"("domain");

-- CreateIndex
CREATE UNIQUE INDEX "Shop_webhookToken_key" ON "Shop"("webhookToken");

-- CreateIndex
CREATE INDEX "ProviderAccount_accountFingerprint_idx" ON "ProviderAccount"("accountFingerprint");

-- CreateIndex
CREATE UNIQUE INDEX "ProviderAccount_shopId_provider_key" ON "ProviderAccount"("shopId", "provider");

-- CreateIndex
CREATE INDEX "Order_shopId_shopifyCustomerId_idx" ON "Order"("shopId", "shopifyCustomerId");

-- CreateIndex
CREATE INDEX "Order_shopId_email_idx" ON "Order"("shopId", "email");

-- CreateIndex
CREATE UNIQUE INDEX "Order_shopId_shopifyOrderId_key" ON "Order"("shopId", "shopifyOrderId");

-- CreateIndex
CREATE INDEX "Fulfillment_orderId_idx" ON "Fulfillment"("orderId");

-- CreateIndex
CREATE UNIQUE INDEX "Fulfillment_shopId_shopifyFulfillmentId_key" ON "Fulfillment"("shopId", "shopifyFulfillmentId");

-- CreateIndex
CREATE INDEX "Shipment_shopId_registrationState_idx" ON "Shipment"("shopId", "registrationState");

-- CreateIndex
CREATE INDEX "Shipment_shopId_status_idx" ON "Shipment"("shopId", "status");

-- CreateIndex
CREATE INDEX "Shipment_shopId_lastCheckedAt_idx" ON "Shipment"("shopId", "lastCheckedAt");

-- CreateIndex
CREATE INDEX "Shipment_registrationClaim_idx" ON "Shipment"("registrationClaim");

-- CreateIndex
CREATE UNIQUE INDEX "Shipment_shopId_trackingNumber_key" ON "Shipment"("shopId", "trackingNumber");

-- CreateIndex
CREATE INDEX "ShipmentFulfillment_fulfillmentId_idx" ON "ShipmentFulfillment"("fulfillmentId");

-- CreateIndex
CREATE INDEX "TrackingEvent_shipmentId_occurredAt_idx" ON "TrackingEvent"("shipmentId", "occurredAt");

-- CreateIndex
CREATE UNIQUE INDEX "TrackingEvent_shipmentId_identity_key" ON "TrackingEvent"("shipmentId", "identity");

-- CreateIndex
CREATE UNIQUE INDEX "Job_dedupeKey_key" ON "Job"("dedupeKey");

-- CreateIndex
CREATE UNIQUE INDEX "Job_singletonKey_key" ON "Job"("singletonKey");

-- CreateIndex
CREATE INDEX "Job_state_runAtMs_idx" ON "Job"("state", "runAtMs");

-- CreateIndex
CREATE INDEX "Job_shopId_state_idx" ON "Job"("shopId", "state");

-- CreateIndex
CREATE INDEX "Job_state_lockedUntilMs_idx" ON "Job"("state", "lockedUntilMs");

-- CreateIndex
CREATE INDEX "BackfillRun_shopId_createdAt_idx" ON "BackfillRun"("shopId", "createdAt");

-- AddForeignKey
ALTER TABLE "ProviderAccount" ADD CONSTRAINT "ProviderAccount_shopId_fkey" FOREIGN KEY ("shopId") REFERENCES "Shop"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Order" ADD CONSTRAINT "Order_shopId_fkey" FOREIGN KEY ("shopId") REFERENCES "Shop"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Fulfillment" ADD CONSTRAINT "Fulfillment_shopId_fkey" FOREIGN KEY ("shopId") REFERENCES "Shop"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Fulfillment" ADD CONSTRAINT "Fulfillment_orderId_fkey" FOREIGN KEY ("orderId") REFERENCES "Order"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Shipment" ADD CONSTRAINT "Shipment_shopId_fkey" FOREIGN KEY ("shopId") REFERENCES "Shop"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ShipmentFulfillment" ADD CONSTRAINT "ShipmentFulfillment_shipmentId_fkey" FOREIGN KEY ("shipmentId") REFERENCES "Shipment"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ShipmentFulfillment" ADD CONSTRAINT "ShipmentFulfillment_fulfillmentId_fkey" FOREIGN KEY ("fulfillmentId") REFERENCES "Fulfillment"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "TrackingEvent" ADD CONSTRAINT "TrackingEvent_shipmentId_fkey" FOREIGN KEY ("shipmentId") REFERENCES "Shipment"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ShipmentStatusCount" ADD CONSTRAINT "ShipmentStatusCount_shopId_fkey" FOREIGN KEY ("shopId") REFERENCES "Shop"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "BackfillRun" ADD CONSTRAINT "BackfillRun_shopId_fkey" FOREIGN KEY ("shopId") REFERENCES "Shop"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "CustomerDataRequest" ADD CONSTRAINT "CustomerDataRequest_shopId_fkey" FOREIGN KEY ("shopId") REFERENCES "Shop"("id") ON DELETE CASCADE ON UPDATE CASCADE;
