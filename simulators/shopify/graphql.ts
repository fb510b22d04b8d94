import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import {
  coerceInputValue,
  execute,
  getOperationAST,
  GraphQLError,
  isEnumType,
  isNonNullType,
  Kind,
  parse,
  print,
  typeFromAST,
  validate,
  valueFromAST,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLFieldResolver,
  type GraphQLInputType,
  type GraphQLInterfaceType,
  type GraphQLObjectType,
  type GraphQLResolveInfo,
  type GraphQLSchema,
  type OperationDefinitionNode,
} from "graphql";
import { bulkFields, cancelBulkOperation, runBulkQuery, type BulkExecution, type BulkOperationRecord } from "./bulk";
import type { SimCore } from "./core";
import {
  displayFulfillmentStatus,
  fulfilledQuantities,
  gid,
  latestEvent,
  parseGid,
  type CustomerRecord,
  type FulfillmentEventRecord,
  type FulfillmentRecord,
  type LineItemRecord,
  type OrderRecord,
  type ShopRecord,
} from "./model";
import { restFulfillmentEvent } from "./rest";
import { schemaForVersion, fulfillmentDisplayStatuses, fulfillmentEventStatuses } from "./schema";
import { compileSearch, compare, dateCompiler, type SearchSpec, type SearchWarning } from "./search";
import { actualCost, MUTATION_COST, requestedCost, type WalkContext } from "./selection";
import { formatOffset, nextUpdatedAt, timeZoneOffsetMinutes, zonedMidnight } from "./time";
import { readBody, sendJson } from "../lib/http-server";

export interface GqlContext {
  core: SimCore;
  shop: ShopRecord;
  version: string;
  /** Set while a bulk operation executes its query: connections return everything, root connections in slices. */
  bulk: BulkExecution | null;
  searchWarnings: Array<{ path: Array<string | number>; query: string; warnings: SearchWarning[] }>;
}

// ---------------------------------------------------------------------------------------------
// Pagination

interface PageArgs {
  first?: number | null;
  after?: string | null;
  last?: number | null;
  before?: string | null;
  reverse?: boolean | null;
}

type SortValue = number | string;

interface Connection<T> {
  edges: Array<{ cursor: string; node: T }>;
  nodes: T[];
  pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string | null; endCursor: string | null };
}

const MAX_PAGE_SIZE = 250;

/** Shopify cursors are base64 JSON of the last row's id and sort value. */
function encodeCursor(id: number, value: SortValue): string {
  return Buffer.from(JSON.stringify({ last_id: id, last_value: value })).toString("base64");
}

function decodeCursor(cursor: string): { id: number; value: SortValue } {
  try {
    const parsed = JSON.parse(Buffer.from(cursor, "base64").toString("utf8")) as { last_id?: unknown; last_value?: unknown };
    if (typeof parsed.last_id === "number" && (typeof parsed.last_value === "number" || typeof parsed.last_value === "string")) {
      return { id: parsed.last_id, value: parsed.last_value };
    }
  } catch {
    // fall through
  }
  throw new GraphQLError("Invalid cursor for current pagination sort.", { extensions: { code: "BAD_REQUEST" } });
}

function compareKeys(a: { id: number; value: SortValue }, b: { id: number; value: SortValue }): number {
  if (a.value !== b.value) {
    if (typeof a.value === "number" && typeof b.value === "number") return a.value - b.value;
    return String(a.value) < String(b.value) ? -1 : 1;
  }
  return a.id - b.id;
}

function isRootField(info: GraphQLResolveInfo): boolean {
  return info.path.prev === undefined;
}

/**
 * `items` must already be in ascending (sort value, id) order. Outside bulk mode Shopify insists on
 * `first` or `last` (≤ 250); inside a bulk query the page arguments are ignored and everything is
 * returned, with root connections cut into the slices the bulk runner asks for.
 */
function paginate<T>(
  ctx: GqlContext,
  info: GraphQLResolveInfo,
  items: readonly T[],
  args: PageArgs,
  key: (item: T) => { id: number; value: SortValue },
): Connection<T> {
  const build = (slice: readonly T[], hasNextPage: boolean, hasPreviousPage: boolean): Connection<T> => {
    const edges = slice.map((node) => {
      const k = key(node);
      return { cursor: encodeCursor(k.id, k.value), node };
    });
    return {
      edges,
      nodes: [...slice],
      pageInfo: {
        hasNextPage,
        hasPreviousPage,
        startCursor: edges[0]?.cursor ?? null,
        endCursor: edges[edges.length - 1]?.cursor ?? null,
      },
    };
  };
  const ordered = args.reverse ? [...items].reverse() : items;
  if (ctx.bulk) {
    if (!isRootField(info)) return build(ordered, false, false);
    const slice = ordered.slice(ctx.bulk.offset, ctx.bulk.offset + ctx.bulk.limit);
    ctx.bulk.rootCounts.set(String(info.path.key), slice.length);
    return build(slice, false, false);
  }
  const { first, last } = args;
  if ((first === null || first === undefined) && (last === null || last === undefined)) {
    throw new GraphQLError("you must provide one of first or last", { extensions: { code: "BAD_REQUEST" } });
  }
  for (const [label, size] of [
    ["first", first],
    ["last", last],
  ] as const) {
    if (size !== null && size !== undefined && (size < 0 || size > MAX_PAGE_SIZE)) {
      throw new GraphQLError(
        `Argument '${label}' on Field '${info.fieldName}' has an invalid value (${size}). Expected a page size from 0 to ${MAX_PAGE_SIZE}.`,
        { extensions: { code: "argumentLiteralsIncompatible" } },
      );
    }
  }
  const dir = args.reverse ? -1 : 1;
  // First index whose key is past `cursor` in list order (strictly, or inclusively).
  const seek = (cursor: { id: number; value: SortValue }, inclusive: boolean): number => {
    let lo = 0;
    let hi = ordered.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      const c = dir * compareKeys(key(ordered[mid]!), cursor);
      if (c > 0 || (inclusive && c === 0)) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  };
  const start = args.after ? seek(decodeCursor(args.after), false) : 0;
  const end = args.before ? seek(decodeCursor(args.before), true) : ordered.length;
  let from = start;
  let to = Math.max(start, end);
  if (first !== null && first !== undefined) to = Math.min(to, from + first);
  if (last !== null && last !== undefined) from = Math.max(from, to - last);
  return build(ordered.slice(from, to), to < ordered.length, from > 0);
}

