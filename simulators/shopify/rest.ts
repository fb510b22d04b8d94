import {
  countryName,
  displayFulfillmentStatus,
  fulfilledQuantities,
  gid,
  latestEvent,
  type AddressRecord,
  type FulfillmentEventRecord,
  type FulfillmentRecord,
  type LineItemRecord,
  type OrderRecord,
  type ShopRecord,
} from "./model";
import { formatOffset, formatRestTime, timeZoneOffsetMinutes } from "./time";

/**
 * REST-shaped resources as Shopify puts them in webhook bodies (snake_case, numeric ids, shop-local
 * timestamps with an offset, money as strings). Field sets follow captured Shopify payloads
 * (reference E.1) and the REST Admin resource docs.
 */

export interface RestAddress {
  first_name: string | null;
  address1: string | null;
  phone: string | null;
  city: string | null;
  zip: string | null;
  province: string | null;
  country: string | null;
  last_name: string | null;
  address2: string | null;
  company: string | null;
  latitude: number | null;
  longitude: number | null;
  name: string;
  country_code: string | null;
  province_code: string | null;
}

export interface RestMoneySet {
  shop_money: { amount: string; currency_code: string };
  presentment_money: { amount: string; currency_code: string };
}

export interface RestLineItem {
  id: number;
  admin_graphql_api_id: string;
  attributed_staffs: unknown[];
  current_quantity: number;
  fulfillable_quantity: number;
  fulfillment_service: "manual";
  fulfillment_status: "fulfilled" | "partial" | null;
  gift_card: boolean;
  grams: number;
  name: string;
  price: string;
  price_set: RestMoneySet;
  product_exists: boolean;
  product_id: number | null;
  properties: unknown[];
  quantity: number;
  requires_shipping: boolean;
  sku: string | null;
  taxable: boolean;
  title: string;
  total_discount: string;
  total_discount_set: RestMoneySet;
  variant_id: number | null;
  variant_inventory_management: string | null;
  variant_title: string | null;
  vendor: string | null;
  tax_lines: unknown[];
  duties: unknown[];
  discount_allocations: unknown[];
}

export interface RestFulfillment {
  id: number;
  admin_graphql_api_id: string;
  created_at: string;
  location_id: number;
  name: string;
  order_id: number;
  origin_address: Record<string, never>;
  receipt: Record<string, never>;
  service: "manual";
  shipment_status: string | null;
  status: string;
  tracking_company: string | null;
  tracking_number: string | null;
  tracking_numbers: string[];
  tracking_url: string | null;
  tracking_urls: string[];
  updated_at: string;
  line_items: RestLineItem[];
  email: string | null;
  destination: RestAddress | null;
}

function moneySet(amount: string, currency: string): RestMoneySet {
  return { shop_money: { amount, currency_code: currency }, presentment_money: { amount, currency_code: currency } };
}

export function restAddress(a: AddressRecord | null): RestAddress | null {
  if (!a) return null;
  return {
    first_name: a.firstName,
    address1: a.address1,
    phone: a.phone,
    city: a.city,
    zip: a.zip,
    province: a.province,
    country: a.country ?? (a.countryCode ? countryName(a.countryCode) : null),
    last_name: a.lastName,
    address2: a.address2,
    company: a.company,
    latitude: a.latitude,
    longitude: a.longitude,
    name: [a.firstName, a.lastName].filter(Boolean).join(" "),
    country_code: a.countryCode,
    province_code: a.provinceCode,
  };
}

function restLineItem(li: LineItemRecord, quantity: number, fulfilledSoFar: number, currency: string): RestLineItem {
  const remaining = Math.max(0, li.quantity - fulfilledSoFar);
  return {
    id: li.legacyId,
    admin_graphql_api_id: gid("LineItem", li.legacyId),
    attributed_staffs: [],
    current_quantity: li.quantity,
    fulfillable_quantity: remaining,
    fulfillment_service: "manual",
    fulfillment_status: fulfilledSoFar === 0 ? null : remaining === 0 ? "fulfilled" : "partial",
    gift_card: false,
    grams: li.grams,
    name: li.variantTitle ? `${li.title} - ${li.variantTitle}` : li.title,
    price: li.price,
    price_set: moneySet(li.price, currency),
    product_exists: li.product !== null,
    product_id: li.product?.legacyId ?? null,
    properties: [],
    quantity,
    requires_shipping: li.requiresShipping,
    sku: li.sku,
    taxable: true,
    title: li.title,
    total_discount: "0.00",
    total_discount_set: moneySet("0.00", currency),
    variant_id: li.variant?.legacyId ?? null,
    variant_inventory_management: li.variant ? "shopify" : null,
    variant_title: li.variantTitle,
    vendor: li.vendor,
    tax_lines: [],
    duties: [],
    discount_allocations: [],
  };
}

