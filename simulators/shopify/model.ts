import { nextUpdatedAt, toDate } from "./time";

/**
 * The simulator's in-memory shop data. Records hold references (order ↔ fulfillment ↔ line item)
 * so resolvers never search; everything public is a detached snapshot built from them.
 */

export type FulfillmentRestStatus = "success" | "cancelled" | "pending" | "open" | "error" | "failure";
export const FULFILLMENT_REST_STATUSES: readonly FulfillmentRestStatus[] = ["success", "cancelled", "pending", "open", "error", "failure"];

export interface RateLimitConfig {
  /** Bucket size in cost points; 1000 on a standard plan in the brief's model. */
  maximumAvailable: number;
  /** Points restored per second. */
  restoreRate: number;
}

export interface ShopRecord {
  kind: "Shop";
  legacyId: number;
  domain: string;
  accessToken: string;
  /** Set by an uninstall: Shopify revokes the token, so every Admin call answers 401 afterwards. */
  tokenRevoked: boolean;
  name: string;
  email: string;
  ianaTimezone: string;
  currencyCode: string;
  /** Without `read_all_orders` Shopify only exposes the last 60 days of orders. */
  readAllOrders: boolean;
  rateLimit: RateLimitConfig;
  accessScopes: ReadonlySet<string>;
  bucket: { available: number; atMs: number };
  nextOrderNumber: number;
  orders: OrderRecord[];
  ordersById: Map<number, OrderRecord>;
  fulfillmentsById: Map<number, FulfillmentRecord>;
  lineItemsById: Map<number, LineItemRecord>;
  customersById: Map<number, CustomerRecord>;
  productsById: Map<number, ProductRecord>;
  variantsById: Map<number, VariantRecord>;
  variantsBySku: Map<string, VariantRecord>;
  events: FulfillmentEventRecord[];
  eventsById: Map<number, FulfillmentEventRecord>;
  bulkOperations: import("./bulk").BulkOperationRecord[];
  createdAt: Date;
}

export interface CustomerRecord {
  kind: "Customer";
  legacyId: number;
  firstName: string | null;
  lastName: string | null;
  email: string | null;
  phone: string | null;
  locale: string;
  createdAt: Date;
}

export interface AddressRecord {
  kind: "MailingAddress";
  legacyId: number;
  firstName: string | null;
  lastName: string | null;
  company: string | null;
  address1: string | null;
  address2: string | null;
  city: string | null;
  province: string | null;
  provinceCode: string | null;
  zip: string | null;
  country: string | null;
  countryCode: string | null;
  phone: string | null;
  latitude: number | null;
  longitude: number | null;
}

export interface ProductRecord {
  kind: "Product";
  legacyId: number;
  title: string;
  handle: string;
  vendor: string;
}

export interface VariantRecord {
  kind: "ProductVariant";
  legacyId: number;
  title: string;
  sku: string | null;
  product: ProductRecord;
}

export interface LineItemRecord {
  kind: "LineItem";
  legacyId: number;
  order: OrderRecord;
  title: string;
  variantTitle: string | null;
  quantity: number;
  sku: string | null;
  vendor: string | null;
  price: string;
  grams: number;
  requiresShipping: boolean;
  image: { url: string; altText: string | null } | null;
  variant: VariantRecord | null;
  product: ProductRecord | null;
}

export interface FulfillmentLineItemRecord {
  kind: "FulfillmentLineItem";
  legacyId: number;
  lineItem: LineItemRecord;
  quantity: number;
}

export interface FulfillmentRecord {
  kind: "Fulfillment";
  legacyId: number;
  order: OrderRecord;
  /** 1-based position on the order: the `.1` in `#1001.1`. */
  index: number;
  status: FulfillmentRestStatus;
  createdAt: Date;
  updatedAt: Date;
  trackingCompany: string | null;
  trackingNumbers: string[];
  trackingUrls: string[];
  lineItems: FulfillmentLineItemRecord[];
  locationId: number;
  events: FulfillmentEventRecord[];
}