// ---------------------------------------------------------------------------------------------
// Visibility and lookups

const SIXTY_DAYS_MS = 60 * 86_400_000;

function orderVisible(ctx: GqlContext, order: OrderRecord | undefined): order is OrderRecord {
  if (!order) return false;
  if (ctx.shop.readAllOrders) return true;
  return order.createdAt.getTime() >= ctx.core.options.now().getTime() - SIXTY_DAYS_MS;
}

function invalidId(id: string): GraphQLError {
  return new GraphQLError(`Invalid global id '${id}'`, { extensions: { code: "argumentLiteralsIncompatible", typeName: "CoercionError" } });
}

function lookupNode(ctx: GqlContext, id: string): unknown {
  const parsed = parseGid(id);
  if (!parsed) throw invalidId(id);
  const shop = ctx.shop;
  switch (parsed.type) {
    case "Shop":
      return parsed.id === shop.legacyId ? shop : null;
    case "Order": {
      const o = shop.ordersById.get(parsed.id);
      return orderVisible(ctx, o) ? o : null;
    }
    case "Fulfillment": {
      const f = shop.fulfillmentsById.get(parsed.id);
      return f && orderVisible(ctx, f.order) ? f : null;
    }
    case "LineItem": {
      const li = shop.lineItemsById.get(parsed.id);
      return li && orderVisible(ctx, li.order) ? li : null;
    }
    case "FulfillmentEvent": {
      const e = shop.eventsById.get(parsed.id);
      return e && orderVisible(ctx, e.fulfillment.order) ? e : null;
    }
    case "FulfillmentLineItem": {
      for (const f of shop.fulfillmentsById.values()) {
        const fli = f.lineItems.find((x) => x.legacyId === parsed.id);
        if (fli) return orderVisible(ctx, f.order) ? fli : null;
      }
      return null;
    }
    case "Customer":
      return shop.customersById.get(parsed.id) ?? null;
    case "Product":
      return shop.productsById.get(parsed.id) ?? null;
    case "ProductVariant":
      return shop.variantsById.get(parsed.id) ?? null;
    case "BulkOperation":
      return shop.bulkOperations.find((b) => b.legacyId === parsed.id) ?? null;
    default:
      return null;
  }
}

function typed<T>(ctx: GqlContext, id: string, kind: string): T | null {
  const node = lookupNode(ctx, id) as { kind?: string } | null;
  return node && node.kind === kind ? (node as T) : null;
}

// ---------------------------------------------------------------------------------------------
// Orders search and sort

