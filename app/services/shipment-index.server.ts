import { z } from "zod";
import { carrierByCode } from "~/domain/carriers/registry";
import { normalizeTrackingNumber } from "~/domain/carriers/detect";
import { SHIPMENT_STATUSES, type ShipmentStatus } from "~/domain/shipment-status";
import { PROVIDER_IDS } from "~/domain/tracking-observation";
import { Prisma } from "~/generated/prisma-sqlite/client";
import type { ServiceContext } from "./context.server";

/**
 * The merchant's shipments index and shipment detail, always within one shop.
 *
 * Pages are keyset pages: the cursor is the last row's sort key and id, and the next page is the
 * rows after it in (sort key, id) order, never an OFFSET. Each sort and filter is served by an
 * index that starts with (shopId, filter column) and ends with the sort key (prisma/schema.prisma),
 * so a page costs the same at row 50 and at row 500,000, and rows inserted meanwhile neither
 * repeat nor hide rows on the following pages.
 */

export const SHIPMENT_SORTS = ["newest", "oldest", "last_update", "status"] as const;
export type ShipmentSort = (typeof SHIPMENT_SORTS)[number];
export const SHIPMENT_PAGE_SIZE = 50;

const optionalText = z
  .string()
  .trim()
  .max(200)
  .optional()
  .transform((value) => (value ? value : undefined));
const optionalDay = z.iso
  .date()
  .optional()
  .or(z.literal("").transform(() => undefined));

/** The index's query string, validated. Dates are whole days (UTC), `to` inclusive. */
export const shipmentIndexQuerySchema = z.object({
  status: z.enum(SHIPMENT_STATUSES).optional().or(z.literal("").transform(() => undefined)),
  carrier: optionalText,
  provider: z.enum(PROVIDER_IDS).optional().or(z.literal("").transform(() => undefined)),
  from: optionalDay,
  to: optionalDay,
  attention: z
    .union([z.boolean(), z.enum(["1", "true", "0", "false", ""])])
    .optional()
    .transform((value) => value === true || value === "1" || value === "true"),
  q: optionalText,
  sort: z.enum(SHIPMENT_SORTS).optional().default("newest"),
  cursor: z.string().max(500).optional().or(z.literal("").transform(() => undefined)),
});
export type ShipmentIndexQuery = z.input<typeof shipmentIndexQuerySchema>;
type ParsedQuery = z.output<typeof shipmentIndexQuerySchema>;

export type AttentionReason = "exception" | "failed_attempt" | "stuck" | "pending_too_long" | "registration_failed";

export interface ShipmentIndexRow {
  id: string;
  trackingNumber: string;
  carrierCode: string | null;
  carrierName: string | null;
  provider: string;
  status: string;
  substatus: string | null;
  registrationState: string;
  lastEventAt: string | null;
  lastEventDescription: string | null;
  estimatedDeliveryAt: string | null;
  createdAt: string;
  orderName: string | null;
  attention: AttentionReason[];
}

export interface ShipmentIndexPage {
  rows: ShipmentIndexRow[];
  /** Opaque; null on the last page. */
  nextCursor: string | null;
  query: ParsedQuery;
}

export class InvalidCursorError extends Error {}

/** The shop id for the session's shop domain; null when the shop is not installed. */
export async function shopIdForDomain(ctx: ServiceContext, domain: string): Promise<string | null> {
  const shop = await ctx.db.prisma.shop.findUnique({ where: { domain }, select: { id: true } });
  return shop?.id ?? null;
}

