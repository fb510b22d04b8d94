/** Every job type, in one list so that enqueuers and the registry cannot drift apart. */
export const JOB_TYPES = {
  ingestFulfillment: "shopify.ingest-fulfillment",
  registerShipments: "shipments.register",
  applyProviderWebhook: "tracking.apply-provider-webhook",
  applyUpsEvent: "tracking.apply-ups-event",
  applyShopRouting: "shop.apply-routing",
  pollShipments: "shipments.poll",
  stopProviderTracking: "shipments.stop-provider-tracking",
  backfillShop: "shop.backfill",
  redactShop: "compliance.redact-shop",
  redactCustomer: "compliance.redact-customer",
  customerDataRequest: "compliance.customer-data-request",
  pruneJobs: "maintenance.prune-jobs",
  sendCustomerEmail: "notifications.send-customer-email",
  sendStaffDigest: "notifications.send-staff-digest",
  writeFulfillmentEvent: "shopify.write-fulfillment-event",
  refreshTransitStatistics: "shop.refresh-transit-statistics",
} as const;

export type JobType = (typeof JOB_TYPES)[keyof typeof JOB_TYPES];
