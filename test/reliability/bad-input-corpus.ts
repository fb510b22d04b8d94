import { createHmac, randomUUID } from "node:crypto";
import { applyPreset, renderEventBody } from "../../simulators/ups/events";
import { emptyPackage } from "../../simulators/ups/packages";
import { appProxyUrl, tamperedUrl } from "../support/app-proxy";
import { TEST_API_SECRET } from "../support/services";

/**
 * Requests every public endpoint must refuse: malformed, oversized, wrongly signed and replayed.
 * Each entry names the status the route is designed to answer (read from the route and its
 * service) and, for replays, the genuine request that goes first. bad-input.test.ts sends each one
 * to the built production server and checks that no table changed.
 *
 * Designed answers: Shopify webhooks 405 (method) / 400 (headers, not JSON, wrong topic) / 401
 * (HMAC) / 422 (not the topic's payload) / 413 (over 2 MB), a replay with the same webhook id is
 * acknowledged and dropped (200 DUPLICATE); TrackingMore pushes 404 (address) / 401 (signature,
 * stale timestamp) / 400 (body) / 413 (over 1 MB) / 405; UPS Track Alert 404 / 401 (credential) /
 * 400 (shape) / 413 (over 64 KB) / 405; the app proxy 400 (unsigned, tampered, expired, bad
 * query) / 404 (unknown asset) / 429 (over the client's budget); unsubscribe links 404 (token) /
 * 405 / 413 (form over 16 KB).
 */

export interface CorpusWorld {
  webUrl: string;
  /** A shop on TrackingMore v4 with one tracked parcel. */
  trackingMoreShop: { domain: string; webhookToken: string; webhookSecret: string; trackingNumber: string };
  /** A shop on UPS Track Alert with one tracked parcel. */
  upsShop: { domain: string; webhookToken: string; credential: string; trackingNumber: string };
  /** A real unsubscribe token for an order of the TrackingMore shop. */
  unsubscribeToken: string;
  /** A client address whose storefront lookup budget is already spent. */
  exhaustedClient: string;
}

export interface CorpusRequest {
  method: string;
  path: string;
  headers?: Record<string, string>;
  body?: string;
}

export interface CorpusEntry {
  endpoint: string;
  name: string;
  /** Sent first and allowed to change state: the genuine request a replay repeats. */
  original?: CorpusRequest;
  request: CorpusRequest;
  expectedStatus: number;
  /** Tables the refusal itself is designed to touch (the lookup budget counts refused lookups). */
  mayChange?: string[];
}

const SHOPIFY_TOPICS = [
  { path: "/webhooks/fulfillments/create", topic: "fulfillments/create" },
  { path: "/webhooks/fulfillments/update", topic: "fulfillments/update" },
  { path: "/webhooks/app/uninstalled", topic: "app/uninstalled" },
  { path: "/webhooks/customers/data_request", topic: "customers/data_request" },
  { path: "/webhooks/customers/redact", topic: "customers/redact" },
  { path: "/webhooks/shop/redact", topic: "shop/redact" },
] as const;

const MB = 1024 * 1024;

function shopifyHeaders(topic: string, shop: string, body: string, overrides: Record<string, string | null> = {}): Record<string, string> {
  const headers: Record<string, string | null> = {
    "content-type": "application/json",
    "x-shopify-hmac-sha256": createHmac("sha256", TEST_API_SECRET).update(body).digest("base64"),
    "x-shopify-topic": topic,
    "x-shopify-shop-domain": shop,
    "x-shopify-api-version": "2026-10",
    "x-shopify-webhook-id": randomUUID(),
    ...overrides,
  };
  return Object.fromEntries(Object.entries(headers).filter((entry): entry is [string, string] => entry[1] !== null));
}

function fulfillmentPayload(shop: string, trackingNumber: string): Record<string, unknown> {
  return {
    id: 4_400_001,
    order_id: 4_500_001,
    name: "#9001.1",
    status: "success",
    created_at: "2026-11-24T09:00:00+00:00",
    updated_at: "2026-11-24T09:00:00+00:00",
    tracking_company: "UPS",
    tracking_number: trackingNumber,
    tracking_numbers: [trackingNumber],
    tracking_urls: [],
    email: `buyer@${shop}`,
    line_items: [{ id: 4_600_001, title: "Wool socks", quantity: 1 }],
  };
}