function orderSearchSpec(ctx: GqlContext): SearchSpec<OrderRecord> {
  const tz = ctx.shop.ianaTimezone;
  const dayStart = (y: number, m: number, d: number) => zonedMidnight(y, m, d, tz);
  const now = ctx.core.options.now;
  const lowerEq = (pick: (o: OrderRecord) => string | null | undefined) => (_c: string, value: string) => (o: OrderRecord) =>
    (pick(o) ?? "").toLowerCase() === value.toLowerCase();
  return {
    fields: {
      created_at: dateCompiler((o) => o.createdAt, dayStart, now),
      updated_at: dateCompiler((o) => o.updatedAt, dayStart, now),
      processed_at: dateCompiler((o) => o.processedAt, dayStart, now),
      cancelled_at: dateCompiler((o) => o.cancelledAt, dayStart, now),
      fulfillment_status: (_c, value) => {
        const v = value.toLowerCase();
        const want: Record<string, string[]> = {
          shipped: ["FULFILLED"],
          fulfilled: ["FULFILLED"],
          partial: ["PARTIALLY_FULFILLED"],
          unshipped: ["UNFULFILLED"],
          unfulfilled: ["UNFULFILLED", "PARTIALLY_FULFILLED"],
          any: ["FULFILLED", "PARTIALLY_FULFILLED", "UNFULFILLED"],
        };
        const set = want[v];
        if (!set) return { warning: `Invalid value for fulfillment_status: ${value}` };
        return (o) => set.includes(displayFulfillmentStatus(o));
      },
      status: (_c, value) => {
        switch (value.toLowerCase()) {
          case "any":
            return () => true;
          case "open":
            return (o) => o.closedAt === null && o.cancelledAt === null;
          case "closed":
            return (o) => o.closedAt !== null;
          case "cancelled":
            return (o) => o.cancelledAt !== null;
          case "not_closed":
            return (o) => o.closedAt === null;
          default:
            return { warning: `Invalid value for status: ${value}` };
        }
      },
      financial_status: lowerEq((o) => o.financialStatus),
      email: lowerEq((o) => o.email),
      name: (_c, value) => (o) => o.name.toLowerCase() === value.toLowerCase() || String(o.number) === value.replace(/^#/, ""),
      tag: (_c, value) => (o) => o.tags.some((t) => t.toLowerCase() === value.toLowerCase()),
      test: (_c, value) => (o) => String(o.test) === value.toLowerCase(),
      id: (c, value) => {
        const n = Number(/^\d+$/.test(value) ? value : (parseGid(value)?.id ?? NaN));
        if (Number.isNaN(n)) return { warning: `Invalid id: ${value}` };
        return (o) => compare(o.legacyId, c, n);
      },
      customer_id: (_c, value) => (o) => String(o.customer?.legacyId ?? "") === value,
      sku: (_c, value) => (o) => o.lineItems.some((li) => (li.sku ?? "").toLowerCase() === value.toLowerCase()),
    },
    freeText: (text) => {
      const t = text.toLowerCase();
      return (o) =>
        o.name.toLowerCase().includes(t) ||
        (o.email ?? "").toLowerCase().includes(t) ||
        `${o.customer?.firstName ?? ""} ${o.customer?.lastName ?? ""}`.toLowerCase().includes(t);
    },
  };
}

function orderSortValue(sortKey: string): (o: OrderRecord) => SortValue {
  switch (sortKey) {
    case "CREATED_AT":
      return (o) => o.createdAt.getTime();
    case "UPDATED_AT":
      return (o) => o.updatedAt.getTime();
    case "PROCESSED_AT":
      return (o) => o.processedAt.getTime();
    case "ORDER_NUMBER":
      return (o) => o.number;
    case "CUSTOMER_NAME":
      return (o) => `${o.customer?.firstName ?? ""} ${o.customer?.lastName ?? ""}`.trim().toLowerCase();
    case "TOTAL_PRICE":
    case "CURRENT_TOTAL_PRICE":
      return (o) => o.lineItems.reduce((s, li) => s + Number(li.price) * li.quantity, 0);
    default:
      return (o) => o.legacyId;
  }
}

function filteredOrders(ctx: GqlContext, info: GraphQLResolveInfo, args: { query?: string | null; sortKey?: string | null }): OrderRecord[] {
  const cacheKey = `orders:${String(info.path.key)}`;
  const cached = ctx.bulk?.cache.get(cacheKey) as OrderRecord[] | undefined;
  if (cached) return cached;
  const { predicate, warnings } = compileSearch(args.query, orderSearchSpec(ctx));
  if (warnings.length && !ctx.bulk) ctx.searchWarnings.push({ path: pathOf(info), query: args.query ?? "", warnings });
  let list = ctx.shop.orders.filter((o) => orderVisible(ctx, o) && predicate(o));
  const sortKey = args.sortKey ?? "ID";
  if (sortKey !== "ID" && sortKey !== "RELEVANCE") {
    const value = orderSortValue(sortKey);
    const keyed = list.map((o) => ({ o, k: { id: o.legacyId, value: value(o) } }));
    keyed.sort((a, b) => compareKeys(a.k, b.k));
    list = keyed.map((x) => x.o);
  } else if (!isSortedById(list)) {
    list = [...list].sort((a, b) => a.legacyId - b.legacyId);
  }
  ctx.bulk?.cache.set(cacheKey, list);
  return list;
}

function isSortedById(list: readonly OrderRecord[]): boolean {
  for (let i = 1; i < list.length; i++) if (list[i - 1]!.legacyId > list[i]!.legacyId) return false;
  return true;
}

function pathOf(info: GraphQLResolveInfo): Array<string | number> {
  const out: Array<string | number> = [];
  for (let p: GraphQLResolveInfo["path"] | undefined = info.path; p; p = p.prev) out.unshift(p.key);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Resolvers

type Resolver = GraphQLFieldResolver<any, GqlContext, any>;

function versionedStatus(value: string, allowed: string[]): string {
  // A status written through a newer API version still has to serialise on an older one. [U]
  return allowed.includes(value) ? value : "IN_TRANSIT";
}

function fulfillmentDisplayStatus(f: FulfillmentRecord, version: string): string {
  if (f.status === "cancelled") return "CANCELED";
  if (f.status === "failure" || f.status === "error") return "FAILURE";
  const last = latestEvent(f);
  if (last) return versionedStatus(last.status, fulfillmentDisplayStatuses(version));
  return f.trackingNumbers.length > 0 ? "FULFILLED" : "MARKED_AS_FULFILLED";
}

function eventTime(e: FulfillmentEventRecord): Date {
  return e.happenedAt ?? e.createdAt;
}

function firstEventAt(f: FulfillmentRecord, statuses: string[]): Date | null {
  const times = f.events.filter((e) => statuses.includes(e.status)).map((e) => eventTime(e).getTime());
  return times.length ? new Date(Math.min(...times)) : null;
}

const legacy: Resolver = (r: { legacyId: number }) => String(r.legacyId);

const RESOLVERS: Record<string, Record<string, Resolver>> = {
  QueryRoot: {
    shop: (_s, _a, ctx) => ctx.shop,
    node: (_s, a: { id: string }, ctx) => lookupNode(ctx, a.id),
    nodes: (_s, a: { ids: string[] }, ctx) => a.ids.map((id) => lookupNode(ctx, id)),
    order: (_s, a: { id: string }, ctx) => typed(ctx, a.id, "Order"),
    fulfillment: (_s, a: { id: string }, ctx) => typed(ctx, a.id, "Fulfillment"),
    customer: (_s, a: { id: string }, ctx) => typed(ctx, a.id, "Customer"),
    orders: (_s, a: PageArgs & { query?: string; sortKey?: string }, ctx, info) => {
      const list = filteredOrders(ctx, info, a);
      const value = orderSortValue(a.sortKey ?? "ID");
      return paginate(ctx, info, list, a, (o) => ({ id: o.legacyId, value: value(o) }));
    },
    currentBulkOperation: (_s, a: { type: string }, ctx) => {
      const ops = ctx.shop.bulkOperations.filter((b) => b.type === a.type);
      return ops[ops.length - 1] ?? null;
    },
    bulkOperation: (_s, a: { id: string }, ctx) => typed(ctx, a.id, "BulkOperation"),
    bulkOperations: (_s, a: PageArgs & { query?: string; sortKey?: string }, ctx, info) => {
      const spec: SearchSpec<BulkOperationRecord> = {
        fields: {
          status: (_c, v) => (b) => bulkFields(ctx.core, b).status.toLowerCase() === v.toLowerCase(),
          operation_type: (_c, v) => (b) => b.type.toLowerCase() === v.toLowerCase(),
          created_at: dateCompiler((b) => b.createdAt, (y, m, d) => zonedMidnight(y, m, d, ctx.shop.ianaTimezone), ctx.core.options.now),
        },
        freeText: () => () => true,
      };
      const { predicate } = compileSearch(a.query, spec);
      const value = (b: BulkOperationRecord): SortValue =>
        a.sortKey === "COMPLETED_AT" ? (b.completedAt?.getTime() ?? 0) : a.sortKey === "ID" ? b.legacyId : b.createdAt.getTime();
      const list = ctx.shop.bulkOperations.filter(predicate).sort((x, y) => compareKeys({ id: x.legacyId, value: value(x) }, { id: y.legacyId, value: value(y) }));
      return paginate(ctx, info, list, a, (b) => ({ id: b.legacyId, value: value(b) }));
    },
  },
  Mutation: {
    bulkOperationRunQuery: (_s, a: { query: string }, ctx) => runBulkQuery(ctx, a.query),
    bulkOperationCancel: (_s, a: { id: string }, ctx) => cancelBulkOperation(ctx, a.id),
    fulfillmentEventCreate: (_s, a: { fulfillmentEvent: Record<string, unknown> }, ctx) => createFulfillmentEvent(ctx, a.fulfillmentEvent),
  },
  Shop: {
    id: (s: ShopRecord) => gid("Shop", s.legacyId),
    myshopifyDomain: (s: ShopRecord) => s.domain,
    contactEmail: (s: ShopRecord) => s.email,
    url: (s: ShopRecord) => `https://${s.domain}`,
    timezoneOffsetMinutes: (s: ShopRecord, _a, ctx) => timeZoneOffsetMinutes(ctx.core.options.now(), s.ianaTimezone),
    timezoneOffset: (s: ShopRecord, _a, ctx) => formatOffset(timeZoneOffsetMinutes(ctx.core.options.now(), s.ianaTimezone)).replace(":", ""),
    timezoneAbbreviation: (s: ShopRecord, _a, ctx) =>
      new Intl.DateTimeFormat("en-US", { timeZone: s.ianaTimezone, timeZoneName: "short" })
        .formatToParts(ctx.core.options.now())
        .find((p) => p.type === "timeZoneName")?.value ?? "UTC",
  },
  Order: {
    id: (o: OrderRecord) => gid("Order", o.legacyId),
    legacyResourceId: legacy,
    closed: (o: OrderRecord) => o.closedAt !== null,
    confirmed: () => true,
    displayFinancialStatus: (o: OrderRecord) => o.financialStatus,
    displayFulfillmentStatus: (o: OrderRecord) => displayFulfillmentStatus(o),
    fulfillable: (o: OrderRecord) => o.cancelledAt === null && displayFulfillmentStatus(o) !== "FULFILLED",
    lineItems: (o: OrderRecord, a: PageArgs, ctx, info) => paginate(ctx, info, o.lineItems, a, (li) => ({ id: li.legacyId, value: li.legacyId })),
    fulfillments: (o: OrderRecord, a: { first?: number | null }) =>
      a.first === null || a.first === undefined ? o.fulfillments : o.fulfillments.slice(0, Math.max(0, a.first)),
  },
  Customer: {
    id: (c: CustomerRecord) => gid("Customer", c.legacyId),
    legacyResourceId: legacy,
    displayName: (c: CustomerRecord) => [c.firstName, c.lastName].filter(Boolean).join(" ") || c.email || "",
    defaultEmailAddress: (c: CustomerRecord) => (c.email ? { emailAddress: c.email } : null),
    defaultPhoneNumber: (c: CustomerRecord) => (c.phone ? { phoneNumber: c.phone } : null),
    updatedAt: (c: CustomerRecord) => c.createdAt,
  },
  MailingAddress: {
    id: (a: { legacyId: number }) => `${gid("MailingAddress", a.legacyId)}?model_name=Address`,
    name: (a: { firstName: string | null; lastName: string | null }) => [a.firstName, a.lastName].filter(Boolean).join(" ") || null,
    countryCodeV2: (a: { countryCode: string | null }) => a.countryCode,
  },
  LineItem: {
    id: (li: LineItemRecord) => gid("LineItem", li.legacyId),
    name: (li: LineItemRecord) => (li.variantTitle ? `${li.title} - ${li.variantTitle}` : li.title),
    currentQuantity: (li: LineItemRecord) => li.quantity,
    unfulfilledQuantity: (li: LineItemRecord) => Math.max(0, li.quantity - (fulfilledQuantities(li.order).get(li) ?? 0)),
  },
  Image: {
    id: (img: { url: string }) => gid("ImageSource", Math.abs(hashCode(img.url))),
  },
  ProductVariant: {
    id: (v: { legacyId: number }) => gid("ProductVariant", v.legacyId),
    legacyResourceId: legacy,
    displayName: (v: { title: string; product: { title: string } }) => `${v.product.title} - ${v.title}`,
  },
  Product: {
    id: (p: { legacyId: number }) => gid("Product", p.legacyId),
    legacyResourceId: legacy,
  },
  Fulfillment: {
    id: (f: FulfillmentRecord) => gid("Fulfillment", f.legacyId),
    legacyResourceId: legacy,
    name: (f: FulfillmentRecord) => `${f.order.name}.${f.index}`,
    status: (f: FulfillmentRecord) => f.status.toUpperCase(),
    displayStatus: (f: FulfillmentRecord, _a, ctx) => fulfillmentDisplayStatus(f, ctx.version),
    deliveredAt: (f: FulfillmentRecord) => firstEventAt(f, ["DELIVERED"]),
    inTransitAt: (f: FulfillmentRecord) => firstEventAt(f, ["IN_TRANSIT", "CARRIER_PICKED_UP"]),
    estimatedDeliveryAt: (f: FulfillmentRecord) => {
      const withEta = f.events.filter((e) => e.estimatedDeliveryAt);
      return withEta.length ? withEta[withEta.length - 1]!.estimatedDeliveryAt : null;
    },
    requiresShipping: () => true,
    totalQuantity: (f: FulfillmentRecord) => f.lineItems.reduce((s, x) => s + x.quantity, 0),
    trackingInfo: (f: FulfillmentRecord, a: { first?: number | null }) => {
      const info: Array<{ company: string | null; number: string | null; url: string | null }> = f.trackingNumbers.map((number, i) => ({
        company: f.trackingCompany,
        number,
        url: f.trackingUrls[i] ?? null,
      }));
      // A carrier without a number yet still shows as one entry (number is nullable in the schema). [U]
      if (info.length === 0 && f.trackingCompany) info.push({ company: f.trackingCompany, number: null, url: null });
      return a.first === null || a.first === undefined ? info : info.slice(0, Math.max(0, a.first));
    },
    fulfillmentLineItems: (f: FulfillmentRecord, a: PageArgs, ctx, info) => paginate(ctx, info, f.lineItems, a, (x) => ({ id: x.legacyId, value: x.legacyId })),
    events: (f: FulfillmentRecord, a: PageArgs & { sortKey?: string }, ctx, info) => {
      const byHappened = a.sortKey === "HAPPENED_AT";
      const value = (e: FulfillmentEventRecord): SortValue => (byHappened ? eventTime(e).getTime() : e.legacyId);
      const list = [...f.events].sort((x, y) => compareKeys({ id: x.legacyId, value: value(x) }, { id: y.legacyId, value: value(y) }));
      return paginate(ctx, info, list, a, (e) => ({ id: e.legacyId, value: value(e) }));
    },
  },
  FulfillmentLineItem: {
    id: (x: { legacyId: number }) => gid("FulfillmentLineItem", x.legacyId),
  },
  FulfillmentEvent: {
    id: (e: FulfillmentEventRecord) => gid("FulfillmentEvent", e.legacyId),
    status: (e: FulfillmentEventRecord, _a, ctx) => versionedStatus(e.status, fulfillmentEventStatuses(ctx.version)),
    happenedAt: (e: FulfillmentEventRecord) => eventTime(e),
  },
  BulkOperation: {
    id: (b: BulkOperationRecord) => gid("BulkOperation", b.legacyId),
    status: (b: BulkOperationRecord, _a, ctx) => bulkFields(ctx.core, b).status,
    objectCount: (b: BulkOperationRecord, _a, ctx) => bulkFields(ctx.core, b).objectCount,
    rootObjectCount: (b: BulkOperationRecord, _a, ctx) => bulkFields(ctx.core, b).rootObjectCount,
    fileSize: (b: BulkOperationRecord, _a, ctx) => bulkFields(ctx.core, b).fileSize,
    url: (b: BulkOperationRecord, _a, ctx) => bulkFields(ctx.core, b).url,
    partialDataUrl: (b: BulkOperationRecord, _a, ctx) => bulkFields(ctx.core, b).partialDataUrl,
    completedAt: (b: BulkOperationRecord, _a, ctx) => bulkFields(ctx.core, b).completedAt,
    errorCode: (b: BulkOperationRecord, _a, ctx) => bulkFields(ctx.core, b).errorCode,
  },
};

function hashCode(text: string): number {
  let h = 0;
  for (let i = 0; i < text.length; i++) h = (Math.imul(31, h) + text.charCodeAt(i)) | 0;
  return h;
}

const wired = new WeakSet<GraphQLSchema>();

export function wiredSchema(version: string): GraphQLSchema {
  const schema = schemaForVersion(version);
  if (wired.has(schema)) return schema;
  for (const [typeName, fields] of Object.entries(RESOLVERS)) {
    const type = schema.getType(typeName) as GraphQLObjectType | undefined;
    if (!type) continue;
    const defs = type.getFields();
    for (const [field, resolve] of Object.entries(fields)) if (defs[field]) defs[field].resolve = resolve;
  }
  for (const name of ["Node", "LegacyInteroperability"]) {
    (schema.getType(name) as GraphQLInterfaceType).resolveType = (value: unknown) => (value as { kind: string }).kind;
  }
  wired.add(schema);
  return schema;
}

// ---------------------------------------------------------------------------------------------
// fulfillmentEventCreate

function createFulfillmentEvent(ctx: GqlContext, input: Record<string, unknown>): unknown {
  if (!ctx.shop.accessScopes.has("write_fulfillments")) {
    // A top-level error with the field null, as Shopify answers a mutation the app has no scope for.
    const requiredAccess = "`write_fulfillments` access scope. Also: User must have `fulfill_and_ship_orders` permission.";
    throw new GraphQLError(`Access denied for fulfillmentEventCreate field. Required access: ${requiredAccess}`, {
      extensions: { code: "ACCESS_DENIED", documentation: "https://shopify.dev/api/usage/access-scopes", requiredAccess },
    });
  }
  const fulfillmentId = String(input.fulfillmentId);
  const parsed = parseGid(fulfillmentId);
  if (!parsed) throw invalidId(fulfillmentId);
  const f = parsed.type === "Fulfillment" ? ctx.shop.fulfillmentsById.get(parsed.id) : undefined;
  const field = ["fulfillmentEvent", "fulfillmentId"];
  if (!f || !orderVisible(ctx, f.order)) {
    return { fulfillmentEvent: null, userErrors: [{ field, message: "Fulfillment does not exist." }] };
  }
  if (f.status === "cancelled") {
    // Shopify refuses tracking events on a cancelled fulfillment; the exact wording is not documented. [U]
    return { fulfillmentEvent: null, userErrors: [{ field, message: "Fulfillment is cancelled and cannot accept new events." }] };
  }
  const now = ctx.core.options.now();
  const str = (k: string) => (input[k] === undefined || input[k] === null ? null : String(input[k]));
  const num = (k: string) => (typeof input[k] === "number" ? (input[k] as number) : null);
  const event: FulfillmentEventRecord = {
    kind: "FulfillmentEvent",
    legacyId: ctx.core.ids.take("FulfillmentEvent"),
    fulfillment: f,
    status: String(input.status),
    message: str("message"),
    happenedAt: (input.happenedAt as Date | null | undefined) ?? null,
    estimatedDeliveryAt: (input.estimatedDeliveryAt as Date | null | undefined) ?? null,
    address1: str("address1"),
    city: str("city"),
    province: str("province"),
    country: str("country"),
    zip: str("zip"),
    latitude: num("latitude"),
    longitude: num("longitude"),
    createdAt: now,
    apiVersion: ctx.version,
  };
  f.events.push(event);
  ctx.shop.events.push(event);
  ctx.shop.eventsById.set(event.legacyId, event);
  f.updatedAt = nextUpdatedAt(f.updatedAt, now);
  if (ctx.core.options.webhookTopics.has("fulfillment_events/create")) {
    void ctx.core.webhooks.send(ctx.shop.domain, "fulfillment_events/create", restFulfillmentEvent(event));
  }
  return { fulfillmentEvent: event, userErrors: [] };
}

// ---------------------------------------------------------------------------------------------
// Request handling

interface ShopifyError {
  message: string;
  locations?: ReadonlyArray<{ line: number; column: number }>;
  path?: ReadonlyArray<string | number>;
  extensions?: Record<string, unknown>;
}

/** graphql-js wording → Shopify's (graphql-ruby) wording for the errors apps most often hit. */
function shopifyValidationError(e: GraphQLError): ShopifyError {
  const json = e.toJSON() as ShopifyError;
  const undefinedField = /^Cannot query field "([^"]+)" on type "([^"]+)"\./.exec(e.message);
  if (undefinedField) {
    return {
      message: `Field '${undefinedField[1]}' doesn't exist on type '${undefinedField[2]}'`,
      locations: json.locations,
      extensions: { code: "undefinedField", typeName: undefinedField[2], fieldName: undefinedField[1] },
    };
  }
  if (/does not exist in "[^"]+" enum/.test(e.message) || /^Expected value of type/.test(e.message)) {
    return { ...json, extensions: { code: "argumentLiteralsIncompatible" } };
  }
  return json;
}

function explainProblem(error: GraphQLError, invalid: unknown, schema: GraphQLSchema): string {
  const m = /does not exist in "([^"]+)" enum/.exec(error.message);
  if (m) {
    const type = schema.getType(m[1]!);
    if (type && isEnumType(type)) {
      return `Expected "${String(invalid)}" to be one of: ${type.getValues().map((v) => v.name).join(", ")}`;
    }
  }
  if (/^Expected non-nullable type/.test(error.message) || /was not provided/.test(error.message)) return "Expected value to not be null";
  return error.message;
}