export function restFulfillment(f: FulfillmentRecord): RestFulfillment {
  const order = f.order;
  const tz = order.shop.ianaTimezone;
  const done = fulfilledQuantities(order);
  const last = latestEvent(f);
  return {
    id: f.legacyId,
    admin_graphql_api_id: gid("Fulfillment", f.legacyId),
    created_at: formatRestTime(f.createdAt, tz),
    location_id: f.locationId,
    name: `${order.name}.${f.index}`,
    order_id: order.legacyId,
    origin_address: {},
    receipt: {},
    service: "manual",
    shipment_status: last ? last.status.toLowerCase() : null,
    status: f.status,
    tracking_company: f.trackingCompany,
    tracking_number: f.trackingNumbers[0] ?? null,
    tracking_numbers: [...f.trackingNumbers],
    tracking_url: f.trackingUrls[0] ?? null,
    tracking_urls: [...f.trackingUrls],
    updated_at: formatRestTime(f.updatedAt, tz),
    line_items: f.lineItems.map((fli) => restLineItem(fli.lineItem, fli.quantity, done.get(fli.lineItem) ?? 0, order.currencyCode)),
    email: order.email,
    destination: restAddress(order.shippingAddress),
  };
}

export function restFulfillmentEvent(e: FulfillmentEventRecord): Record<string, unknown> {
  const f = e.fulfillment;
  const tz = f.order.shop.ianaTimezone;
  return {
    id: e.legacyId,
    fulfillment_id: f.legacyId,
    status: e.status.toLowerCase(),
    message: e.message,
    happened_at: formatRestTime(e.happenedAt ?? e.createdAt, tz),
    city: e.city,
    province: e.province,
    country: e.country,
    zip: e.zip,
    address1: e.address1,
    latitude: e.latitude,
    longitude: e.longitude,
    shop_id: f.order.shop.legacyId,
    created_at: formatRestTime(e.createdAt, tz),
    updated_at: formatRestTime(e.createdAt, tz),
    estimated_delivery_at: e.estimatedDeliveryAt ? formatRestTime(e.estimatedDeliveryAt, tz) : null,
    order_id: f.order.legacyId,
    admin_graphql_api_id: gid("FulfillmentEvent", e.legacyId),
  };
}

export function restOrder(order: OrderRecord): Record<string, unknown> {
  const tz = order.shop.ianaTimezone;
  const done = fulfilledQuantities(order);
  const status = displayFulfillmentStatus(order);
  const subtotal = order.lineItems.reduce((sum, li) => sum + Number(li.price) * li.quantity, 0).toFixed(2);
  const c = order.customer;
  return {
    id: order.legacyId,
    admin_graphql_api_id: gid("Order", order.legacyId),
    name: order.name,
    order_number: order.number,
    number: order.number - 1000,
    email: order.email,
    contact_email: order.email,
    phone: order.phone,
    created_at: formatRestTime(order.createdAt, tz),
    updated_at: formatRestTime(order.updatedAt, tz),
    processed_at: formatRestTime(order.processedAt, tz),
    cancelled_at: order.cancelledAt ? formatRestTime(order.cancelledAt, tz) : null,
    cancel_reason: order.cancelReason?.toLowerCase() ?? null,
    closed_at: order.closedAt ? formatRestTime(order.closedAt, tz) : null,
    confirmed: true,
    currency: order.currencyCode,
    customer_locale: order.customerLocale,
    financial_status: order.financialStatus.toLowerCase(),
    fulfillment_status: status === "FULFILLED" ? "fulfilled" : status === "PARTIALLY_FULFILLED" ? "partial" : null,
    note: order.note,
    tags: order.tags.join(", "),
    test: order.test,
    subtotal_price: subtotal,
    total_price: subtotal,
    customer: c
      ? {
          id: c.legacyId,
          email: c.email,
          first_name: c.firstName,
          last_name: c.lastName,
          phone: c.phone,
          locale: c.locale,
          created_at: formatRestTime(c.createdAt, tz),
          admin_graphql_api_id: gid("Customer", c.legacyId),
        }
      : null,
    shipping_address: restAddress(order.shippingAddress),
    billing_address: restAddress(order.billingAddress),
    line_items: order.lineItems.map((li) => restLineItem(li, li.quantity, done.get(li) ?? 0, order.currencyCode)),
    fulfillments: order.fulfillments.map(restFulfillment),
  };
}

/** The REST Shop resource, which is the `app/uninstalled` body. */
export function restShop(shop: ShopRecord, now: Date): Record<string, unknown> {
  const offset = formatOffset(timeZoneOffsetMinutes(now, shop.ianaTimezone));
  return {
    id: shop.legacyId,
    name: shop.name,
    email: shop.email,
    domain: shop.domain,
    province: null,
    country: "US",
    address1: null,
    zip: null,
    city: null,
    source: null,
    phone: null,
    latitude: null,
    longitude: null,
    primary_locale: "en",
    address2: null,
    created_at: formatRestTime(shop.createdAt, shop.ianaTimezone),
    updated_at: formatRestTime(now, shop.ianaTimezone),
    country_code: "US",
    country_name: "United States",
    currency: shop.currencyCode,
    customer_email: shop.email,
    timezone: `(GMT${offset}) ${shop.ianaTimezone}`,
    iana_timezone: shop.ianaTimezone,
    shop_owner: shop.name,
    money_format: "${{amount}}",
    weight_unit: "kg",
    plan_display_name: "Basic",
    plan_name: "basic",
    myshopify_domain: shop.domain,
    has_storefront: true,
    setup_required: false,
    enabled_presentment_currencies: [shop.currencyCode],
  };
}
