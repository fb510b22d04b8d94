import { randomBytes } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { requestUrl, sendJson, startHttpServer } from "../lib/http-server";
import { BulkEngine, snapshotBulkOperation, type SimBulkOperation } from "./bulk";
import { handleControl } from "./control";
import type { GraphqlCallRecord, ResolvedOptions, SimCore } from "./core";
import { handleGraphql } from "./graphql";
import {
  createFulfillmentRecord,
  createOrderRecord,
  displayFulfillmentStatus,
  gid,
  IdAllocator,
  legacyIdOf,
  snapshotOrder,
  updateFulfillmentRecord,
  type FulfillmentRecord,
  type ShopRecord,
  type SimFulfillmentInput,
  type SimFulfillmentPatch,
  type SimOrder,
  type SimOrderInput,
  type SimShopInput,
} from "./model";
import { restFulfillment, restOrder, restShop, type RestFulfillment } from "./rest";
import { LATEST_STABLE_API_VERSION, SUPPORTED_API_VERSIONS, versionAtLeast } from "./schema";
import { isValidTimeZone } from "./time";
import { WebhookSender, type SendOptions, type WebhookDeliveryRecord, type WebhookDeliveryResult } from "./webhooks";

export type { RestFulfillment, RestAddress, RestLineItem } from "./rest";
export type { SimBulkOperation } from "./bulk";
export type { GraphqlCallRecord } from "./core";
export type { SimOrder, SimOrderInput, SimShopInput, SimFulfillmentInput, SimFulfillmentPatch, SimLineItemInput, SimAddressInput, FulfillmentRestStatus } from "./model";
export type { WebhookDeliveryResult, WebhookDeliveryRecord, SendOptions } from "./webhooks";
export { signWebhookBody, webhookPath, MAX_WEBHOOK_RETRIES } from "./webhooks";
export { SUPPORTED_API_VERSIONS, LATEST_STABLE_API_VERSION, fulfillmentEventStatuses } from "./schema";
export { validateBulkQuery, flattenBulkResult } from "./bulk";

export interface ShopifySimulatorOptions {
  /** Default 0 (an ephemeral port). */
  port?: number;
  /** The app's API secret: signs webhooks (X-Shopify-Hmac-Sha256 = base64 HMAC-SHA256 of the raw body). */
  apiSecretKey: string;
  /** Where webhooks are POSTed: `${appUrl}${path}`; settable later with setAppUrl. */
  appUrl?: string;
  /** Time from CREATED to COMPLETED of a bulk operation, default 2000. */
  bulkOperationDurationMs?: number;
  /** First retry delay of a failed webhook delivery, doubling for each of up to 8 retries; default 60 000. */
  webhookRetryBaseMs?: number;
  /** Shopify gives up on a delivery after 5 s. */
  webhookTimeoutMs?: number;
  /** X-Shopify-API-Version on webhooks (the app's configured webhook version); default 2026-10. */
  webhookApiVersion?: string;
  /**
   * The topics the app is subscribed to. Model changes only send webhooks for these.
   * Default: fulfillments/create, fulfillments/update, app/uninstalled. Add e.g. `orders/fulfilled`,
   * `orders/updated`, `fulfillment_events/create`, `bulk_operations/finish` to receive those too.
   */
  webhookTopics?: string[];
  /**
   * How many bulk query operations may run at once per shop. Default by API version: 1 before
   * 2026-01, 5 from 2026-01 (Shopify raised the limit with that version). Pass a number to force one
   * limit for every version.
   */
  bulkQueryConcurrency?: number | ((apiVersion: string) => number);
  /** API versions served; default SUPPORTED_API_VERSIONS (2024-10 … 2026-10 and unstable). */
  apiVersions?: readonly string[];
  now?: () => Date;
}

export interface FulfillmentEventSnapshot {
  id: string;
  fulfillmentId: string;
  orderId: string;
  status: string;
  happenedAt: string | null;
  estimatedDeliveryAt: string | null;
  message: string | null;
  city: string | null;
  country: string | null;
  zip: string | null;
  province: string | null;
  address1: string | null;
  latitude: number | null;
  longitude: number | null;
  createdAt: string;
  apiVersion: string;
}