export interface FulfillmentEventRecord {
  kind: "FulfillmentEvent";
  legacyId: number;
  fulfillment: FulfillmentRecord;
  status: string;
  message: string | null;
  /** As sent by the app (null when omitted); GraphQL falls back to createdAt because the field is non-null there. */
  happenedAt: Date | null;
  estimatedDeliveryAt: Date | null;
  address1: string | null;
  city: string | null;
  province: string | null;
  country: string | null;
  zip: string | null;
  latitude: number | null;
  longitude: number | null;
  createdAt: Date;
  apiVersion: string;
}

export interface OrderRecord {
  kind: "Order";
  legacyId: number;
  shop: ShopRecord;
  number: number;
  name: string;
  email: string | null;
  phone: string | null;
  note: string | null;
  tags: string[];
  test: boolean;
  createdAt: Date;
  updatedAt: Date;
  processedAt: Date;
  cancelledAt: Date | null;
  cancelReason: string | null;
  closedAt: Date | null;
  financialStatus: string;
  currencyCode: string;
  customerLocale: string | null;
  customer: CustomerRecord | null;
  shippingAddress: AddressRecord | null;
  billingAddress: AddressRecord | null;
  lineItems: LineItemRecord[];
  fulfillments: FulfillmentRecord[];
}

// ---------------------------------------------------------------------------------------------
// Public input / snapshot shapes

export interface SimShopInput {
  domain: string;
  accessToken: string;
  name?: string;
  email?: string;
  ianaTimezone?: string;
  currencyCode?: string;
  /** Default true. False reproduces Shopify hiding orders older than 60 days without `read_all_orders`. */
  readAllOrders?: boolean;
  /** Default { maximumAvailable: 1000, restoreRate: 50 }. */
  rateLimit?: Partial<RateLimitConfig>;
  /** Scopes the app was granted; default the app's own (read_orders, read_fulfillments, write_fulfillments). */
  accessScopes?: string[];
}

export interface SimAddressInput {
  firstName?: string | null;
  lastName?: string | null;
  company?: string | null;
  address1?: string | null;
  address2?: string | null;
  city?: string | null;
  province?: string | null;
  provinceCode?: string | null;
  zip?: string | null;
  country?: string | null;
  countryCode?: string | null;
  phone?: string | null;
  latitude?: number | null;
  longitude?: number | null;
}

export interface SimLineItemInput {
  title?: string;
  quantity?: number;
  sku?: string | null;
  variantTitle?: string | null;
  vendor?: string | null;
  price?: string;
  grams?: number;
  requiresShipping?: boolean;
  imageUrl?: string | null;
  imageAltText?: string | null;
  productTitle?: string;
}

export interface SimFulfillmentInput {
  trackingCompany?: string | null;
  trackingNumbers?: string[];
  trackingUrls?: string[];
  /** `lineItemId` is the numeric id or the gid. Default: everything not yet fulfilled. */
  lineItems?: Array<{ lineItemId: string | number; quantity: number }>;
  status?: FulfillmentRestStatus;
  createdAt?: Date | string;
}

export type SimFulfillmentPatch = Omit<SimFulfillmentInput, "lineItems"> & { updatedAt?: Date | string };

export interface SimOrderInput {
  name?: string;
  number?: number;
  email?: string | null;
  phone?: string | null;
  note?: string | null;
  tags?: string[];
  test?: boolean;
  createdAt?: Date | string;
  updatedAt?: Date | string;
  processedAt?: Date | string;
  cancelledAt?: Date | string | null;
  cancelReason?: string | null;
  closedAt?: Date | string | null;
  financialStatus?: "AUTHORIZED" | "EXPIRED" | "PAID" | "PARTIALLY_PAID" | "PARTIALLY_REFUNDED" | "PENDING" | "REFUNDED" | "VOIDED";
  customerLocale?: string | null;
  customer?: { firstName?: string | null; lastName?: string | null; email?: string | null; phone?: string | null; locale?: string } | null;
  shippingAddress?: SimAddressInput | null;
  billingAddress?: SimAddressInput | null;
  lineItems?: SimLineItemInput[];
  /** Created silently with the order (no webhooks), e.g. for backfill fixtures. */
  fulfillments?: SimFulfillmentInput[];
}