/** Variable coercion with Shopify's message shape: "Variable $x of type T! was provided invalid value for a.b (…)". */
function coerceVariables(schema: GraphQLSchema, op: OperationDefinitionNode, inputs: Record<string, unknown>): ShopifyError[] {
  const errors: ShopifyError[] = [];
  for (const def of op.variableDefinitions ?? []) {
    const name = def.variable.name.value;
    const type = typeFromAST(schema, def.type as never) as GraphQLInputType | undefined;
    if (!type) continue;
    const typeText = print(def.type);
    const provided = Object.prototype.hasOwnProperty.call(inputs, name);
    const problems: Array<{ path: Array<string | number>; explanation: string }> = [];
    if (!provided || inputs[name] === null) {
      if (def.defaultValue && !provided) {
        valueFromAST(def.defaultValue, type);
        continue;
      }
      if (isNonNullType(type)) problems.push({ path: [], explanation: "Expected value to not be null" });
    } else {
      coerceInputValue(inputs[name], type, (path, invalid, error) => {
        problems.push({ path: [...path], explanation: explainProblem(error, invalid, schema) });
      });
    }
    if (problems.length === 0) continue;
    const only = problems.length === 1 ? problems[0]! : null;
    const where = only && only.path.length ? ` for ${only.path.join(".")}` : "";
    const why = only ? ` (${only.explanation})` : "";
    errors.push({
      message: `Variable $${name} of type ${typeText} was provided invalid value${where}${why}`,
      locations: [{ line: def.loc?.startToken.line ?? 1, column: def.loc?.startToken.column ?? 1 }],
      extensions: { value: provided ? inputs[name] : null, problems },
    });
  }
  return errors;
}