/** One page of a shop's shipments for the index. Throws InvalidCursorError for a cursor it did not issue (for this sort). */
export async function listShipments(
  ctx: ServiceContext,
  shopId: string,
  input: ShipmentIndexQuery,
  /** Tuning: above this many matches a search walks the sort order instead of sorting its matches. */
  options: { searchSetLimit?: number } = {},
): Promise<ShipmentIndexPage> {
  const query = shipmentIndexQuerySchema.parse(input);
  const shop = await ctx.db.prisma.shop.findUnique({ where: { id: shopId }, select: { stuckAfterDays: true, pendingTooLongDays: true } });
  if (!shop) return { rows: [], nextCursor: null, query };
  const now = ctx.clock.now();
  const thresholds = attentionThresholds(now, shop);
  const cursor = query.cursor ? decodeCursor(query.cursor, query.sort) : null;
  const search = query.q ? await searchPlan(ctx, shopId, query.q, options.searchSetLimit ?? SEARCH_SET_LIMIT) : null;
  const filters = filterSql(shopId, query, thresholds, search);

  const limit = SHIPMENT_PAGE_SIZE + 1;
  const keys: KeyRow[] = [];
  for (const segment of segmentsFor(query.sort, cursor)) {
    const rows = await ctx.db.prisma.$queryRaw<KeyRow[]>`
      SELECT "id", "status", "createdAt", "lastEventAt" FROM "Shipment"
      WHERE ${filters} AND ${segment.where}
      ORDER BY ${segment.orderBy}
      LIMIT ${limit - keys.length}`;
    keys.push(...rows);
    if (keys.length >= limit) break;
  }
  const pageKeys = keys.slice(0, SHIPMENT_PAGE_SIZE);
  const nextCursor = keys.length > SHIPMENT_PAGE_SIZE ? encodeCursor(query.sort, pageKeys.at(-1)!) : null;

  const found = await ctx.db.prisma.shipment.findMany({
    where: { shopId, id: { in: pageKeys.map((key) => key.id) } },
    select: {
      id: true,
      trackingNumber: true,
      carrierCode: true,
      provider: true,
      status: true,
      substatus: true,
      registrationState: true,
      lastEventAt: true,
      lastEventDescription: true,
      estimatedDeliveryAt: true,
      createdAt: true,
      fulfillments: { select: { fulfillment: { select: { order: { select: { name: true } } } } }, take: 1, orderBy: { createdAt: "asc" } },
    },
  });
  const byId = new Map(found.map((row) => [row.id, row]));
  const rows = pageKeys.flatMap((key) => {
    const row = byId.get(key.id);
    if (!row) return [];
    return [
      {
        id: row.id,
        trackingNumber: row.trackingNumber,
        carrierCode: row.carrierCode,
        carrierName: row.carrierCode ? (carrierByCode(row.carrierCode)?.name ?? row.carrierCode) : null,
        provider: row.provider,
        status: row.status,
        substatus: row.substatus,
        registrationState: row.registrationState,
        lastEventAt: row.lastEventAt?.toISOString() ?? null,
        lastEventDescription: row.lastEventDescription,
        estimatedDeliveryAt: row.estimatedDeliveryAt?.toISOString() ?? null,
        createdAt: row.createdAt.toISOString(),
        orderName: row.fulfillments[0]?.fulfillment.order.name ?? null,
        attention: attentionReasons(row, thresholds),
      },
    ];
  });
  return { rows, nextCursor, query };
}

const DAY_MS = 24 * 60 * 60_000;

export interface AttentionThresholds {
  stuckBefore: Date;
  pendingBefore: Date;
}

/** The instants before which a shipment counts as stuck or pending too long, from the shop's settings. */
export function attentionThresholds(now: Date, shop: { stuckAfterDays: number; pendingTooLongDays: number }): AttentionThresholds {
  return {
    stuckBefore: new Date(now.getTime() - shop.stuckAfterDays * DAY_MS),
    pendingBefore: new Date(now.getTime() - shop.pendingTooLongDays * DAY_MS),
  };
}

/** Why a shipment needs the merchant's attention; empty when it does not. The same rules as the "needs attention" filter. */
export function attentionReasons(
  shipment: { status: string; registrationState: string; lastEventAt: Date | null; createdAt: Date },
  thresholds: AttentionThresholds,
): AttentionReason[] {
  const reasons: AttentionReason[] = [];
  if (shipment.status === "exception") reasons.push("exception");
  if (shipment.status === "undelivered") reasons.push("failed_attempt");
  if (shipment.status === "transit" && (shipment.lastEventAt ?? shipment.createdAt) < thresholds.stuckBefore) reasons.push("stuck");
  if ((shipment.status === "pending" || shipment.status === "notfound") && shipment.createdAt < thresholds.pendingBefore) reasons.push("pending_too_long");
  if (shipment.registrationState === "failed") reasons.push("registration_failed");
  return reasons;
}