export interface SimOrder {
  id: number;
  gid: string;
  name: string;
  number: number;
  email: string | null;
  phone: string | null;
  createdAt: string;
  updatedAt: string;
  processedAt: string;
  cancelledAt: string | null;
  closedAt: string | null;
  displayFulfillmentStatus: string;
  customer: {
    id: number;
    gid: string;
    firstName: string | null;
    lastName: string | null;
    email: string | null;
    phone: string | null;
    locale: string;
  } | null;
  shippingAddress: {
    firstName: string | null;
    lastName: string | null;
    address1: string | null;
    city: string | null;
    province: string | null;
    zip: string | null;
    country: string | null;
    countryCode: string | null;
    phone: string | null;
  } | null;
  lineItems: Array<{
    id: number;
    gid: string;
    title: string;
    quantity: number;
    sku: string | null;
    variantTitle: string | null;
    image: { url: string; altText: string | null } | null;
    productId: number | null;
    variantId: number | null;
  }>;
  fulfillments: Array<{ id: number; gid: string; name: string; status: FulfillmentRestStatus; trackingNumbers: string[] }>;
}

// ---------------------------------------------------------------------------------------------

export function gid(type: string, legacyId: number | string): string {
  return `gid://shopify/${type}/${legacyId}`;
}

/** Parses `gid://shopify/Type/123` (query strings such as `?session=` are tolerated as Shopify does). */
export function parseGid(value: string): { type: string; id: number } | null {
  const m = /^gid:\/\/shopify\/([A-Za-z]+)\/(\d+)(?:\?.*)?$/.exec(value);
  if (!m) return null;
  const id = Number(m[2]);
  return Number.isSafeInteger(id) ? { type: m[1]!, id } : null;
}

/** Accepts a numeric id, its string, or a gid of the expected type. */
export function legacyIdOf(value: string | number, type: string): number | null {
  if (typeof value === "number") return Number.isSafeInteger(value) ? value : null;
  if (/^\d+$/.test(value)) return Number(value);
  const parsed = parseGid(value);
  return parsed && parsed.type === type ? parsed.id : null;
}

/**
 * Ids look like Shopify's (13-14 digit, below 2^53) and come from per-type sequences so a test
 * run is reproducible; the ranges never overlap so an id of the wrong type never resolves.
 */
export class IdAllocator {
  private readonly next = new Map<string, number>();
  private static readonly BASES: Record<string, number> = {
    Shop: 60_000_000_001,
    Order: 6_100_000_000_001,
    LineItem: 14_200_000_000_001,
    Customer: 7_300_000_000_001,
    MailingAddress: 8_400_000_000_001,
    Product: 9_500_000_000_001,
    ProductVariant: 45_600_000_000_001,
    Fulfillment: 5_500_000_000_001,
    FulfillmentLineItem: 11_700_000_000_001,
    FulfillmentEvent: 4_800_000_000_001,
    BulkOperation: 3_900_000_000_001,
    Location: 91_390_607_708,
  };

  take(type: string): number {
    const value = this.next.get(type) ?? IdAllocator.BASES[type] ?? 1_000_000_000_001;
    this.next.set(type, value + 1);
    return value;
  }
}

const FIRST_NAMES = ["Ava", "Noah", "Mia", "Liam", "Zoe", "Ethan", "Lena", "Omar", "Sofia", "Kenji", "Amara", "Lucas"];
const LAST_NAMES = ["Martin", "Nguyen", "Okafor", "Schmidt", "Rossi", "Tanaka", "Dubois", "Silva", "Kowalski", "Haddad"];

export interface ModelContext {
  ids: IdAllocator;
  now(): Date;
  /** The location fulfillments are created at; Shopify always attaches one. */
  locationId: number;
}