export interface ShopifySimulator {
  url: string;
  port: number;
  close(): Promise<void>;
  setAppUrl(url: string | null): void;
  addShop(s: SimShopInput): void;
  /** Revokes the shop's access token (Admin calls → 401) and, unless silent, sends app/uninstalled. */
  uninstallApp(domain: string, opts?: { silent?: boolean }): Promise<{ delivery?: WebhookDeliveryResult }>;
  addOrder(domain: string, o?: SimOrderInput): SimOrder;
  /** Many orders at once for backfill tests; `generator(i)` describes order i (0-based). */
  addOrders(domain: string, count: number, generator?: (index: number) => SimOrderInput): SimOrder[];
  getOrder(domain: string, orderId: string | number): SimOrder | undefined;
  getFulfillment(domain: string, fulfillmentId: string | number): RestFulfillment | undefined;
  /** Creates a fulfillment on the order and (unless silent) sends fulfillments/create to the app. Returns the REST-shaped fulfillment. */
  createFulfillment(
    domain: string,
    orderId: string | number,
    f?: SimFulfillmentInput,
    opts?: { silent?: boolean },
  ): Promise<{ fulfillment: RestFulfillment; delivery?: WebhookDeliveryResult }>;
  /** Changes tracking/status and (unless silent) sends fulfillments/update. */
  updateFulfillment(
    domain: string,
    fulfillmentId: string | number,
    patch: SimFulfillmentPatch,
    opts?: { silent?: boolean },
  ): Promise<{ fulfillment: RestFulfillment; delivery?: WebhookDeliveryResult }>;
  /** Sends any topic with any payload: app/uninstalled, the compliance topics, bad signatures, duplicates. */
  sendWebhook(domain: string, topic: string, payload: unknown, opts?: SendOptions): Promise<WebhookDeliveryResult>;
  readonly webhookDeliveries: ReadonlyArray<WebhookDeliveryRecord>;
  fulfillmentEvents(domain: string): ReadonlyArray<FulfillmentEventSnapshot>;
  bulkOperations(domain: string): ReadonlyArray<SimBulkOperation>;
  /** The next bulk operation of this shop ends FAILED with `errorCode` and a partialDataUrl. */
  failNextBulkOperation(domain: string, errorCode?: "ACCESS_DENIED" | "INTERNAL_SERVER_ERROR" | "TIMEOUT"): void;
  readonly graphqlCalls: ReadonlyArray<GraphqlCallRecord>;
  /** Make the JSONL download of a bulk result stop after `afterBytes` bytes until release() is called. */
  holdBulkDownload(afterBytes: number): { release(): void; reached: Promise<void> };
}

const DEFAULT_TOPICS = ["fulfillments/create", "fulfillments/update", "app/uninstalled"];

export async function startShopifySimulator(options: ShopifySimulatorOptions): Promise<ShopifySimulator> {
  if (!options.apiSecretKey) throw new Error("apiSecretKey is required: it signs the webhooks");
  const concurrency = options.bulkQueryConcurrency;
  const resolved: ResolvedOptions = {
    apiSecretKey: options.apiSecretKey,
    appUrl: options.appUrl ?? null,
    bulkOperationDurationMs: options.bulkOperationDurationMs ?? 2000,
    webhookRetryBaseMs: options.webhookRetryBaseMs ?? 60_000,
    webhookTimeoutMs: options.webhookTimeoutMs ?? 5000,
    webhookApiVersion: options.webhookApiVersion ?? LATEST_STABLE_API_VERSION,
    webhookTopics: new Set(options.webhookTopics ?? DEFAULT_TOPICS),
    bulkQueryConcurrency:
      typeof concurrency === "function"
        ? concurrency
        : typeof concurrency === "number"
          ? () => concurrency
          : (v) => (versionAtLeast(v, "2026-01") ? 5 : 1),
    apiVersions: new Set(options.apiVersions ?? SUPPORTED_API_VERSIONS),
    now: options.now ?? (() => new Date()),
  };
  const ids = new IdAllocator();
  const core = {
    options: resolved,
    ids,
    model: { ids, now: resolved.now, locationId: ids.take("Location") },
    shops: new Map<string, ShopRecord>(),
    baseUrl: "",
    graphqlCalls: [] as GraphqlCallRecord[],
    signingKey: randomBytes(32),
  } as Omit<SimCore, "webhooks" | "bulk"> as SimCore;
  core.webhooks = new WebhookSender({
    apiSecretKey: resolved.apiSecretKey,
    appUrl: () => resolved.appUrl,
    apiVersion: resolved.webhookApiVersion,
    retryBaseMs: resolved.webhookRetryBaseMs,
    timeoutMs: resolved.webhookTimeoutMs,
    now: resolved.now,
  });
  core.bulk = new BulkEngine(core);

  const sim = createApi(core);
  const server = await startHttpServer((req, res) => route(core, sim, req, res), { port: options.port ?? 0 });
  core.baseUrl = server.url;
  return Object.assign(sim, {
    url: server.url,
    port: server.port,
    close: async () => {
      core.webhooks.close();
      core.bulk.close();
      await server.close();
    },
  });
}