/** How many of a shop's shipments need attention (the index's "needs attention" filter), counted up to `cap`. */
export async function countShipmentsNeedingAttention(ctx: ServiceContext, shopId: string, thresholds: AttentionThresholds, cap: number): Promise<number> {
  const filters = filterSql(shopId, shipmentIndexQuerySchema.parse({ attention: true }), thresholds, null);
  const [counted] = await ctx.db.prisma.$queryRaw<{ n: number | bigint }[]>`
    SELECT COUNT(*) AS "n" FROM (SELECT 1 AS "one" FROM "Shipment" WHERE ${filters} LIMIT ${cap + 1}) AS "c"`;
  return Number(counted?.n ?? 0);
}

// ── SQL ──────────────────────────────────────────────────────────────────────────────────────

interface KeyRow {
  id: string;
  status: string;
  createdAt: Date | string;
  lastEventAt: Date | string | null;
}

function filterSql(shopId: string, query: ParsedQuery, thresholds: AttentionThresholds, search: Prisma.Sql | null): Prisma.Sql {
  const parts: Prisma.Sql[] = [Prisma.sql`"shopId" = ${shopId}`];
  if (query.status) parts.push(Prisma.sql`"status" = ${query.status}`);
  if (query.carrier) parts.push(Prisma.sql`"carrierCode" = ${query.carrier}`);
  if (query.provider) parts.push(Prisma.sql`"provider" = ${query.provider}`);
  if (query.from) parts.push(Prisma.sql`"createdAt" >= ${new Date(`${query.from}T00:00:00.000Z`)}`);
  if (query.to) parts.push(Prisma.sql`"createdAt" < ${new Date(new Date(`${query.to}T00:00:00.000Z`).getTime() + DAY_MS)}`);
  if (query.attention) {
    parts.push(Prisma.sql`("status" IN ('exception', 'undelivered')
      OR "registrationState" = 'failed'
      OR ("status" = 'transit' AND ("lastEventAt" < ${thresholds.stuckBefore} OR ("lastEventAt" IS NULL AND "createdAt" < ${thresholds.stuckBefore})))
      OR ("status" IN ('pending', 'notfound') AND "createdAt" < ${thresholds.pendingBefore}))`);
  }
  if (search) parts.push(search);
  return Prisma.join(parts, " AND ");
}

/** Up to this many matches, a search lists its matches and sorts them; beyond, it walks the sort order and tests each row. */
const SEARCH_SET_LIMIT = 50_000;
/** Shorter search terms match exactly only: a prefix of one or two characters matches most of a shop. */
const MIN_PREFIX_LENGTH = 3;

/**
 * Exact or prefix match on the tracking number, the order name (with or without "#") and the
 * customer's e-mail. Each is a range on an index that starts with the shop id:
 * Shipment(shopId, trackingNumber), Order(shopId, name), Order(shopId, email). SQLite compares
 * text bytewise, so a prefix is the range [q, q + U+10FFFF); PostgreSQL compares by collation,
 * where that range is not a prefix test, so it uses LIKE.
 *
 * A narrow search (an order number, a whole tracking number or e-mail) matches a handful of
 * shipments: they are found through those indexes and sorted. A broad one ("1ZAB", "customer")
 * may match much of the shop; collecting and sorting those would cost as much as the shop is
 * large, so instead the page walks the sort order's index and keeps the rows that match, which
 * finds a page of them quickly when they are common. One bounded count decides which. The case
 * neither serves well is a broad prefix whose matches all lie far down the sort order (e.g. a
 * short order-number prefix of orders from long ago, newest first): the walk then passes many
 * rows before the first match.
 */