function opt<T>(value: T | undefined, fallback: T): T {
  return value === undefined ? fallback : value;
}

function makeAddress(ctx: ModelContext, input: SimAddressInput, fallback: SimAddressInput): AddressRecord {
  const v = { ...fallback, ...input };
  return {
    kind: "MailingAddress",
    legacyId: ctx.ids.take("MailingAddress"),
    firstName: v.firstName ?? null,
    lastName: v.lastName ?? null,
    company: v.company ?? null,
    address1: v.address1 ?? null,
    address2: v.address2 ?? null,
    city: v.city ?? null,
    province: v.province ?? null,
    provinceCode: v.provinceCode ?? null,
    zip: v.zip ?? null,
    country: v.country ?? (v.countryCode ? countryName(v.countryCode) : null),
    countryCode: v.countryCode ?? null,
    phone: v.phone ?? null,
    latitude: v.latitude ?? null,
    longitude: v.longitude ?? null,
  };
}

const regionNames = new Intl.DisplayNames(["en"], { type: "region", fallback: "code" });
export function countryName(code: string): string {
  return regionNames.of(code.toUpperCase()) ?? code;
}

function variantFor(ctx: ModelContext, shop: ShopRecord, li: SimLineItemInput, title: string): VariantRecord | null {
  const sku = li.sku ?? null;
  if (sku && shop.variantsBySku.has(sku)) return shop.variantsBySku.get(sku)!;
  const product: ProductRecord = {
    kind: "Product",
    legacyId: ctx.ids.take("Product"),
    title: li.productTitle ?? title,
    handle: (li.productTitle ?? title).toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, ""),
    vendor: li.vendor ?? shop.name,
  };
  const variant: VariantRecord = {
    kind: "ProductVariant",
    legacyId: ctx.ids.take("ProductVariant"),
    title: li.variantTitle ?? "Default Title",
    sku,
    product,
  };
  shop.productsById.set(product.legacyId, product);
  shop.variantsById.set(variant.legacyId, variant);
  if (sku) shop.variantsBySku.set(sku, variant);
  return variant;
}