function restore(shop: ShopRecord): void {
  const nowMs = performance.now();
  const elapsed = (nowMs - shop.bucket.atMs) / 1000;
  shop.bucket.available = Math.min(shop.rateLimit.maximumAvailable, shop.bucket.available + elapsed * shop.rateLimit.restoreRate);
  shop.bucket.atMs = nowMs;
}

function throttleStatus(shop: ShopRecord) {
  return {
    maximumAvailable: shop.rateLimit.maximumAvailable,
    currentlyAvailable: Math.floor(shop.bucket.available),
    restoreRate: shop.rateLimit.restoreRate,
  };
}

export interface GraphqlRequest {
  query: string;
  variables: Record<string, unknown>;
  operationName: string | null;
}

export async function parseGraphqlBody(req: IncomingMessage): Promise<GraphqlRequest | null> {
  const raw = (await readBody(req)).toString("utf8");
  const type = String(req.headers["content-type"] ?? "");
  if (type.includes("application/graphql")) return raw.trim() ? { query: raw, variables: {}, operationName: null } : null;
  try {
    const body = JSON.parse(raw) as { query?: unknown; variables?: unknown; operationName?: unknown };
    if (typeof body.query !== "string" || !body.query.trim()) return null;
    const variables = typeof body.variables === "string" ? (JSON.parse(body.variables) as unknown) : body.variables;
    return {
      query: body.query,
      variables: variables && typeof variables === "object" ? (variables as Record<string, unknown>) : {},
      operationName: typeof body.operationName === "string" && body.operationName ? body.operationName : null,
    };
  } catch {
    return null;
  }
}