async function searchPlan(ctx: ServiceContext, shopId: string, raw: string, setLimit: number): Promise<Prisma.Sql> {
  const prefix = (column: Prisma.Sql, value: string): Prisma.Sql =>
    value.length < MIN_PREFIX_LENGTH
      ? Prisma.sql`${column} = ${value}`
      : ctx.db.dialect === "sqlite"
      ? Prisma.sql`(${column} >= ${value} AND ${column} < ${value + "\u{10FFFF}"})`
      : Prisma.sql`${column} LIKE ${value.replace(/[\\%_]/g, (c) => `\\${c}`) + "%"} ESCAPE '\\'`;
  const trackingNumber = normalizeTrackingNumber(raw);
  const names = raw.startsWith("#") ? [raw] : [raw, `#${raw}`];
  const email = raw.toLowerCase();
  const orderMatches = Prisma.sql`(${Prisma.join(names.map((name) => prefix(Prisma.sql`o."name"`, name)), " OR ")} OR ${prefix(Prisma.sql`o."email"`, email)})`;
  const trackingMatches = trackingNumber ? prefix(Prisma.sql`"trackingNumber"`, trackingNumber) : Prisma.sql`1 = 0`;

  const byOrder = (condition: Prisma.Sql) => Prisma.sql`
    SELECT sf."shipmentId" FROM "Order" o
      JOIN "Fulfillment" f ON f."orderId" = o."id"
      JOIN "ShipmentFulfillment" sf ON sf."fulfillmentId" = f."id"
    WHERE o."shopId" = ${shopId} AND ${condition}`;
  const trackingBranch = Prisma.sql`SELECT "id" FROM "Shipment" WHERE "shopId" = ${shopId} AND ${trackingMatches}`;
  const orderBranches = [...names.map((name) => byOrder(prefix(Prisma.sql`o."name"`, name))), byOrder(prefix(Prisma.sql`o."email"`, email))];
  const countUpTo = async (branches: Prisma.Sql[]) => {
    const [counted] = await ctx.db.prisma.$queryRaw<{ n: number | bigint }[]>`
      SELECT COUNT(*) AS "n" FROM (SELECT 1 AS "one" FROM (${Prisma.join(branches, " UNION ALL ")}) AS "m" LIMIT ${setLimit + 1}) AS "c"`;
    return Number(counted?.n ?? 0);
  };
  const [trackingCount, orderCount] = [await countUpTo([trackingBranch]), await countUpTo(orderBranches)];
  if (trackingCount + orderCount <= setLimit) {
    const branches = [...(trackingCount > 0 ? [trackingBranch] : []), ...(orderCount > 0 ? orderBranches : [])];
    return branches.length === 0 ? Prisma.sql`1 = 0` : Prisma.sql`"id" IN (${Prisma.join(branches, " UNION ALL ")})`;
  }
  // The walk tests only the kinds of match that exist: the order test costs three lookups a row.
  const orderTest = Prisma.sql`EXISTS (
    SELECT 1 FROM "ShipmentFulfillment" sf
      JOIN "Fulfillment" f ON f."id" = sf."fulfillmentId"
      JOIN "Order" o ON o."id" = f."orderId"
    WHERE sf."shipmentId" = "Shipment"."id" AND ${orderMatches})`;
  if (orderCount === 0) return trackingMatches;
  if (trackingCount === 0) return orderTest;
  return Prisma.sql`(${trackingMatches} OR ${orderTest})`;
}

interface Segment {
  where: Prisma.Sql;
  orderBy: Prisma.Sql;
}

const NEWEST = Prisma.sql`"createdAt" DESC, "id" DESC`;
const TRUE = Prisma.sql`1 = 1`;

/**
 * The page after `cursor` as one or two index-ordered queries. Sorts whose key is not one
 * comparable value (nullable last update; status then newest) continue in a second query where
 * the first group ends, so every query stays a range scan of one index.
 */
function segmentsFor(sort: ShipmentSort, cursor: DecodedCursor | null): Segment[] {
  switch (sort) {
    case "newest":
      return [{ where: cursor ? Prisma.sql`("createdAt", "id") < (${cursor.createdAt}, ${cursor.id})` : TRUE, orderBy: NEWEST }];
    case "oldest":
      return [{ where: cursor ? Prisma.sql`("createdAt", "id") > (${cursor.createdAt}, ${cursor.id})` : TRUE, orderBy: Prisma.sql`"createdAt" ASC, "id" ASC` }];
    case "last_update": {
      const withEvents = { orderBy: Prisma.sql`"lastEventAt" DESC, "id" DESC` };
      const withoutEvents = { orderBy: Prisma.sql`"id" DESC` };
      if (!cursor) return [{ where: Prisma.sql`"lastEventAt" IS NOT NULL`, ...withEvents }, { where: Prisma.sql`"lastEventAt" IS NULL`, ...withoutEvents }];
      if (cursor.lastEventAt === null) return [{ where: Prisma.sql`"lastEventAt" IS NULL AND "id" < ${cursor.id}`, ...withoutEvents }];
      return [
        { where: Prisma.sql`"lastEventAt" IS NOT NULL AND ("lastEventAt", "id") < (${cursor.lastEventAt}, ${cursor.id})`, ...withEvents },
        { where: Prisma.sql`"lastEventAt" IS NULL`, ...withoutEvents },
      ];
    }
    case "status": {
      const byStatus = Prisma.sql`"status" ASC, "createdAt" DESC, "id" DESC`;
      if (!cursor) return [{ where: TRUE, orderBy: byStatus }];
      return [
        { where: Prisma.sql`"status" = ${cursor.status} AND ("createdAt", "id") < (${cursor.createdAt}, ${cursor.id})`, orderBy: NEWEST },
        { where: Prisma.sql`"status" > ${cursor.status}`, orderBy: byStatus },
      ];
    }
  }
}