export function createOrderRecord(ctx: ModelContext, shop: ShopRecord, input: SimOrderInput): OrderRecord {
  const now = ctx.now();
  const number = input.number ?? shop.nextOrderNumber;
  shop.nextOrderNumber = Math.max(shop.nextOrderNumber, number + 1);
  const seq = number - 1000;
  const first = FIRST_NAMES[Math.abs(seq) % FIRST_NAMES.length]!;
  const last = LAST_NAMES[Math.abs(seq * 7) % LAST_NAMES.length]!;
  const createdAt = input.createdAt !== undefined ? toDate(input.createdAt, "createdAt") : now;

  let customer: CustomerRecord | null = null;
  if (input.customer !== null) {
    const c = input.customer ?? {};
    customer = {
      kind: "Customer",
      legacyId: ctx.ids.take("Customer"),
      firstName: opt(c.firstName, first),
      lastName: opt(c.lastName, last),
      email: opt(c.email, input.email !== undefined ? input.email : `${first}.${last}.${number}@example.com`.toLowerCase()),
      phone: opt(c.phone, null),
      locale: c.locale ?? "en",
      createdAt,
    };
    shop.customersById.set(customer.legacyId, customer);
  }
  const email = input.email !== undefined ? input.email : (customer?.email ?? null);
  const addressFallback: SimAddressInput = {
    firstName: customer?.firstName ?? first,
    lastName: customer?.lastName ?? last,
    address1: "350 Fifth Avenue",
    city: "New York",
    province: "New York",
    provinceCode: "NY",
    zip: "10118",
    countryCode: "US",
    phone: customer?.phone ?? null,
  };

  const order: OrderRecord = {
    kind: "Order",
    legacyId: ctx.ids.take("Order"),
    shop,
    number,
    name: input.name ?? `#${number}`,
    email,
    phone: input.phone !== undefined ? input.phone : (customer?.phone ?? null),
    note: input.note ?? null,
    tags: input.tags ?? [],
    test: input.test ?? false,
    createdAt,
    updatedAt: input.updatedAt !== undefined ? toDate(input.updatedAt, "updatedAt") : createdAt,
    processedAt: input.processedAt !== undefined ? toDate(input.processedAt, "processedAt") : createdAt,
    cancelledAt: input.cancelledAt ? toDate(input.cancelledAt, "cancelledAt") : null,
    cancelReason: input.cancelReason ?? (input.cancelledAt ? "CUSTOMER" : null),
    closedAt: input.closedAt ? toDate(input.closedAt, "closedAt") : null,
    financialStatus: input.financialStatus ?? "PAID",
    currencyCode: shop.currencyCode,
    customerLocale: input.customerLocale !== undefined ? input.customerLocale : (customer?.locale ?? "en"),
    customer,
    shippingAddress: input.shippingAddress === null ? null : makeAddress(ctx, input.shippingAddress ?? {}, addressFallback),
    billingAddress: input.billingAddress === null ? null : makeAddress(ctx, input.billingAddress ?? input.shippingAddress ?? {}, addressFallback),
    lineItems: [],
    fulfillments: [],
  };
  const items = input.lineItems ?? [{}];
  items.forEach((li, i) => {
    const title = li.title ?? (i === 0 ? "Organic Cotton T-Shirt" : `Product ${i + 1}`);
    const variant = variantFor(ctx, shop, li, title);
    const record: LineItemRecord = {
      kind: "LineItem",
      legacyId: ctx.ids.take("LineItem"),
      order,
      title,
      variantTitle: li.variantTitle !== undefined ? li.variantTitle : i === 0 ? "M / Black" : null,
      quantity: li.quantity ?? 1,
      sku: li.sku !== undefined ? li.sku : `SKU-${1000 + i}`,
      vendor: li.vendor ?? shop.name,
      price: li.price ?? "25.00",
      grams: li.grams ?? 200,
      requiresShipping: li.requiresShipping ?? true,
      image:
        li.imageUrl === null
          ? null
          : { url: li.imageUrl ?? `https://cdn.shopify.com/s/files/1/0000/0001/files/product-${i + 1}.png`, altText: li.imageAltText ?? null },
      variant,
      product: variant?.product ?? null,
    };
    order.lineItems.push(record);
    shop.lineItemsById.set(record.legacyId, record);
  });
  shop.orders.push(order);
  shop.ordersById.set(order.legacyId, order);
  for (const f of input.fulfillments ?? []) {
    const fulfillment = createFulfillmentRecord(ctx, order, {
      ...f,
      // A seeded fulfillment belongs to the order's history, not to "now", so updated_at filters stay meaningful.
      createdAt: f.createdAt ?? new Date(createdAt.getTime() + 3_600_000),
    });
    if (input.updatedAt === undefined && fulfillment.createdAt > order.updatedAt) order.updatedAt = fulfillment.createdAt;
  }
  return order;
}

/** Per line item, how many units live fulfillments already cover. */
export function fulfilledQuantities(order: OrderRecord): Map<LineItemRecord, number> {
  const out = new Map<LineItemRecord, number>();
  for (const f of order.fulfillments) {
    if (!countsAsFulfilled(f.status)) continue;
    for (const fli of f.lineItems) out.set(fli.lineItem, (out.get(fli.lineItem) ?? 0) + fli.quantity);
  }
  return out;
}

function countsAsFulfilled(status: FulfillmentRestStatus): boolean {
  return status === "success" || status === "open" || status === "pending";
}

export function displayFulfillmentStatus(order: OrderRecord): "FULFILLED" | "PARTIALLY_FULFILLED" | "UNFULFILLED" {
  const done = fulfilledQuantities(order);
  let total = 0;
  let fulfilled = 0;
  for (const li of order.lineItems) {
    if (!li.requiresShipping) continue;
    total += li.quantity;
    fulfilled += Math.min(li.quantity, done.get(li) ?? 0);
  }
  if (fulfilled === 0) return "UNFULFILLED";
  return fulfilled >= total ? "FULFILLED" : "PARTIALLY_FULFILLED";
}