const GRAPHQL_PATH = /^\/([^/]+)\/admin\/api\/([^/]+)\/graphql\.json$/;

async function route(core: SimCore, sim: ShopifySimulator, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = requestUrl(req);
  const gql = GRAPHQL_PATH.exec(url.pathname);
  if (gql) return handleGraphql(core, req, res, decodeURIComponent(gql[1]!).toLowerCase(), gql[2]!);
  if (url.pathname.startsWith("/__sim/")) return handleControl(sim, core, req, res, url);
  if (await core.bulk.handleDownload(req, res, url)) return;
  sendJson(res, 404, { errors: "Not Found" });
}

function requireShop(core: SimCore, domain: string): ShopRecord {
  const shop = core.shops.get(domain.toLowerCase());
  if (!shop) throw new Error(`unknown shop ${domain}; addShop it first`);
  return shop;
}

function findFulfillment(shop: ShopRecord, id: string | number): FulfillmentRecord {
  const legacy = legacyIdOf(id, "Fulfillment");
  const f = legacy === null ? undefined : shop.fulfillmentsById.get(legacy);
  if (!f) throw new Error(`unknown fulfillment ${String(id)} on ${shop.domain}`);
  return f;
}

function createApi(core: SimCore): ShopifySimulator {
  const { options } = core;
  const subscribed = (topic: string) => options.webhookTopics.has(topic);

  /** Order-level topics Shopify raises alongside a fulfillment change, for apps subscribed to them. */
  const orderTopics = (f: FulfillmentRecord, created: boolean) => {
    const order = f.order;
    const status = displayFulfillmentStatus(order);
    if (created && status === "FULFILLED" && subscribed("orders/fulfilled")) void core.webhooks.send(order.shop.domain, "orders/fulfilled", restOrder(order));
    if (created && status === "PARTIALLY_FULFILLED" && subscribed("orders/partially_fulfilled")) {
      void core.webhooks.send(order.shop.domain, "orders/partially_fulfilled", restOrder(order));
    }
    if (subscribed("orders/updated")) void core.webhooks.send(order.shop.domain, "orders/updated", restOrder(order));
  };

  const api: Omit<ShopifySimulator, "url" | "port" | "close"> = {
    setAppUrl(url) {
      options.appUrl = url ? url.replace(/\/$/, "") : null;
    },
    addShop(s) {
      const domain = s.domain.toLowerCase();
      if (!/^[a-z0-9][a-z0-9-]*\.myshopify\.com$/.test(domain)) throw new Error(`shop domain must look like name.myshopify.com: ${s.domain}`);
      if (core.shops.has(domain)) throw new Error(`shop ${domain} already exists`);
      const tz = s.ianaTimezone ?? "America/New_York";
      if (!isValidTimeZone(tz)) throw new Error(`unknown time zone ${tz}`);
      const rateLimit = { maximumAvailable: s.rateLimit?.maximumAvailable ?? 1000, restoreRate: s.rateLimit?.restoreRate ?? 50 };
      const handle = domain.replace(/\.myshopify\.com$/, "");
      core.shops.set(domain, {
        kind: "Shop",
        legacyId: core.ids.take("Shop"),
        domain,
        accessToken: s.accessToken,
        tokenRevoked: false,
        name: s.name ?? handle.replace(/-/g, " ").replace(/\b\w/g, (c) => c.toUpperCase()),
        email: s.email ?? `owner@${handle}.example.com`,
        ianaTimezone: tz,
        currencyCode: s.currencyCode ?? "USD",
        readAllOrders: s.readAllOrders ?? true,
        rateLimit,
        accessScopes: new Set(s.accessScopes ?? ["read_orders", "read_fulfillments", "write_fulfillments"]),
        bucket: { available: rateLimit.maximumAvailable, atMs: performance.now() },
        nextOrderNumber: 1001,
        orders: [],
        ordersById: new Map(),
        fulfillmentsById: new Map(),
        lineItemsById: new Map(),
        customersById: new Map(),
        productsById: new Map(),
        variantsById: new Map(),
        variantsBySku: new Map(),
        events: [],
        eventsById: new Map(),
        bulkOperations: [],
        createdAt: options.now(),
      });
    },
    async uninstallApp(domain, opts = {}) {
      const shop = requireShop(core, domain);
      shop.tokenRevoked = true;
      if (opts.silent || !subscribed("app/uninstalled")) return {};
      return { delivery: await core.webhooks.send(shop.domain, "app/uninstalled", restShop(shop, options.now())) };
    },
    addOrder(domain, o = {}) {
      return snapshotOrder(createOrderRecord(core.model, requireShop(core, domain), o));
    },
    addOrders(domain, count, generator) {
      const shop = requireShop(core, domain);
      const out: SimOrder[] = [];
      for (let i = 0; i < count; i++) out.push(snapshotOrder(createOrderRecord(core.model, shop, generator ? generator(i) : {})));
      return out;
    },
    getOrder(domain, orderId) {
      const shop = requireShop(core, domain);
      const id = legacyIdOf(orderId, "Order");
      const order = id === null ? undefined : shop.ordersById.get(id);
      return order ? snapshotOrder(order) : undefined;
    },
    getFulfillment(domain, fulfillmentId) {
      const shop = requireShop(core, domain);
      const id = legacyIdOf(fulfillmentId, "Fulfillment");
      const f = id === null ? undefined : shop.fulfillmentsById.get(id);
      return f ? restFulfillment(f) : undefined;
    },
    async createFulfillment(domain, orderId, f = {}, opts = {}) {
      const shop = requireShop(core, domain);
      const id = legacyIdOf(orderId, "Order");
      const order = id === null ? undefined : shop.ordersById.get(id);
      if (!order) throw new Error(`unknown order ${String(orderId)} on ${shop.domain}`);
      const record = createFulfillmentRecord(core.model, order, f);
      const fulfillment = restFulfillment(record);
      if (opts.silent) return { fulfillment };
      orderTopics(record, true);
      if (!subscribed("fulfillments/create")) return { fulfillment };
      return { fulfillment, delivery: await core.webhooks.send(shop.domain, "fulfillments/create", fulfillment) };
    },
    async updateFulfillment(domain, fulfillmentId, patch, opts = {}) {
      const shop = requireShop(core, domain);
      const record = findFulfillment(shop, fulfillmentId);
      updateFulfillmentRecord(core.model, record, patch);
      const fulfillment = restFulfillment(record);
      if (opts.silent) return { fulfillment };
      orderTopics(record, false);
      if (!subscribed("fulfillments/update")) return { fulfillment };
      return { fulfillment, delivery: await core.webhooks.send(shop.domain, "fulfillments/update", fulfillment) };
    },
    sendWebhook(domain, topic, payload, opts) {
      // Unknown shops are allowed on purpose: a forged or stale delivery is a legitimate test input.
      return core.webhooks.send(domain.toLowerCase(), topic, payload, opts);
    },
    get webhookDeliveries() {
      return core.webhooks.deliveries;
    },
    fulfillmentEvents(domain) {
      return requireShop(core, domain).events.map((e) => ({
        id: gid("FulfillmentEvent", e.legacyId),
        fulfillmentId: gid("Fulfillment", e.fulfillment.legacyId),
        orderId: gid("Order", e.fulfillment.order.legacyId),
        status: e.status,
        happenedAt: e.happenedAt?.toISOString() ?? null,
        estimatedDeliveryAt: e.estimatedDeliveryAt?.toISOString() ?? null,
        message: e.message,
        city: e.city,
        country: e.country,
        zip: e.zip,
        province: e.province,
        address1: e.address1,
        latitude: e.latitude,
        longitude: e.longitude,
        createdAt: e.createdAt.toISOString(),
        apiVersion: e.apiVersion,
      }));
    },
    bulkOperations(domain) {
      return requireShop(core, domain).bulkOperations.map((op) => snapshotBulkOperation(core, op));
    },
    failNextBulkOperation(domain, errorCode = "INTERNAL_SERVER_ERROR") {
      core.bulk.injectFailure(requireShop(core, domain).domain, errorCode);
    },
    get graphqlCalls() {
      return core.graphqlCalls;
    },
    holdBulkDownload(afterBytes) {
      return core.bulk.hold(afterBytes);
    },
  };
  return api as ShopifySimulator;
}