// ── Cursors ─────────────────────────────────────────────────────────────────────────────────

interface DecodedCursor {
  id: string;
  createdAt: Date;
  lastEventAt: Date | null;
  status: string;
}

const cursorSchema = z.object({
  s: z.enum(SHIPMENT_SORTS),
  i: z.string().min(1).max(64),
  c: z.number().int(),
  l: z.number().int().nullable(),
  t: z.string().max(32),
});

function toDate(value: Date | string): Date {
  return value instanceof Date ? value : new Date(value);
}

function encodeCursor(sort: ShipmentSort, key: KeyRow): string {
  const payload = {
    s: sort,
    i: key.id,
    c: toDate(key.createdAt).getTime(),
    l: key.lastEventAt === null ? null : toDate(key.lastEventAt).getTime(),
    t: key.status,
  };
  return Buffer.from(JSON.stringify(payload)).toString("base64url");
}

function decodeCursor(cursor: string, sort: ShipmentSort): DecodedCursor {
  let parsed: z.infer<typeof cursorSchema>;
  try {
    parsed = cursorSchema.parse(JSON.parse(Buffer.from(cursor, "base64url").toString("utf8")));
  } catch {
    throw new InvalidCursorError("invalid cursor");
  }
  if (parsed.s !== sort) throw new InvalidCursorError("cursor belongs to another sort order");
  return { id: parsed.i, createdAt: new Date(parsed.c), lastEventAt: parsed.l === null ? null : new Date(parsed.l), status: parsed.t };
}

// ── Detail ──────────────────────────────────────────────────────────────────────────────────

export interface ShipmentDetail {
  id: string;
  trackingNumber: string;
  trackingUrl: string | null;
  carrierCode: string | null;
  carrierName: string | null;
  carrierSource: string | null;
  trackingCompany: string | null;
  provider: string;
  status: string;
  substatus: string | null;
  rawStatus: string | null;
  estimatedDeliveryAt: string | null;
  estimatedDeliveryEndAt: string | null;
  deliveredAt: string | null;
  lastCheckedAt: string | null;
  createdAt: string;
  registration: {
    state: string;
    error: string | null;
    attempts: number;
    registeredAt: string | null;
    subscriptionExpiresAt: string | null;
    stoppedAt: string | null;
    stopReason: string | null;
  };
  orders: { name: string | null; adminUrl: string | null }[];
  attention: AttentionReason[];
  /** Customer e-mails (outbox rows) and Shopify fulfillment events of this shipment, newest first. */
  emailLog: ShipmentEmailLogEntry[];
  events: {
    id: string;
    occurredAt: string;
    status: string | null;
    substatus: string | null;
    description: string;
    location: string | null;
    rawStatus: string | null;
  }[];
}

export interface ShipmentEmailLogEntry {
  id: string;
  kind: "customer_email" | "shopify_update";
  milestone: string;
  /** Customer e-mail: queued | sending | sent | failed | skipped; Shopify update: queued | written | failed | skipped. */
  state: string;
  /** Why it was skipped or failed: a word the page translates (e-mails) or a sentence (Shopify updates). */
  reason: string | null;
  lastError: string | null;
  attempts: number;
  /** When it was sent or written, else when its state last changed. */
  at: string;
}

/** The timeline shows at most this many events (newest first). */
const MAX_EVENTS = 500;
/** …and the e-mail log this many of each kind. */
const MAX_LOG_ENTRIES = 100;