/**
 * Shopify fills in the tracking URL itself for carriers it knows (the company name must match,
 * capitalisation included). Only a handful are reproduced; any other name gets no URL. [U]
 */
const KNOWN_TRACKING_URLS: Record<string, (n: string) => string> = {
  UPS: (n) => `https://www.ups.com/WebTracking?loc=en_US&requester=ST&trackNums=${n}`,
  USPS: (n) => `https://tools.usps.com/go/TrackConfirmAction?qtc_tLabels1=${n}`,
  FedEx: (n) => `https://www.fedex.com/fedextrack/?trknbr=${n}`,
  "DHL Express": (n) => `https://www.dhl.com/en/express/tracking.html?AWB=${n}&brand=DHL`,
  "Canada Post": (n) => `https://www.canadapost-postescanada.ca/track-reperage/en#/search?searchFor=${n}`,
  "Royal Mail": (n) => `https://www.royalmail.com/track-your-item#/tracking-results/${n}`,
  Evri: (n) => `https://www.evri.com/track/#/parcel/${n}`,
  Hermes: (n) => `https://www.evri.com/track/#/parcel/${n}`,
};

export function trackingUrlsFor(company: string | null, numbers: string[], explicit: string[] | undefined): string[] {
  if (explicit !== undefined) return [...explicit];
  const make = company ? KNOWN_TRACKING_URLS[company] : undefined;
  return make ? numbers.map((n) => make(encodeURIComponent(n))) : [];
}

function assertStatus(status: string): asserts status is FulfillmentRestStatus {
  if (!FULFILLMENT_REST_STATUSES.includes(status as FulfillmentRestStatus)) {
    throw new Error(`unknown fulfillment status ${status}; expected one of ${FULFILLMENT_REST_STATUSES.join(", ")}`);
  }
}

export function createFulfillmentRecord(ctx: ModelContext, order: OrderRecord, input: SimFulfillmentInput): FulfillmentRecord {
  const shop = order.shop;
  const status = input.status ?? "success";
  assertStatus(status);
  const createdAt = input.createdAt !== undefined ? toDate(input.createdAt, "createdAt") : ctx.now();
  const done = fulfilledQuantities(order);
  const lines: FulfillmentLineItemRecord[] = [];
  if (input.lineItems) {
    for (const { lineItemId, quantity } of input.lineItems) {
      const id = legacyIdOf(lineItemId, "LineItem");
      const li = id === null ? undefined : shop.lineItemsById.get(id);
      if (!li || li.order !== order) throw new Error(`line item ${String(lineItemId)} is not on order ${order.name}`);
      const remaining = li.quantity - (done.get(li) ?? 0);
      if (!Number.isInteger(quantity) || quantity < 1 || quantity > remaining) {
        throw new Error(`cannot fulfill ${quantity} of line item ${li.legacyId}: ${remaining} unfulfilled`);
      }
      lines.push({ kind: "FulfillmentLineItem", legacyId: ctx.ids.take("FulfillmentLineItem"), lineItem: li, quantity });
    }
  } else {
    for (const li of order.lineItems) {
      const remaining = li.quantity - (done.get(li) ?? 0);
      if (remaining > 0 && li.requiresShipping) {
        lines.push({ kind: "FulfillmentLineItem", legacyId: ctx.ids.take("FulfillmentLineItem"), lineItem: li, quantity: remaining });
      }
    }
  }
  if (lines.length === 0) throw new Error(`order ${order.name} has nothing left to fulfill`);
  const numbers = [...(input.trackingNumbers ?? [])];
  const company = input.trackingCompany ?? null;
  const fulfillment: FulfillmentRecord = {
    kind: "Fulfillment",
    legacyId: ctx.ids.take("Fulfillment"),
    order,
    index: order.fulfillments.length + 1,
    status,
    createdAt,
    updatedAt: createdAt,
    trackingCompany: company,
    trackingNumbers: numbers,
    trackingUrls: trackingUrlsFor(company, numbers, input.trackingUrls),
    lineItems: lines,
    locationId: ctx.locationId,
    events: [],
  };
  order.fulfillments.push(fulfillment);
  shop.fulfillmentsById.set(fulfillment.legacyId, fulfillment);
  order.updatedAt = nextUpdatedAt(order.updatedAt, createdAt);
  return fulfillment;
}