function trackingMorePush(trackingNumber: string, status: string): string {
  const when = new Date().toISOString().replace(/\.\d{3}Z$/, "+00:00");
  return JSON.stringify({
    meta: { code: 200, message: "Success" },
    data: {
      id: `tm-${trackingNumber}`,
      tracking_number: trackingNumber,
      courier_code: "ups",
      delivery_status: status,
      substatus: `${status}001`,
      latest_checkpoint_time: when,
      update_at: when,
      origin_info: { trackinfo: [{ checkpoint_date: when, checkpoint_delivery_status: status, tracking_detail: "Departed from facility", location: "Leeds, GB" }] },
    },
  });
}

function trackingMoreHeaders(secret: string, timestampSeconds = Math.floor(Date.now() / 1000)): Record<string, string> {
  const timestamp = String(timestampSeconds);
  return { "content-type": "application/json", timestamp, signature: createHmac("sha256", secret).update(timestamp).digest("hex") };
}

/** A Track Alert event as the UPS simulator renders it, with fields overridden. */
function upsEvent(trackingNumber: string, extra: Record<string, unknown> = {}): string {
  const pkg = emptyPackage(trackingNumber);
  return JSON.stringify({ ...renderEventBody(trackingNumber, pkg, applyPreset(pkg, "in_transit", new Date())), ...extra });
}

/** A path and query as Shopify's app proxy forwards it, signed (or not) with the tests' app secret. */
function proxyPath(world: CorpusWorld, path: string, params: Record<string, string>, options: { secret?: string; timestamp?: number } = {}): string {
  const url = appProxyUrl(world.webUrl, path, { shop: world.trackingMoreShop.domain, params, ...options });
  return url.slice(world.webUrl.length);
}