/** One shipment of the shop, or null when the id is unknown or belongs to another shop. */
export async function shipmentDetail(ctx: ServiceContext, shopId: string, shipmentId: string): Promise<ShipmentDetail | null> {
  const shipment = await ctx.db.prisma.shipment.findFirst({
    where: { id: shipmentId, shopId },
    include: {
      shop: { select: { domain: true, stuckAfterDays: true, pendingTooLongDays: true } },
      events: { orderBy: [{ occurredAt: "desc" }, { receivedAt: "desc" }], take: MAX_EVENTS },
      fulfillments: { include: { fulfillment: { select: { order: { select: { name: true, shopifyOrderId: true } } } } }, orderBy: { createdAt: "asc" } },
    },
  });
  if (!shipment) return null;
  const [emails, shopifyUpdates] = await Promise.all([
    ctx.db.prisma.customerNotification.findMany({ where: { shipmentId: shipment.id }, orderBy: { createdAt: "desc" }, take: MAX_LOG_ENTRIES }),
    ctx.db.prisma.fulfillmentEventWrite.findMany({ where: { shipmentId: shipment.id }, orderBy: { createdAt: "desc" }, take: MAX_LOG_ENTRIES }),
  ]);
  const emailLog: ShipmentEmailLogEntry[] = [
    ...emails.map((row) => ({ id: row.id, kind: "customer_email" as const, milestone: row.milestone, state: row.state, reason: row.reason, lastError: row.lastError, attempts: row.attempts, at: (row.sentAt ?? row.updatedAt).toISOString() })),
    ...shopifyUpdates.map((row) => ({ id: row.id, kind: "shopify_update" as const, milestone: row.milestone, state: row.state, reason: row.reason, lastError: row.lastError, attempts: row.attempts, at: (row.writtenAt ?? row.updatedAt).toISOString() })),
  ].sort((a, b) => (a.at < b.at ? 1 : a.at > b.at ? -1 : 0));
  const now = ctx.clock.now();
  const iso = (value: Date | null) => value?.toISOString() ?? null;
  const orders = new Map<string, { name: string | null; adminUrl: string | null }>();
  for (const link of shipment.fulfillments) {
    const order = link.fulfillment.order;
    orders.set(order.shopifyOrderId, { name: order.name, adminUrl: shopifyAdminOrderUrl(shipment.shop.domain, order.shopifyOrderId) });
  }
  return {
    id: shipment.id,
    trackingNumber: shipment.trackingNumber,
    trackingUrl: shipment.trackingUrl,
    carrierCode: shipment.carrierCode,
    carrierName: shipment.carrierCode ? (carrierByCode(shipment.carrierCode)?.name ?? shipment.carrierCode) : null,
    carrierSource: shipment.carrierSource,
    trackingCompany: shipment.trackingCompany,
    provider: shipment.provider,
    status: shipment.status,
    substatus: shipment.substatus,
    rawStatus: shipment.rawStatus,
    estimatedDeliveryAt: iso(shipment.estimatedDeliveryAt),
    estimatedDeliveryEndAt: iso(shipment.estimatedDeliveryEndAt),
    deliveredAt: iso(shipment.deliveredAt),
    lastCheckedAt: iso(shipment.lastCheckedAt),
    createdAt: shipment.createdAt.toISOString(),
    registration: {
      state: shipment.registrationState,
      error: shipment.registrationError,
      attempts: shipment.registrationAttempts,
      registeredAt: iso(shipment.registeredAt),
      subscriptionExpiresAt: iso(shipment.subscriptionExpiresAt),
      stoppedAt: iso(shipment.stoppedAt),
      stopReason: shipment.stopReason,
    },
    orders: [...orders.values()],
    attention: attentionReasons(shipment, attentionThresholds(now, shipment.shop)),
    emailLog,
    events: shipment.events.map((event) => ({
      id: event.id,
      occurredAt: event.occurredAt.toISOString(),
      status: event.status,
      substatus: event.substatus,
      description: event.description,
      location: event.location ?? ([event.city, event.state, event.countryCode].filter(Boolean).join(", ") || null),
      rawStatus: event.rawStatus,
    })),
  };
}

/** The order in Shopify admin: https://admin.shopify.com/store/<store>/orders/<numeric id>. */
export function shopifyAdminOrderUrl(shopDomain: string, shopifyOrderId: string): string | null {
  const store = shopDomain.replace(/\.myshopify\.com$/, "");
  const numericId = /(\d+)$/.exec(shopifyOrderId)?.[1];
  return numericId ? `https://admin.shopify.com/store/${store}/orders/${numericId}` : null;
}

export type { ShipmentStatus };
