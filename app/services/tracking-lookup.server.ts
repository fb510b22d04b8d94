import { randomBytes } from "node:crypto";
import type { StorefrontLocale, TrackingLookupResponse, TrackingPageItem, TrackingPageOrder } from "~/domain/tracking-page-contract";
import { buildTrackingPageShipment, trackingPageInput, trackingPageItemsFrom, type TrackingPageShipmentInput } from "~/domain/tracking-page";
import { normalizeTrackingNumber } from "~/domain/carriers/detect";
import type { Prisma } from "~/generated/prisma-sqlite/client";
import { resolveStorefrontLocale } from "~/i18n/storefront";
import { secretsEqual } from "~/lib/crypto.server";
import type { ServiceContext } from "./context.server";
import { consumeRateLimits } from "./rate-limit.server";
import { verifyTrackingLinkToken } from "./tracking-links.server";
import { loadPrediction } from "./transit-statistics.server";

/**
 * The storefront tracking page's lookups (through the app proxy, whose signature the route has
 * verified): by order name + e-mail or phone, by tracking number (order details hidden), by the
 * signed link in our e-mails, or a logged-in customer's recent orders. Only the requesting shop's
 * data; redacted orders never show; nothing personal leaves (the contract carries no address,
 * phone or e-mail).
 *
 * No oracle (ADR 15): an unknown order and a known order with the wrong e-mail run the same
 * query, the same constant-time comparison and the same rate-limit charge, and answer with the
 * same "not found". Failed lookups cost more than successful ones, so guessing runs out quickly.
 *
 * Shipments whose number was removed from the order or whose fulfillment was cancelled are no
 * longer linked to the order and so never show; a shipment the merchant stopped tracking still
 * shows its last known state (true, just no longer updated).
 */

export type TrackingLookupQuery =
  | { kind: "order"; orderName: string; email: string }
  | { kind: "order"; orderName: string; phone: string }
  | { kind: "number"; trackingNumber: string }
  | { kind: "token"; token: string }
  | { kind: "customer"; shopifyCustomerId: string };

export interface StorefrontLookupRequest {
  shopDomain: string;
  query: TrackingLookupQuery;
  /** Who is asking, for the per-client limit: the customer's IP as Shopify forwards it, else the logged-in customer; null when neither is known. */
  client: string | null;
  /** The proxy's `locale` parameter and the Accept-Language header, in that order of preference after the order's own locale. */
  requestedLocale: string | null;
  acceptLanguage: string | null;
}

export interface LookupRateLimits {
  windowMs: number;
  /** Units per client and window; a successful lookup costs 1. */
  perClient: number;
  /** Units per shop and window, over every client (and the only limit when the client is unknown). */
  perShop: number;
  /** What a lookup that found nothing costs, in units. */
  failedLookupCost: number;
}

export type StorefrontLookupOutcome =
  | { kind: "found"; response: TrackingLookupResponse }
  | { kind: "not_found"; locale: StorefrontLocale }
  | { kind: "rate_limited"; locale: StorefrontLocale; retryAfterMs: number };

/** Shown events per shipment: the newest, enough for any real journey; bounds the read. */
export const MAX_EVENTS_PER_SHIPMENT = 100;
/** A logged-in customer sees this many of their most recent orders with shipments. */
export const CUSTOMER_RECENT_ORDERS = 5;
/** Orders sharing one name in one shop are rare (custom prefixes); more than this are not looked at. */
const MAX_ORDERS_PER_NAME = 5;
/** Phone numbers are compared on their last digits, so "+1 555 625 1199" and "555-625-1199" match. */
const PHONE_DIGITS_COMPARED = 9;
const MIN_PHONE_DIGITS = 7;

/** Compared against when no order has the name, so that path does the same work as a wrong e-mail. */
const DUMMY_CONTACT = randomBytes(24).toString("hex");

export async function lookupTrackingForStorefront(
  ctx: ServiceContext,
  request: StorefrontLookupRequest,
  limits: LookupRateLimits,
): Promise<StorefrontLookupOutcome> {
  const requestLocale = preferredLocale(request.requestedLocale, request.acceptLanguage);
  const now = ctx.clock.now();
  const shop = await ctx.db.prisma.shop.findUnique({ where: { domain: request.shopDomain }, select: { id: true, ianaTimezone: true, uninstalledAt: true } });
  const shopKey = shop?.id ?? `unknown:${request.shopDomain}`;

  const admitted = await charge(ctx, shopKey, request.client, limits, 1, now);
  if (!admitted.allowed) return { kind: "rate_limited", locale: requestLocale, retryAfterMs: admitted.retryAfterMs };

  const found = shop && !shop.uninstalledAt ? await findOrders(ctx, shop.id, request.shopDomain, request.query) : null;
  if (!found && request.query.kind === "customer") {
    // A signed-in customer with no tracked orders yet: nothing was guessed, so nothing is charged.
    return { kind: "found", response: { locale: requestLocale, orders: [], shipments: [] } };
  }
  if (!found) {
    await charge(ctx, shopKey, request.client, limits, limits.failedLookupCost - 1, now);
    return { kind: "not_found", locale: requestLocale };
  }

  await addPredictions(ctx, shop!.id, found);
  const locale = preferredLocale(request.requestedLocale, found.orderLocale, request.acceptLanguage);
  const timeZone = knownTimeZone(shop!.ianaTimezone);
  const orders: TrackingPageOrder[] = found.orders.map((order) => ({
    name: order.name,
    shipments: order.shipments.map((shipment) => buildTrackingPageShipment(shipment, { locale, timeZone, now })),
  }));
  return { kind: "found", response: { locale, orders, shipments: orders.flatMap((order) => order.shipments) } };
}