export function badInputCorpus(world: CorpusWorld): CorpusEntry[] {
  const entries: CorpusEntry[] = [];
  const tm = world.trackingMoreShop;
  const ups = world.upsShop;

  // --- Shopify webhooks -----------------------------------------------------------------------
  for (const { path, topic } of SHOPIFY_TOPICS) {
    const endpoint = `POST ${path}`;
    const body = JSON.stringify(topic.startsWith("fulfillments") ? fulfillmentPayload(tm.domain, tm.trackingNumber) : { shop_domain: tm.domain, shop_id: 1 });
    const add = (name: string, expectedStatus: number, request: CorpusRequest, original?: CorpusRequest) =>
      entries.push({ endpoint, name, expectedStatus, request, ...(original ? { original } : {}) });
    entries.push({
      endpoint,
      name: "GET instead of POST",
      expectedStatus: 405,
      request: { method: "GET", path },
    });
    add("HMAC of another body", 401, { method: "POST", path, headers: shopifyHeaders(topic, tm.domain, `${body} `), body });
    add("signed with another app's secret", 401, {
      method: "POST",
      path,
      headers: shopifyHeaders(topic, tm.domain, body, { "x-shopify-hmac-sha256": createHmac("sha256", "another-app-secret").update(body).digest("base64") }),
      body,
    });
    add("HMAC header missing", 400, { method: "POST", path, headers: shopifyHeaders(topic, tm.domain, body, { "x-shopify-hmac-sha256": null }), body });
    add("HMAC header garbage", 401, { method: "POST", path, headers: shopifyHeaders(topic, tm.domain, body, { "x-shopify-hmac-sha256": "%%%not-base64%%%" }), body });
    add("signed body that is not JSON", 400, { method: "POST", path, headers: shopifyHeaders(topic, tm.domain, "{not json"), body: "{not json" });
    add("signed body cut short", 400, { method: "POST", path, headers: shopifyHeaders(topic, tm.domain, body.slice(0, 40)), body: body.slice(0, 40) });
    const wrongTopic = topic === "shop/redact" ? "customers/redact" : "shop/redact";
    add("signed for another topic", 400, { method: "POST", path, headers: shopifyHeaders(wrongTopic, tm.domain, body), body });
    const oversized = JSON.stringify({ padding: "x".repeat(2 * MB) });
    add("over 2 MB", 413, { method: "POST", path, headers: shopifyHeaders(topic, tm.domain, oversized), body: oversized });
    if (topic !== "app/uninstalled") {
      const wrongShape = JSON.stringify({ hello: "world", tracking_numbers: 42 });
      add("signed JSON that is not the topic's payload", 422, { method: "POST", path, headers: shopifyHeaders(topic, tm.domain, wrongShape), body: wrongShape });
      const original = { method: "POST", path, headers: shopifyHeaders(topic, tm.domain, body), body };
      add("replayed with the same webhook id", 200, original, original);
    }
  }

  // --- TrackingMore pushes -------------------------------------------------------------------
  {
    const path = `/webhooks/trackingmore/${tm.webhookToken}`;
    const endpoint = "POST /webhooks/trackingmore/<token>";
    const push = trackingMorePush(tm.trackingNumber, "transit");
    const add = (name: string, expectedStatus: number, request: CorpusRequest, original?: CorpusRequest) =>
      entries.push({ endpoint, name, expectedStatus, request, ...(original ? { original } : {}) });
    add("unknown address", 404, { method: "POST", path: "/webhooks/trackingmore/not-a-shop-token", headers: trackingMoreHeaders(tm.webhookSecret), body: push });
    add("GET instead of POST", 405, { method: "GET", path });
    add("signed with another secret", 401, { method: "POST", path, headers: trackingMoreHeaders("whsec-somebody-else"), body: push });
    add("signature headers missing", 401, { method: "POST", path, headers: { "content-type": "application/json" }, body: push });
    add("signature not hex", 401, { method: "POST", path, headers: { ...trackingMoreHeaders(tm.webhookSecret), signature: "zz" }, body: push });
    add("stale timestamp (an old push replayed)", 401, { method: "POST", path, headers: trackingMoreHeaders(tm.webhookSecret, Math.floor(Date.now() / 1000) - 3_600), body: push });
    add("timestamp from the future", 401, { method: "POST", path, headers: trackingMoreHeaders(tm.webhookSecret, Math.floor(Date.now() / 1000) + 3_600), body: push });
    add("body not JSON", 400, { method: "POST", path, headers: trackingMoreHeaders(tm.webhookSecret), body: "<html>not json" });
    add("body cut short", 400, { method: "POST", path, headers: trackingMoreHeaders(tm.webhookSecret), body: push.slice(0, push.length / 2) });
    add("JSON without a tracking", 400, { method: "POST", path, headers: trackingMoreHeaders(tm.webhookSecret), body: JSON.stringify({ meta: { code: 200 }, data: [1, 2] }) });
    add("over 1 MB", 413, { method: "POST", path, headers: trackingMoreHeaders(tm.webhookSecret), body: JSON.stringify({ data: "x".repeat(MB) }) });
    const original = { method: "POST", path, headers: trackingMoreHeaders(tm.webhookSecret), body: trackingMorePush(tm.trackingNumber, "pickup") };
    add("the same push replayed", 200, original, original);
  }

  // --- UPS Track Alert ------------------------------------------------------------------------
  {
    const path = `/webhooks/ups/${ups.webhookToken}`;
    const endpoint = "POST /webhooks/ups/<token>";
    const headers = { "content-type": "application/json", credential: ups.credential };
    const event = upsEvent(ups.trackingNumber);
    const add = (name: string, expectedStatus: number, request: CorpusRequest, original?: CorpusRequest) =>
      entries.push({ endpoint, name, expectedStatus, request, ...(original ? { original } : {}) });
    add("unknown address", 404, { method: "POST", path: "/webhooks/ups/not-a-shop-token", headers, body: event });
    add("GET instead of POST", 405, { method: "GET", path });
    add("credential missing", 401, { method: "POST", path, headers: { "content-type": "application/json" }, body: event });
    add("wrong credential", 401, { method: "POST", path, headers: { ...headers, credential: `${ups.credential.slice(0, -1)}x` }, body: event });
    add("body not JSON", 400, { method: "POST", path, headers, body: "trackingNumber=1Z" });
    add("body cut short", 400, { method: "POST", path, headers, body: event.slice(0, 60) });
    add("JSON that is not an event", 400, { method: "POST", path, headers, body: JSON.stringify({ trackingNumber: ups.trackingNumber, activityStatus: "delivered" }) });
    add("tracking number not text", 400, { method: "POST", path, headers, body: upsEvent(ups.trackingNumber, { trackingNumber: 42 }) });
    add("JSON array", 400, { method: "POST", path, headers, body: "[]" });
    add("over 64 KB", 413, { method: "POST", path, headers, body: upsEvent(ups.trackingNumber, { deliveryPhoto: "x".repeat(70 * 1024) }) });
    const original = { method: "POST", path, headers, body: upsEvent(ups.trackingNumber, { activityStatus: { type: "I", code: "AR", description: "Arrived at Facility" } }) };
    add("the same event replayed", 200, original, original);
  }

  // --- App proxy ------------------------------------------------------------------------------
  for (const path of ["/proxy", "/proxy/api/track", "/proxy/fragment", "/proxy/assets/tracking-page.css"]) {
    const endpoint = `GET ${path}`;
    const params: Record<string, string> = path.startsWith("/proxy/assets") ? {} : { number: tm.trackingNumber };
    const signed = proxyPath(world, path, params);
    const add = (name: string, expectedStatus: number, request: CorpusRequest, mayChange?: string[]) =>
      entries.push({ endpoint, name, expectedStatus, request, ...(mayChange ? { mayChange } : {}) });
    add("unsigned", 400, { method: "GET", path: `${path}?shop=${tm.domain}&${new URLSearchParams(params).toString()}` });
    add("signed with another secret", 400, { method: "GET", path: proxyPath(world, path, params, { secret: "another-app-secret" }) });
    add("a signed parameter changed", 400, { method: "GET", path: tamperedUrl(`${world.webUrl}${signed}`, "shop", "other-shop.myshopify.com").slice(world.webUrl.length) });
    add("a parameter added after signing", 400, { method: "GET", path: `${signed}&order=1001` });
    add("signature replayed after 10 minutes", 400, { method: "GET", path: proxyPath(world, path, params, { timestamp: Math.floor(Date.now() / 1000) - 600 }) });
    add(
      "a shop that is not a myshopify domain, correctly signed",
      400,
      { method: "GET", path: appProxyUrl(world.webUrl, path, { shop: "evil.example.com", params }).slice(world.webUrl.length) },
    );
    if (path === "/proxy/api/track") {
      add("signed, query too long", 400, { method: "GET", path: proxyPath(world, path, { number: "9".repeat(500) }) });
      add("signed, e-mail without an order", 400, { method: "GET", path: proxyPath(world, path, { email: "a@b.example" }) });
      add("signed, over the client's lookup budget", 429, { method: "GET", path: signed, headers: { "x-forwarded-for": world.exhaustedClient } }, ["RateLimitWindow"]);
    }
  }
  entries.push({
    endpoint: "GET /proxy/assets/<file>",
    name: "signed, unknown file",
    expectedStatus: 404,
    request: { method: "GET", path: proxyPath(world, "/proxy/assets/../../package.json", {}) },
  });

  // --- E-mail unsubscribe links -------------------------------------------------------------
  {
    const endpoint = "/email/unsubscribe/<token>";
    const forged = `${world.unsubscribeToken.slice(0, -2)}${world.unsubscribeToken.endsWith("AA") ? "BB" : "AA"}`;
    const form = { "content-type": "application/x-www-form-urlencoded" };
    const add = (name: string, expectedStatus: number, request: CorpusRequest) => entries.push({ endpoint, name, expectedStatus, request });
    add("GET with a made-up token", 404, { method: "GET", path: "/email/unsubscribe/made-up-token" });
    add("GET with a forged signature", 404, { method: "GET", path: `/email/unsubscribe/${forged}` });
    add("POST with a forged signature", 404, { method: "POST", path: `/email/unsubscribe/${forged}`, headers: form, body: "everyOrder=on" });
    add("POST one-click with a made-up token", 404, { method: "POST", path: "/email/unsubscribe/made-up-token", headers: form, body: "List-Unsubscribe=One-Click" });
    add("token with broken percent-encoding", 400, { method: "POST", path: "/email/unsubscribe/%E0%A4%A", headers: form, body: "List-Unsubscribe=One-Click" });
    add("PUT", 405, { method: "PUT", path: `/email/unsubscribe/${world.unsubscribeToken}`, headers: form, body: "everyOrder=on" });
    add("form over 16 KB", 413, { method: "POST", path: `/email/unsubscribe/${world.unsubscribeToken}`, headers: form, body: `everyOrder=on&padding=${"x".repeat(20_000)}` });
  }
  return entries;
}
