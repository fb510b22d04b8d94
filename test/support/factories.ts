import type { FulfillmentSnapshot } from "~/domain/fulfillment";
import { JOB_TYPES } from "~/jobs/job-types";
import { applyTrackingObservation } from "~/services/apply-tracking-update.server";
import { ingestFulfillment } from "~/services/ingest-fulfillment.server";
import type { ServiceContext } from "~/services/context.server";
import { connectProvider, type TrackingMoreApiVersion } from "~/services/provider-accounts.server";
import { ensureShop } from "~/services/shops.server";
import { deleteJobs } from "~/jobs/queue.server";

let sequence = 1000;

/** A fulfillment as the pipeline receives it. Numbers are carriers' own test numbers unless given. */
export function fulfillmentSnapshot(overrides: Partial<FulfillmentSnapshot> & { numbers?: string[]; company?: string | null } = {}): FulfillmentSnapshot {
  const id = String(++sequence);
  const { numbers, company, ...rest } = overrides;
  return {
    shopifyFulfillmentId: `ful-${id}`,
    shopifyOrderId: `ord-${id}`,
    orderName: `#${id}`,
    fulfillmentName: `#${id}.1`,
    status: "success",
    updatedAt: new Date("2026-11-20T10:00:00Z"),
    tracking: (numbers ?? []).map((number) => ({ number, company: company === undefined ? "UPS" : company, url: null })),
    lineItems: [{ id: `li-${id}`, title: "Linen shirt", quantity: 1, variantTitle: "M", sku: "LS-M" }],
    customer: { email: `customer${id}@example.com`, phone: null, firstName: "Ada", shopifyCustomerId: `cust-${id}`, locale: "en" },
    destinationCountry: "US",
    ...rest,
  };
}

export interface ShopFixture {
  id: string;
  domain: string;
  webhookToken: string;
}

export async function createShopWithTrackingMore(
  services: ServiceContext,
  options: { domain?: string; apiKey: string; apiVersion?: TrackingMoreApiVersion; webhookSecret?: string; accountEmail?: string },
): Promise<ShopFixture> {
  const shop = await ensureShop(services, options.domain ?? `shop-${++sequence}.myshopify.com`);
  await connectProvider(services, shop.id, {
    provider: "trackingmore",
    apiVersion: options.apiVersion ?? "v4",
    credentials: {
      apiKey: options.apiKey,
      webhookSecret: options.webhookSecret ?? "whsec-test-0123456789",
      accountEmail: options.accountEmail ?? "ops@shop.example",
    },
  });
  // connectProvider queues a registration run; tests drive registration themselves.
  await deleteJobs(services.db, { shopId: shop.id });
  return { id: shop.id, domain: shop.domain, webhookToken: shop.webhookToken };
}

/**
 * A shipped order whose parcel the carrier delivered a minute ago, applied as a push would be: its
 * "delivered" customer e-mail is recorded and its send job is the only job left. Returns the
 * e-mail row's id.
 */
export async function deliveredParcelWithQueuedEmail(services: ServiceContext, shop: ShopFixture, trackingNumber: string): Promise<string> {
  await ingestFulfillment(services, shop.domain, fulfillmentSnapshot({ numbers: [trackingNumber] }));
  await deleteJobs(services.db, { notType: JOB_TYPES.sendCustomerEmail });
  const at = new Date(Date.now() - 60_000);
  await applyTrackingObservation(services, shop.id, {
    provider: "trackingmore",
    trackingNumber,
    carrierCode: "ups",
    providerTrackingId: null,
    status: "delivered",
    substatus: "left_at_door",
    rawStatus: null,
    asOf: at,
    events: [{ occurredAt: at, zoneKnown: true, status: "delivered", substatus: "left_at_door", description: "Delivered", location: "Leeds", city: "Leeds", state: null, countryCode: "GB", postalCode: null, rawStatus: null }],
  });
  const row = await services.db.prisma.customerNotification.findFirstOrThrow({ where: { shipment: { trackingNumber }, milestone: "delivered" } });
  return row.id;
}

export { upsNumber } from "../../simulators/lib/tracking-numbers";