export function updateFulfillmentRecord(ctx: ModelContext, f: FulfillmentRecord, patch: SimFulfillmentPatch): void {
  const now = patch.updatedAt !== undefined ? toDate(patch.updatedAt, "updatedAt") : ctx.now();
  if (patch.status !== undefined) {
    assertStatus(patch.status);
    f.status = patch.status;
  }
  const trackingChanged = patch.trackingCompany !== undefined || patch.trackingNumbers !== undefined;
  if (patch.trackingCompany !== undefined) f.trackingCompany = patch.trackingCompany;
  if (patch.trackingNumbers !== undefined) f.trackingNumbers = [...patch.trackingNumbers];
  if (patch.trackingUrls !== undefined || trackingChanged) {
    f.trackingUrls = trackingUrlsFor(f.trackingCompany, f.trackingNumbers, patch.trackingUrls);
  }
  f.updatedAt = nextUpdatedAt(f.updatedAt, now);
  f.order.updatedAt = nextUpdatedAt(f.order.updatedAt, now);
}

/** The event that drives display status: latest by happenedAt (creation order breaks ties). */
export function latestEvent(f: FulfillmentRecord): FulfillmentEventRecord | null {
  let best: FulfillmentEventRecord | null = null;
  for (const e of f.events) {
    if (!best || (e.happenedAt ?? e.createdAt).getTime() >= (best.happenedAt ?? best.createdAt).getTime()) best = e;
  }
  return best;
}

export function snapshotOrder(order: OrderRecord): SimOrder {
  return {
    id: order.legacyId,
    gid: gid("Order", order.legacyId),
    name: order.name,
    number: order.number,
    email: order.email,
    phone: order.phone,
    createdAt: order.createdAt.toISOString(),
    updatedAt: order.updatedAt.toISOString(),
    processedAt: order.processedAt.toISOString(),
    cancelledAt: order.cancelledAt?.toISOString() ?? null,
    closedAt: order.closedAt?.toISOString() ?? null,
    displayFulfillmentStatus: displayFulfillmentStatus(order),
    customer: order.customer
      ? {
          id: order.customer.legacyId,
          gid: gid("Customer", order.customer.legacyId),
          firstName: order.customer.firstName,
          lastName: order.customer.lastName,
          email: order.customer.email,
          phone: order.customer.phone,
          locale: order.customer.locale,
        }
      : null,
    shippingAddress: order.shippingAddress
      ? {
          firstName: order.shippingAddress.firstName,
          lastName: order.shippingAddress.lastName,
          address1: order.shippingAddress.address1,
          city: order.shippingAddress.city,
          province: order.shippingAddress.province,
          zip: order.shippingAddress.zip,
          country: order.shippingAddress.country,
          countryCode: order.shippingAddress.countryCode,
          phone: order.shippingAddress.phone,
        }
      : null,
    lineItems: order.lineItems.map((li) => ({
      id: li.legacyId,
      gid: gid("LineItem", li.legacyId),
      title: li.title,
      quantity: li.quantity,
      sku: li.sku,
      variantTitle: li.variantTitle,
      image: li.image ? { ...li.image } : null,
      productId: li.product?.legacyId ?? null,
      variantId: li.variant?.legacyId ?? null,
    })),
    fulfillments: order.fulfillments.map((f) => ({
      id: f.legacyId,
      gid: gid("Fulfillment", f.legacyId),
      name: `${order.name}.${f.index}`,
      status: f.status,
      trackingNumbers: [...f.trackingNumbers],
    })),
  };
}