/** A long-running demo must not grow without bound; tests never come near the cap. */
export function pushBounded<T>(list: T[], item: T, cap = 20_000): void {
  list.push(item);
  if (list.length > cap) list.splice(0, list.length - cap);
}

export async function handleGraphql(core: SimCore, req: IncomingMessage, res: ServerResponse, shopDomain: string, version: string): Promise<void> {
  const headers = { "x-shopify-api-version": version, "x-request-id": randomUUID() };
  // Read first so that rejected calls (401, 404) are recorded with their query too: tests assert on what the app sent.
  const body = req.method === "POST" ? await parseGraphqlBody(req) : null;
  const record = (status: number, operationName: string | null, throttled = false, requested: number | null = null, actual: number | null = null) =>
    pushBounded(core.graphqlCalls, {
      shop: shopDomain,
      version,
      operationName,
      query: body?.query ?? "",
      variables: body?.variables ?? null,
      status,
      throttled,
      requestedQueryCost: requested,
      actualQueryCost: actual,
      at: core.options.now().toISOString(),
    });
  const reject = (status: number, payload: unknown) => {
    record(status, body?.operationName ?? null);
    sendJson(res, status, payload, headers);
  };
  const shop = core.shops.get(shopDomain);
  if (!shop || !core.options.apiVersions.has(version)) return reject(404, { errors: "Not Found" });
  const token = req.headers["x-shopify-access-token"];
  if (shop.tokenRevoked || typeof token !== "string" || token !== shop.accessToken) {
    return reject(401, { errors: "[API] Invalid API key or access token (unrecognized login or wrong password)" });
  }
  if (req.method !== "POST") return reject(405, { errors: "Method Not Allowed" });
  if (!body) return reject(400, { errors: { query: "Required parameter missing or invalid" } });
  const result = await runGraphql(core, shop, version, body);
  record(200, result.operationName, result.throttled, result.requested, result.actual);
  sendJson(res, 200, result.body, headers);
}

