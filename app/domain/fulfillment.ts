import { normalizeTrackingNumber } from "./carriers/detect";

/**
 * A Shopify fulfillment as far as tracking cares, whether it came from a webhook or a backfill.
 */

export interface FulfillmentTracking {
  number: string;
  company: string | null;
  url: string | null;
}

export interface FulfillmentLineItem {
  id: string;
  title: string;
  quantity: number;
  variantTitle: string | null;
  sku: string | null;
  /**
   * The product image for the tracking page. Undefined until looked up (REST webhook payloads carry
   * none); null when Shopify has no image for the item.
   */
  imageUrl?: string | null;
}

export interface OrderCustomer {
  email: string | null;
  phone: string | null;
  firstName: string | null;
  shopifyCustomerId: string | null;
  locale: string | null;
}

export interface FulfillmentSnapshot {
  shopifyFulfillmentId: string;
  shopifyOrderId: string;
  orderName: string | null;
  fulfillmentName: string | null;
  /** Lower-case Shopify status: success, cancelled, error, failure, pending, open. */
  status: string;
  /** Shopify's updated_at: decides which of two deliveries is newer. */
  updatedAt: Date | null;
  tracking: FulfillmentTracking[];
  /** Null when the source did not include line items (keep what we have). */
  lineItems: FulfillmentLineItem[] | null;
  customer: OrderCustomer | null;
  destinationCountry: string | null;
}

/** Statuses of a fulfillment that ships nothing: its numbers must stop being tracked. */
const INACTIVE_STATUSES: ReadonlySet<string> = new Set(["cancelled", "error", "failure"]);

export function isActiveFulfillment(status: string): boolean {
  return !INACTIVE_STATUSES.has(status.toLowerCase());
}

/** The tracking numbers this fulfillment should have tracked, normalised and without duplicates. */
export function desiredTracking(snapshot: FulfillmentSnapshot): FulfillmentTracking[] {
  if (!isActiveFulfillment(snapshot.status)) return [];
  const byNumber = new Map<string, FulfillmentTracking>();
  for (const entry of snapshot.tracking) {
    const number = normalizeTrackingNumber(entry.number);
    if (number.length < 4 || byNumber.has(number)) continue;
    byNumber.set(number, { number, company: entry.company?.trim() || null, url: entry.url || null });
  }
  return [...byNumber.values()];
}

export function diffTrackingNumbers(current: readonly string[], desired: readonly string[]): { added: string[]; removed: string[] } {
  const currentSet = new Set(current);
  const desiredSet = new Set(desired);
  return {
    added: desired.filter((number) => !currentSet.has(number)),
    removed: current.filter((number) => !desiredSet.has(number)),
  };
}