/** The language for a "not found" or "too many requests" answer, before any order is known. */
export function storefrontLocaleFor(requestedLocale: string | null, acceptLanguage: string | null): StorefrontLocale {
  return preferredLocale(requestedLocale, acceptLanguage);
}

// --- Rate limits ---------------------------------------------------------------------------------

/** The shop's limit always; the client's too when the client is known. */
async function charge(ctx: ServiceContext, shopKey: string, client: string | null, limits: LookupRateLimits, cost: number, now: Date) {
  if (cost <= 0) return { allowed: true, retryAfterMs: 0 };
  const keys = [{ key: `lookup:shop:${shopKey}`, limit: limits.perShop }];
  if (client) keys.push({ key: `lookup:client:${shopKey}:${client}`, limit: limits.perClient });
  return consumeRateLimits(ctx.db, { limits: keys, windowMs: limits.windowMs, now, cost });
}

/** The shop's own delivery history stands in for the carrier's date where the carrier gave none. */
async function addPredictions(ctx: ServiceContext, shopId: string, found: Found): Promise<void> {
  const waiting = found.orders.flatMap((order) => order.shipments).filter((shipment) => shipment.status !== "delivered" && !shipment.estimatedDeliveryAt);
  await Promise.all(
    waiting.map(async (shipment) => {
      shipment.prediction = await loadPrediction(ctx, shopId, shipment);
    }),
  );
}

// --- Finding the orders --------------------------------------------------------------------------

/** The page's input, plus where the parcel goes (for the prediction; never shown). */
type ShipmentInput = TrackingPageShipmentInput & { destinationCountry: string | null };

interface FoundOrder {
  name: string | null;
  shipments: ShipmentInput[];
}

interface Found {
  orders: FoundOrder[];
  orderLocale: string | null;
}

async function findOrders(ctx: ServiceContext, shopId: string, shopDomain: string, query: TrackingLookupQuery): Promise<Found | null> {
  switch (query.kind) {
    case "order": {
      const orderId = await orderMatchingContact(ctx, shopId, query);
      return orderId ? loadOrders(ctx, shopId, [orderId]) : null;
    }
    case "token": {
      const orderId = verifyTrackingLinkToken(ctx.settings.shopifyApiSecret, shopDomain, query.token);
      return orderId ? loadOrders(ctx, shopId, [orderId]) : null;
    }
    case "customer": {
      const recent = await ctx.db.prisma.order.findMany({
        where: { shopId, shopifyCustomerId: query.shopifyCustomerId, redactedAt: null, fulfillments: { some: { shipments: { some: {} } } } },
        orderBy: [{ createdAt: "desc" }, { id: "desc" }],
        take: CUSTOMER_RECENT_ORDERS,
        select: { id: true },
      });
      return recent.length ? loadOrders(ctx, shopId, recent.map((order) => order.id)) : null;
    }
    case "number":
      return loadShipmentByNumber(ctx, shopId, query.trackingNumber);
  }
}

/**
 * The order with this name whose e-mail (or phone) matches, or null. Always one indexed query
 * ([shopId, name]) and at least one constant-time comparison, whether or not the name exists.
 */
async function orderMatchingContact(
  ctx: ServiceContext,
  shopId: string,
  query: Extract<TrackingLookupQuery, { kind: "order" }>,
): Promise<string | null> {
  const candidates = await ctx.db.prisma.order.findMany({
    where: { shopId, name: { in: orderNameCandidates(query.orderName) }, redactedAt: null },
    select: { id: true, email: true, phone: true },
    take: MAX_ORDERS_PER_NAME,
  });
  const given = "email" in query ? normalizedEmail(query.email) : normalizedPhone(query.phone);
  let matched: string | null = null;
  for (const candidate of candidates.length ? candidates : [{ id: null, email: null, phone: null }]) {
    const stored = "email" in query ? normalizedEmail(candidate.email) : normalizedPhone(candidate.phone);
    // An order without the contact still costs a comparison; an empty given value never matches.
    const equal = secretsEqual(given ?? DUMMY_CONTACT, stored ?? DUMMY_CONTACT);
    if (equal && given !== null && stored !== null && matched === null) matched = candidate.id;
  }
  return matched;
}