export async function runGraphql(
  core: SimCore,
  shop: ShopRecord,
  version: string,
  body: GraphqlRequest,
): Promise<{ body: Record<string, unknown>; operationName: string | null; throttled: boolean; requested: number | null; actual: number | null }> {
  const schema = wiredSchema(version);
  let document: DocumentNode;
  try {
    document = parse(body.query);
  } catch (e) {
    const err = e as GraphQLError;
    return { body: { errors: [{ message: err.message, locations: err.locations }] }, operationName: body.operationName, throttled: false, requested: null, actual: null };
  }
  const validationErrors = validate(schema, document);
  const op = getOperationAST(document, body.operationName ?? undefined);
  const operationName = op?.name?.value ?? body.operationName;
  if (validationErrors.length) {
    return { body: { errors: validationErrors.map(shopifyValidationError) }, operationName, throttled: false, requested: null, actual: null };
  }
  if (!op) {
    const message = body.operationName ? `No operation named "${body.operationName}"` : "An operation name is required when the document has more than one operation";
    return { body: { errors: [{ message }] }, operationName, throttled: false, requested: null, actual: null };
  }
  if (op.operation === "subscription") {
    return { body: { errors: [{ message: "Subscriptions are not supported" }] }, operationName, throttled: false, requested: null, actual: null };
  }
  const variableErrors = coerceVariables(schema, op, body.variables);
  if (variableErrors.length) {
    return { body: { errors: variableErrors }, operationName, throttled: false, requested: null, actual: null };
  }
  const fragments: Record<string, FragmentDefinitionNode> = {};
  for (const d of document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments[d.name.value] = d;
  const walk: WalkContext = { schema, fragments, variables: body.variables };
  const rootType = op.operation === "mutation" ? schema.getMutationType()! : schema.getQueryType()!;
  const requested =
    op.operation === "mutation"
      ? op.selectionSet.selections.filter((s) => s.kind === Kind.FIELD && !s.name.value.startsWith("__")).length * MUTATION_COST
      : requestedCost(walk, rootType, [op.selectionSet]);

  restore(shop);
  if (requested > shop.rateLimit.maximumAvailable) {
    return {
      body: {
        errors: [
          {
            message: `Query cost is ${requested}, which exceeds the single query max cost limit (${shop.rateLimit.maximumAvailable}).\n\nSee https://shopify.dev/concepts/about-apis/rate-limits for more information on how the\ncost of a query is calculated.\n\nTo query larger amounts of data with fewer limits, bulk operations should be used instead.\nSee https://shopify.dev/tutorials/perform-bulk-operations-with-admin-api for usage details.\n`,
            extensions: { code: "MAX_COST_EXCEEDED", cost: requested, maxCost: shop.rateLimit.maximumAvailable },
          },
        ],
      },
      operationName,
      throttled: false,
      requested,
      actual: null,
    };
  }
  if (requested > shop.bucket.available) {
    return {
      body: {
        errors: [{ message: "Throttled", extensions: { code: "THROTTLED", documentation: "https://shopify.dev/api/usage/rate-limits" } }],
        extensions: { cost: { requestedQueryCost: requested, actualQueryCost: null, throttleStatus: throttleStatus(shop) } },
      },
      operationName,
      throttled: true,
      requested,
      actual: null,
    };
  }
  shop.bucket.available -= requested;

  const ctx: GqlContext = { core, shop, version, bulk: null, searchWarnings: [] };
  const result = await execute({ schema, document, contextValue: ctx, variableValues: body.variables, operationName: body.operationName, rootValue: {} });
  const actual = op.operation === "mutation" ? requested : actualCost(walk, rootType, [op.selectionSet], result.data ?? null);
  restore(shop);
  shop.bucket.available = Math.min(shop.rateLimit.maximumAvailable, shop.bucket.available + Math.max(0, requested - actual));

  const out: Record<string, unknown> = {};
  if (result.errors?.length) {
    out.errors = result.errors.map((e) => {
      const json = e.toJSON() as ShopifyError;
      if (e.originalError && !(e.originalError instanceof GraphQLError)) {
        json.extensions = { ...json.extensions, code: "INTERNAL_SERVER_ERROR" };
      }
      return json;
    });
  }
  out.data = result.data ?? null;
  const extensions: Record<string, unknown> = {
    cost: { requestedQueryCost: requested, actualQueryCost: actual, throttleStatus: throttleStatus(shop) },
  };
  if (ctx.searchWarnings.length) extensions.search = ctx.searchWarnings;
  out.extensions = extensions;
  return { body: out, operationName, throttled: false, requested, actual };
}
