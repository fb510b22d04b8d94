import { z } from "zod";
import { isActiveFulfillment, type FulfillmentLineItem, type FulfillmentSnapshot, type OrderCustomer } from "~/domain/fulfillment";

/**
 * Shopify's two shapes of a fulfillment mapped to one snapshot: the REST payload of the
 * fulfillments/create|update webhooks, and an order line of the backfill's bulk JSONL.
 * Only fields tracking needs are read; the rest of the payload (addresses, prices) is dropped
 * here, before anything is stored.
 */

const id = z.union([z.string(), z.number()]).transform(String);
const text = z.string().nullish().transform((value) => (value && value.trim() ? value.trim() : null));

export const restFulfillmentSchema = z.looseObject({
  id,
  order_id: id,
  name: text,
  status: z.string().default("success"),
  updated_at: text,
  tracking_company: text,
  tracking_number: text,
  tracking_numbers: z.array(z.string()).nullish(),
  tracking_url: text,
  tracking_urls: z.array(z.string()).nullish(),
  email: text,
  destination: z
    .looseObject({ country_code: text, first_name: text, phone: text })
    .nullish(),
  line_items: z
    .array(z.looseObject({ id, title: z.string().default(""), quantity: z.coerce.number().default(1), variant_title: text, sku: text }))
    .nullish(),
});
export type RestFulfillment = z.infer<typeof restFulfillmentSchema>;

function orderNameOf(fulfillmentName: string | null): string | null {
  // Fulfillment names are "<order name>.<n>" ("#1002.1").
  return fulfillmentName ? fulfillmentName.replace(/\.\d+$/, "") : null;
}

function parseDate(value: string | null | undefined): Date | null {
  if (!value) return null;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? null : date;
}

export function snapshotFromWebhook(payload: RestFulfillment): FulfillmentSnapshot {
  const numbers = payload.tracking_numbers?.length ? payload.tracking_numbers : payload.tracking_number ? [payload.tracking_number] : [];
  const urls = payload.tracking_urls?.length ? payload.tracking_urls : payload.tracking_url ? [payload.tracking_url] : [];
  const customer: OrderCustomer | null =
    payload.email || payload.destination
      ? {
          email: payload.email,
          phone: payload.destination?.phone ?? null,
          firstName: payload.destination?.first_name ?? null,
          shopifyCustomerId: null,
          locale: null,
        }
      : null;
  return {
    shopifyFulfillmentId: payload.id,
    shopifyOrderId: payload.order_id,
    orderName: orderNameOf(payload.name),
    fulfillmentName: payload.name,
    status: payload.status.toLowerCase(),
    updatedAt: parseDate(payload.updated_at),
    tracking: numbers.map((number, index) => ({ number, company: payload.tracking_company, url: urls[index] ?? null })),
    lineItems:
      payload.line_items?.map((item) => ({
        id: item.id,
        title: item.title,
        quantity: item.quantity,
        variantTitle: item.variant_title,
        sku: item.sku,
      })) ?? null,
    customer,
    destinationCountry: payload.destination?.country_code?.toUpperCase() ?? null,
  };
}

/** "gid://shopify/LineItem/123" → "123", the id webhooks use. */
export const gidNumber = (gid: string) => gid.replace(/^gid:\/\/shopify\/\w+\//, "");

export const bulkOrderLineSchema = z.looseObject({
  id: z.string(),
  legacyResourceId: id.nullish(),
  name: text,
  email: text,
  phone: text,
  customer: z.looseObject({ id: z.string(), firstName: text, locale: text }).nullish(),
  shippingAddress: z.looseObject({ countryCodeV2: text }).nullish(),
  fulfillments: z
    .array(
      z.looseObject({
        id: z.string(),
        legacyResourceId: id.nullish(),
        status: z.string(),
        updatedAt: text,
        trackingInfo: z.array(z.looseObject({ number: text, company: text, url: text })).nullish(),
      }),
    )
    .nullish(),
});

/** A line item of the backfill JSONL: its own line after its order's (a connection cannot be inline). */
export const bulkLineItemSchema = z.looseObject({
  id: z.string().startsWith("gid://shopify/LineItem/"),
  title: z.string().default(""),
  variantTitle: text,
  sku: text,
  quantity: z.number(),
  unfulfilledQuantity: z.number().default(0),
  image: z.looseObject({ url: z.string() }).nullish(),
  __parentId: z.string(),
});

/** Lines that belong to the order line before them (its line items). */
export function isBulkChildLine(line: unknown): boolean {
  return typeof line === "object" && line !== null && typeof (line as { __parentId?: unknown }).__parentId === "string";
}

/**
 * The order's shipped line items, when they can be told apart per fulfillment: Shopify's bulk
 * queries refuse a connection inside the `fulfillments` list, so the items come from the order,
 * and only an order with a single active fulfillment says which items that fulfillment holds.
 */
function lineItemsOfOnlyFulfillment(children: readonly unknown[], orderId: string): FulfillmentLineItem[] | null {
  if (children.length === 0) return null;
  return children.flatMap((child) => {
    const parsed = bulkLineItemSchema.safeParse(child);
    if (!parsed.success || parsed.data.__parentId !== orderId) return [];
    const item = parsed.data;
    const shipped = item.quantity - item.unfulfilledQuantity;
    if (shipped <= 0) return [];
    return [{ id: gidNumber(item.id), title: item.title, quantity: shipped, variantTitle: item.variantTitle, sku: item.sku, imageUrl: item.image?.url ?? null }];
  });
}

/**
 * One order line of the backfill JSONL (with the line-item lines that follow it) becomes one
 * snapshot per fulfillment. Lines of other shapes are skipped.
 */
export function snapshotsFromBulkLine(line: unknown, children: readonly unknown[] = []): FulfillmentSnapshot[] {
  const parsed = bulkOrderLineSchema.safeParse(line);
  if (!parsed.success || !parsed.data.id.startsWith("gid://shopify/Order/")) return [];
  const order = parsed.data;
  const active = (order.fulfillments ?? []).filter((fulfillment) => isActiveFulfillment(fulfillment.status));
  const onlyActive = active.length === 1 ? active[0] : undefined;
  const itemsOfOnlyActive = onlyActive ? lineItemsOfOnlyFulfillment(children, order.id) : null;
  const customer: OrderCustomer = {
    email: order.email,
    phone: order.phone,
    firstName: order.customer?.firstName ?? null,
    shopifyCustomerId: order.customer ? gidNumber(order.customer.id) : null,
    locale: order.customer?.locale ?? null,
  };
  return (order.fulfillments ?? []).map((fulfillment) => ({
    shopifyFulfillmentId: fulfillment.legacyResourceId ?? gidNumber(fulfillment.id),
    shopifyOrderId: order.legacyResourceId ?? gidNumber(order.id),
    orderName: order.name,
    fulfillmentName: null,
    status: fulfillment.status.toLowerCase(),
    updatedAt: parseDate(fulfillment.updatedAt),
    tracking: (fulfillment.trackingInfo ?? [])
      .filter((info) => info.number)
      .map((info) => ({ number: info.number!, company: info.company, url: info.url })),
    lineItems: fulfillment === onlyActive ? itemsOfOnlyActive : null,
    customer,
    destinationCountry: order.shippingAddress?.countryCodeV2?.toUpperCase() ?? null,
  }));
}