/** "1001", "#1001" and " #1001 " name the same order; a custom format ("TL-1001") is taken as typed. */
function orderNameCandidates(typed: string): string[] {
  const trimmed = typed.trim();
  const bare = trimmed.replace(/^#\s*/, "");
  return [...new Set([trimmed, `#${bare}`, bare].filter((name) => name.length > 0 && name !== "#"))];
}

function normalizedEmail(email: string | null | undefined): string | null {
  const value = email?.trim().toLowerCase();
  return value ? value : null;
}

function normalizedPhone(phone: string | null | undefined): string | null {
  const digits = (phone ?? "").replace(/\D/g, "");
  return digits.length >= MIN_PHONE_DIGITS ? digits.slice(-PHONE_DIGITS_COMPARED) : null;
}

const SHIPMENT_FIELDS = {
  id: true,
  trackingNumber: true,
  status: true,
  substatus: true,
  carrierCode: true,
  trackingCompany: true,
  trackingUrl: true,
  shippedAt: true,
  deliveredAt: true,
  estimatedDeliveryAt: true,
  estimatedDeliveryEndAt: true,
  lastEventAt: true,
  lastEventDescription: true,
  destinationCountry: true,
  events: {
    orderBy: { occurredAt: "desc" },
    take: MAX_EVENTS_PER_SHIPMENT,
    select: { occurredAt: true, zoneKnown: true, status: true, substatus: true, description: true, city: true, state: true, countryCode: true },
  },
} as const satisfies Prisma.ShipmentSelect;

async function loadOrders(ctx: ServiceContext, shopId: string, orderIds: string[]): Promise<Found | null> {
  const orders = await ctx.db.prisma.order.findMany({
    where: { id: { in: orderIds }, shopId, redactedAt: null },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    select: {
      name: true,
      locale: true,
      createdAt: true,
      destinationCountry: true,
      fulfillments: {
        orderBy: [{ createdAt: "asc" }, { id: "asc" }],
        select: { lineItems: true, shipments: { orderBy: { createdAt: "asc" }, select: { shipment: { select: SHIPMENT_FIELDS } } } },
      },
    },
  });
  const shown = orders
    .map((order) => {
      const byShipment = new Map<string, { shipment: ShipmentRow; items: TrackingPageItem[] }>();
      for (const fulfillment of order.fulfillments) {
        const items = trackingPageItemsFrom(parseJson(fulfillment.lineItems));
        for (const { shipment } of fulfillment.shipments) {
          const entry = byShipment.get(shipment.id) ?? { shipment, items: [] };
          entry.items.push(...items);
          byShipment.set(shipment.id, entry);
        }
      }
      return {
        name: order.name,
        locale: order.locale,
        shipments: [...byShipment.values()].map(({ shipment, items }) => shipmentInput(shipment, items, order)),
      };
    })
    .filter((order) => order.shipments.length > 0);
  if (!shown.length) return null;
  return { orders: shown.map(({ name, shipments }) => ({ name, shipments })), orderLocale: shown[0]!.locale };
}

/** One shipment of a live (not redacted) order, without the order's name or items. */
async function loadShipmentByNumber(ctx: ServiceContext, shopId: string, typed: string): Promise<Found | null> {
  const trackingNumber = normalizeTrackingNumber(typed);
  if (!trackingNumber) return null;
  const shipment = await ctx.db.prisma.shipment.findUnique({
    where: { shopId_trackingNumber: { shopId, trackingNumber } },
    select: { ...SHIPMENT_FIELDS, fulfillments: { take: 1, where: { fulfillment: { order: { redactedAt: null } } }, select: { fulfillment: { select: { order: { select: { createdAt: true, destinationCountry: true } } } } } } },
  });
  const link = shipment?.fulfillments[0];
  if (!shipment || !link) return null;
  return { orders: [{ name: null, shipments: [shipmentInput(shipment, [], link.fulfillment.order)] }], orderLocale: null };
}

type ShipmentRow = Prisma.ShipmentGetPayload<{ select: typeof SHIPMENT_FIELDS }>;

function shipmentInput(shipment: ShipmentRow, items: TrackingPageItem[], order: { createdAt: Date; destinationCountry: string | null }): ShipmentInput {
  return { ...trackingPageInput(shipment, order, items), destinationCountry: shipment.destinationCountry ?? order.destinationCountry };
}

function parseJson(text: string | null): unknown {
  if (!text) return null;
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

// --- Language and time zone ----------------------------------------------------------------------

/** The first of these the page speaks, in this order; English when none. */
function preferredLocale(...hints: Array<string | null | undefined>): StorefrontLocale {
  // Each hint goes in at full weight, in order; an Accept-Language list keeps its own q-values after them.
  return resolveStorefrontLocale(hints.filter((hint): hint is string => Boolean(hint)).join(","));
}

const TIME_ZONES = new Set(Intl.supportedValuesOf("timeZone"));

function knownTimeZone(zone: string | null): string {
  return zone && TIME_ZONES.has(zone) ? zone : "UTC";
}
