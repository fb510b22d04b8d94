import { readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TrackingEventInput, TrackingObservation } from "~/domain/tracking-observation";
import type { TrackingLookupResponse } from "~/domain/tracking-page-contract";
import { applyTrackingObservation } from "~/services/apply-tracking-update.server";
import { redactCustomer } from "~/services/compliance.server";
import type { ServiceContext } from "~/services/context.server";
import { ingestFulfillment } from "~/services/ingest-fulfillment.server";
import { stopTracking } from "~/services/shipment-actions.server";
import { ensureShop } from "~/services/shops.server";
import { trackingLinkToken } from "~/services/tracking-links.server";
import { appProxyUrl, tamperedUrl, type AppProxySigning } from "../support/app-proxy";
import { configureAppEnvironment } from "../support/app-environment";
import { createTestDatabase, testDialect, type TestDatabase } from "../support/database";
import { fulfillmentSnapshot, upsNumber } from "../support/factories";
import { createTestServices, TEST_API_SECRET } from "../support/services";

/**
 * The app proxy's routes (`/proxy`, `/proxy/api/track`, `/proxy/fragment`, `/proxy/assets/*`) over
 * loopback HTTP with requests signed as Shopify signs them, on the run's database: the signature
 * and its ±90 s window, every lookup mode, the privacy rules (same bytes for an unknown order and
 * a wrong e-mail, only the shop's own data, no e-mail/phone/name, redacted orders gone), escaping
 * of carrier text (HTML and Liquid), and the per-client limit with its 429.
 */

const SHOP_A = "proxy-a.myshopify.com";
const SHOP_B = "proxy-b.myshopify.com";
const USPS = "9400111206206406260787";
const EMAIL_A1 = "Ada.Lovelace@Example.com";
const PHONE_A1 = "+1 555-625-1199";
const HOSTILE = `<script>alert("x")</script><img src=x onerror=alert(1)> {{ customer.email }} {% render 'x' %}`;
const DAY = 24 * 60 * 60_000;

// A window far longer than the run, aligned to the epoch: a test never straddles two windows.
process.env.STOREFRONT_LOOKUP_WINDOW_SECONDS = String(1_000_000_000);
process.env.STOREFRONT_LOOKUPS_PER_CLIENT = "12";
process.env.STOREFRONT_FAILED_LOOKUP_COST = "4";
process.env.STOREFRONT_LOOKUPS_PER_SHOP = "100000";

let database: TestDatabase;
let services: ServiceContext;
let server: Server;
let origin: string;
let orderA1: string;
let orderB1: string;
let orderA3: string;
let clientSequence = 0;

type Loader = (args: { request: Request; params: Record<string, string>; context: Record<string, unknown> }) => Promise<Response>;

/** The route modules behind a plain loopback HTTP server, answering as Remix does (thrown Responses are answers). */
async function serveProxyRoutes(): Promise<void> {
  const page = (await import("~/routes/proxy._index")).loader as Loader;
  const json = (await import("~/routes/proxy.api.track")).loader as Loader;
  const fragment = (await import("~/routes/proxy.fragment")).loader as Loader;
  const assets = (await import("~/routes/proxy.assets.$file")).loader as Loader;
  server = createServer(async (incoming, outgoing) => {
    const url = new URL(incoming.url ?? "/", "http://127.0.0.1");
    const headers = new Headers();
    for (const [name, value] of Object.entries(incoming.headers)) if (typeof value === "string") headers.set(name, value);
    const request = new Request(url, { headers });
    const asset = /^\/proxy\/assets\/([^/]+)$/.exec(url.pathname);
    const loader = url.pathname === "/proxy" ? page : url.pathname === "/proxy/api/track" ? json : url.pathname === "/proxy/fragment" ? fragment : asset ? assets : null;
    let response: Response;
    try {
      response = loader ? await loader({ request, params: asset ? { file: decodeURIComponent(asset[1]!) } : {}, context: {} }) : new Response("no route", { status: 404 });
    } catch (thrown) {
      if (!(thrown instanceof Response)) throw thrown;
      response = thrown;
    }
    outgoing.writeHead(response.status, Object.fromEntries(response.headers));
    outgoing.end(Buffer.from(await response.arrayBuffer()));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** A fresh client address per call unless given, so each test has its own per-client budget. */
function newClient(): string {
  clientSequence += 1;
  return `203.0.113.${clientSequence}`;
}

async function proxyGet(path: string, signing: Partial<AppProxySigning> & { params?: Record<string, string> }, headers: Record<string, string> = {}) {
  const url = appProxyUrl(origin, path, { shop: SHOP_A, ...signing });
  return fetch(url, { headers: { "X-Forwarded-For": newClient(), ...headers } });
}

async function lookupJson(params: Record<string, string>, signing: Partial<AppProxySigning> = {}, headers: Record<string, string> = {}) {
  const response = await proxyGet("/proxy/api/track", { ...signing, params }, headers);
  const text = await response.text();
  return { status: response.status, headers: response.headers, text, body: JSON.parse(text) as TrackingLookupResponse & { error?: string } };
}

function event(at: Date, status: TrackingEventInput["status"], description: string): TrackingEventInput {
  return { occurredAt: at, zoneKnown: true, status, substatus: null, description, location: "Lyon, FR", city: "Lyon", state: null, countryCode: "FR", postalCode: null, rawStatus: null };
}

function observation(trackingNumber: string, status: TrackingObservation["status"], events: TrackingEventInput[]): TrackingObservation {
  return { provider: "trackingmore", trackingNumber, carrierCode: null, providerTrackingId: null, status, substatus: null, rawStatus: null, asOf: null, events };
}

async function order(shop: string, input: { id: string; name: string; email: string; phone?: string | null; customerId: string; numbers: string[][]; locale?: string }): Promise<string> {
  for (const numbers of input.numbers) {
    const outcome = await ingestFulfillment(
      services,
      shop,
      fulfillmentSnapshot({
        shopifyOrderId: input.id,
        orderName: input.name,
        numbers,
        customer: { email: input.email, phone: input.phone ?? null, firstName: "Ada", shopifyCustomerId: input.customerId, locale: input.locale ?? "en" },
        lineItems: [{ id: `li-${numbers[0]}`, title: `Shirt for ${numbers[0]}`, quantity: 2, variantTitle: "M", sku: null }],
      }),
    );
    expect(outcome.result).toBe("APPLIED");
  }
  const shopRow = await database.db.prisma.shop.findUniqueOrThrow({ where: { domain: shop } });
  return (await database.db.prisma.order.findUniqueOrThrow({ where: { shopId_shopifyOrderId: { shopId: shopRow.id, shopifyOrderId: input.id } } })).id;
}

beforeAll(async () => {
  database = await createTestDatabase();
  configureAppEnvironment({ databaseUrl: database.url });
  services = createTestServices(database.db);
  const shopA = await ensureShop(services, SHOP_A);
  const shopB = await ensureShop(services, SHOP_B);
  await database.db.prisma.shop.update({ where: { id: shopA.id }, data: { ianaTimezone: "Europe/Paris" } });

  orderA1 = await order(SHOP_A, { id: "5001", name: "#1001", email: EMAIL_A1, phone: PHONE_A1, customerId: "7001", numbers: [[upsNumber(1)], [USPS]] });
  await order(SHOP_A, { id: "5002", name: "#1002", email: "grace@example.org", customerId: "7001", numbers: [[upsNumber(2)]], locale: "fr" });
  orderA3 = await order(SHOP_A, { id: "5003", name: "#1003", email: "gone@example.org", customerId: "7003", numbers: [[upsNumber(3)]] });
  orderB1 = await order(SHOP_B, { id: "6001", name: "#1001", email: "b-customer@example.net", customerId: "8001", numbers: [[upsNumber(4)]] });

  const now = Date.now();
  await applyTrackingObservation(
    services,
    shopA.id,
    observation(upsNumber(1), "transit", [event(new Date(now - 2 * DAY), "transit", "Picked up"), event(new Date(now - DAY), "transit", HOSTILE)]),
  );
  await applyTrackingObservation(services, shopA.id, observation(upsNumber(3), "transit", [event(new Date(now - DAY), "transit", "Departed")]));
  await order(SHOP_A, { id: "5004", name: "#1004", email: "long@example.org", customerId: "7004", numbers: [[upsNumber(5)]] });
  const longJourney = Array.from({ length: 105 }, (_, i) => event(new Date(now - 3 * DAY + i * 60_000), "transit", `Scan ${i}`));
  await applyTrackingObservation(services, shopA.id, observation(upsNumber(5), "transit", longJourney));
  await applyTrackingObservation(services, shopB.id, observation(upsNumber(4), "transit", [event(new Date(now - DAY), "transit", "Departed")]));
  await redactCustomer(services, { shop_domain: SHOP_A, customer: { id: "7003", email: "gone@example.org", phone: null }, orders_to_redact: ["5003"] });

  await serveProxyRoutes();
}, 60_000);

afterAll(async () => {
  await new Promise((resolve) => server?.close(resolve));
  await database?.dispose();
});

describe(`app proxy signature on ${testDialect()}`, () => {
  const params = { order: "1001", email: EMAIL_A1 };

  it("answers a request signed as Shopify signs it", async () => {
    const { status, body } = await lookupJson(params);
    expect(status).toBe(200);
    expect(body.shipments.map((s) => s.trackingNumber).sort()).toEqual([upsNumber(1), USPS].sort());
  });

  it.each([
    ["missing signature", (url: string) => tamperedUrl(url, "signature", null)],
    ["wrong signature", (url: string) => tamperedUrl(url, "signature", "0".repeat(64))],
    ["signed with another secret", () => appProxyUrl(origin, "/proxy/api/track", { shop: SHOP_A, params, secret: "not-the-app-secret" })],
    ["tampered e-mail", (url: string) => tamperedUrl(url, "email", "other@example.com")],
    ["tampered shop", (url: string) => tamperedUrl(url, "shop", SHOP_B)],
    ["timestamp 91 s old", () => appProxyUrl(origin, "/proxy/api/track", { shop: SHOP_A, params, timestamp: Math.floor(Date.now() / 1000) - 91 })],
    ["timestamp 91 s ahead", () => appProxyUrl(origin, "/proxy/api/track", { shop: SHOP_A, params, timestamp: Math.floor(Date.now() / 1000) + 91 })],
    ["no timestamp", (url: string) => tamperedUrl(url, "timestamp", null)],
    ["shop sent twice", (url: string) => `${url}&shop=${SHOP_A}`],
  ])("refuses a request with a %s, with no data", async (_name, mangle) => {
    const url = mangle(appProxyUrl(origin, "/proxy/api/track", { shop: SHOP_A, params }));
    const response = await fetch(url, { headers: { "X-Forwarded-For": newClient() } });
    const text = await response.text();
    expect(response.status).toBe(400);
    expect(text).not.toContain(upsNumber(1));
    expect(text).not.toContain("1001");
  });

  it("refuses an unsigned Liquid page, fragment and asset too", async () => {
    for (const path of ["/proxy", "/proxy/fragment", "/proxy/assets/tracking-page.css"]) {
      const response = await fetch(tamperedUrl(appProxyUrl(origin, path, { shop: SHOP_A, params }), "signature", null));
      expect(response.status, path).toBe(400);
      expect(await response.text(), path).toBe("");
    }
  });

  it("accepts a timestamp 80 s old (inside Shopify's ±90 s)", async () => {
    const { status } = await lookupJson(params, { timestamp: Math.floor(Date.now() / 1000) - 80 });
    expect(status).toBe(200);
  });
});

describe(`lookups on ${testDialect()}`, () => {
  it("finds an order by number and e-mail, however the customer types them, with each shipment's items", async () => {
    for (const [orderName, email] of [["1001", EMAIL_A1], ["#1001", "  ada.lovelace@example.COM "], [" # 1001", EMAIL_A1.toUpperCase()]] as const) {
      const { status, headers, body } = await lookupJson({ order: orderName, email });
      expect(status, `${orderName} / ${email}`).toBe(200);
      expect(headers.get("content-type")).toMatch(/^application\/json/);
      expect(headers.get("cache-control")).toBe("private, no-store");
      expect(body.orders).toHaveLength(1);
      expect(body.orders[0]!.name).toBe("#1001");
      const ups = body.shipments.find((s) => s.trackingNumber === upsNumber(1))!;
      expect(ups.items).toEqual([{ title: `Shirt for ${upsNumber(1)}`, variantTitle: "M", quantity: 2, imageUrl: null }]);
      expect(ups.events.map((e) => e.description)).toEqual([HOSTILE, "Picked up"]);
      expect(body.shipments.find((s) => s.trackingNumber === USPS)!.items[0]!.title).toBe(`Shirt for ${USPS}`);
    }
  });

  it("finds an order by number and phone, compared by digits", async () => {
    for (const phone of ["555 625 1199", "+15556251199", "(555) 625-1199"]) {
      const { status, body } = await lookupJson({ order: "#1001", phone });
      expect(status, phone).toBe(200);
      expect(body.orders[0]!.name).toBe("#1001");
    }
    expect((await lookupJson({ order: "#1001", phone: "555 625 1198" })).status).toBe(404);
    expect((await lookupJson({ order: "#1001", phone: "1199" })).status).toBe(404);
  });

  it("finds one shipment by tracking number with the order's name and items hidden", async () => {
    const { status, body } = await lookupJson({ number: ` ${upsNumber(1).toLowerCase()} ` });
    expect(status).toBe(200);
    expect(body.orders).toEqual([{ name: null, shipments: body.shipments }]);
    expect(body.shipments.map((s) => s.trackingNumber)).toEqual([upsNumber(1)]);
    expect(body.shipments[0]!.items).toEqual([]);
    expect(JSON.stringify(body)).not.toContain("1001");
  });

  it("shows the 100 newest events of a long journey, newest first", async () => {
    const { body } = await lookupJson({ number: upsNumber(5) });
    const descriptions = body.shipments[0]!.events.map((e) => e.description);
    expect(descriptions).toHaveLength(100);
    expect(descriptions[0]).toBe("Scan 104");
    expect(descriptions[99]).toBe("Scan 5");
  });

  it("keeps showing a shipment the merchant stopped tracking, never one whose number left the order", async () => {
    const shop = await database.db.prisma.shop.findUniqueOrThrow({ where: { domain: SHOP_A } });
    const customer = { email: "stops@example.org", phone: null, firstName: null, shopifyCustomerId: "7005", locale: "en" };
    const first = fulfillmentSnapshot({ shopifyOrderId: "5005", orderName: "#1005", numbers: [upsNumber(6), upsNumber(7)], customer, updatedAt: new Date("2026-11-20T10:00:00Z") });
    await ingestFulfillment(services, SHOP_A, first);
    await ingestFulfillment(services, SHOP_A, { ...first, tracking: first.tracking.slice(0, 1), updatedAt: new Date("2026-11-21T10:00:00Z") });
    const kept = await database.db.prisma.shipment.findUniqueOrThrow({ where: { shopId_trackingNumber: { shopId: shop.id, trackingNumber: upsNumber(6) } } });
    await stopTracking(services, shop.id, [kept.id]);

    expect((await lookupJson({ number: upsNumber(6) })).status).toBe(200);
    const removed = await database.db.prisma.shipment.findUniqueOrThrow({ where: { shopId_trackingNumber: { shopId: shop.id, trackingNumber: upsNumber(7) } } });
    expect([removed.registrationState, removed.stopReason]).toEqual(["stopped", "tracking_number_removed"]);
    expect((await lookupJson({ number: upsNumber(7) })).status).toBe(404);
    const byOrder = await lookupJson({ order: "1005", email: "stops@example.org" });
    expect(byOrder.body.shipments.map((s) => s.trackingNumber)).toEqual([upsNumber(6)]);
  });

  it("finds the order a signed link names", async () => {
    const { status, body } = await lookupJson({ token: trackingLinkToken(TEST_API_SECRET, SHOP_A, orderA1) });
    expect(status).toBe(200);
    expect(body.orders.map((o) => o.name)).toEqual(["#1001"]);
    expect(body.shipments).toHaveLength(2);
  });

  it("shows a logged-in customer their recent orders with no query, newest first", async () => {
    const { status, body } = await lookupJson({}, { loggedInCustomerId: "7001" });
    expect(status).toBe(200);
    expect(body.orders.map((o) => o.name)).toEqual(["#1002", "#1001"]);
    expect(body.shipments.map((s) => s.trackingNumber)).toEqual([upsNumber(2), upsNumber(1), USPS]);
  });

  it("words the whole page in the order's language when a lookup finds it, fixed labels included", async () => {
    const page = await (await proxyGet("/proxy", { params: { order: "1002", email: "grace@example.org" } }, { "Accept-Language": "en" })).text();
    expect(page).toContain('lang="fr"');
    const labels = JSON.parse(readFileSync("extensions/tracking-page/locales/fr.json", "utf8")) as { tracking_page: { result: { step_current: string } } };
    expect(page).toContain(`<span class="tl-step__state">${labels.tracking_page.result.step_current}</span>`);
    expect(page).not.toContain("Current step");
  });

  it("speaks the proxy's locale, else the order's language, else Accept-Language", async () => {
    expect((await lookupJson({ order: "1001", email: EMAIL_A1, locale: "de" })).body.locale).toBe("de");
    expect((await lookupJson({ order: "1002", email: "grace@example.org" }, {}, { "Accept-Language": "es" })).body.locale).toBe("fr");
    expect((await lookupJson({ order: "1001", email: EMAIL_A1 }, {}, { "Accept-Language": "es-ES,es;q=0.9" })).body.locale).toBe("en");
    expect((await lookupJson({ number: upsNumber(1) }, {}, { "Accept-Language": "it, es;q=0.5" })).body.locale).toBe("es");
  });

  it.each([
    ["an order without e-mail or phone", { order: "1001" }],
    ["an order with both e-mail and phone", { order: "1001", email: EMAIL_A1, phone: "5556251199" }],
    ["an e-mail without an order", { email: EMAIL_A1 }],
    ["an order and a number", { order: "1001", email: EMAIL_A1, number: upsNumber(1) }],
    ["something that is not an e-mail", { order: "1001", email: "not-an-email" }],
    ["nothing to look up", {}],
    ["an overlong number", { number: "1".repeat(65) }],
  ])("answers 400 for %s", async (_name, params) => {
    const { status, body } = await lookupJson(params as Record<string, string>);
    expect(status).toBe(400);
    expect(body).toEqual({ error: "invalid_query" });
  });
});

describe(`privacy on ${testDialect()}`, () => {
  it("gives an unknown order and a wrong e-mail the same status and the same bytes (JSON, fragment, page)", async () => {
    const wrongEmail = { order: "1001", email: "someone-else@example.com" };
    const unknownOrder = { order: "9999", email: "someone-else@example.com" };
    const unknownNumber = { number: "1Z999AA10123456784" };
    for (const path of ["/proxy/api/track", "/proxy/fragment", "/proxy"]) {
      const answers = [];
      for (const params of [wrongEmail, unknownOrder, unknownNumber]) {
        const response = await proxyGet(path, { params });
        answers.push({ status: response.status, type: response.headers.get("content-type"), body: await response.text() });
      }
      expect(answers[0]!.status, path).toBe(404);
      expect(answers[1], path).toEqual(answers[0]);
      expect(answers[2], path).toEqual(answers[0]);
    }
  });

  it("charges an unknown order and a wrong e-mail the same, more than a lookup that finds the order", async () => {
    const charged = async (client: string) =>
      (await database.db.prisma.rateLimitWindow.findFirstOrThrow({ where: { key: { startsWith: "lookup:client:", endsWith: `:ip:${client}` } } })).count;
    await lookupJson({ order: "1001", email: "someone-else@example.com" }, {}, { "X-Forwarded-For": "198.51.100.101" });
    await lookupJson({ order: "9999", email: "someone-else@example.com" }, {}, { "X-Forwarded-For": "198.51.100.102" });
    await lookupJson({ order: "1001", email: EMAIL_A1 }, {}, { "X-Forwarded-For": "198.51.100.103" });
    expect([await charged("198.51.100.101"), await charged("198.51.100.102"), await charged("198.51.100.103")]).toEqual([4, 4, 1]);
  });

  it("never resolves another shop's order, number or token", async () => {
    expect((await lookupJson({ order: "1001", email: "b-customer@example.net" })).status).toBe(404);
    expect((await lookupJson({ number: upsNumber(4) })).status).toBe(404);
    expect((await lookupJson({ token: trackingLinkToken(TEST_API_SECRET, SHOP_B, orderB1) })).status).toBe(404);
    // A token issued for shop B's order, presented with shop A's id for that order: still nothing.
    expect((await lookupJson({ token: trackingLinkToken(TEST_API_SECRET, SHOP_A, orderB1) })).status).toBe(404);
    expect((await lookupJson({}, { loggedInCustomerId: "8001" })).body.orders).toEqual([]);
    // Shop B's own customer finds B's order under the same name.
    const own = await lookupJson({ order: "1001", email: "b-customer@example.net" }, { shop: SHOP_B });
    expect(own.body.shipments.map((s) => s.trackingNumber)).toEqual([upsNumber(4)]);
  });

  it("never shows a redacted order, by token or by number", async () => {
    expect((await lookupJson({ token: trackingLinkToken(TEST_API_SECRET, SHOP_A, orderA3) })).status).toBe(404);
    expect((await lookupJson({ number: upsNumber(3) })).status).toBe(404);
    expect((await lookupJson({ order: "1003", email: "gone@example.org" })).status).toBe(404);
  });

  it("puts no e-mail, phone or customer name in the JSON, the fragment or the page", async () => {
    const params = { order: "1001", email: EMAIL_A1 };
    const bodies = [
      (await lookupJson(params)).text,
      await (await proxyGet("/proxy/fragment", { params })).text(),
      await (await proxyGet("/proxy", { params })).text(),
      (await lookupJson({}, { loggedInCustomerId: "7001" })).text,
    ];
    for (const body of bodies) {
      expect(body).toContain(upsNumber(1));
      expect(body.toLowerCase()).not.toContain("lovelace");
      expect(body).not.toContain("@");
      expect(body).not.toMatch(/555.?625.?1199|5556251199/);
      expect(body).not.toContain("Ada");
    }
  });
});

describe(`HTML answers on ${testDialect()}`, () => {
  const params = { order: "1001", email: EMAIL_A1 };

  it("escapes carrier text in the fragment", async () => {
    const response = await proxyGet("/proxy/fragment", { params });
    const body = await response.text();
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(response.headers.get("cache-control")).toBe("private, no-store");
    expect(body).not.toContain("<script");
    expect(body).not.toContain("<img src=x");
    expect(body).toContain("&lt;script&gt;");
  });

  it("serves the page as Liquid with the block's assets, carrier text escaped and never run as Liquid", async () => {
    const response = await proxyGet("/proxy", { params });
    const body = await response.text();
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("application/liquid");
    expect(response.headers.get("cache-control")).toBe("private, no-store");
    expect(body).toMatch(/<link rel="stylesheet" href="\/apps\/track\/assets\/tracking-page\.css\?v=[0-9a-f]{12}">/);
    expect(body).toMatch(/<script src="\/apps\/track\/assets\/tracking-page\.js\?v=[0-9a-f]{12}" defer><\/script>/);
    // The only script is the external one: nothing inline.
    expect(body.match(/<script/g)).toHaveLength(1);
    expect(body).not.toContain("<img src=x");
    expect(body).not.toMatch(/[{}]/);
    expect(body).toContain("&#123;&#123; customer.email &#125;&#125;");
    expect(body).toContain(upsNumber(1));
  });

  it("shows the forms alone when nothing is asked, and the customer's orders when logged in", async () => {
    const empty = await proxyGet("/proxy", {});
    const emptyBody = await empty.text();
    expect(empty.status).toBe(200);
    expect(emptyBody).toContain('name="order"');
    expect(emptyBody).not.toContain("data-tl-state");
    const loggedIn = await (await proxyGet("/proxy", { loggedInCustomerId: "7001" })).text();
    expect(loggedIn).toContain(upsNumber(2));
  });

  it("links to the storefront path Shopify says the proxy is at", async () => {
    const body = await (await proxyGet("/proxy", { pathPrefix: "/a/parcels" })).text();
    expect(body).toContain('action="/a/parcels"');
    expect(body).toContain('href="/a/parcels/assets/tracking-page.css?v=');
    expect(body).toContain('data-tl-endpoint="/a/parcels/fragment"');
    const odd = await (await proxyGet("/proxy", { pathPrefix: '/apps/x"><script>' })).text();
    expect(odd).toContain('action="/apps/track"');
  });

  it("serves the stylesheet and script with their types and a year of caching, nothing else", async () => {
    const css = await proxyGet("/proxy/assets/tracking-page.css", {});
    expect(css.status).toBe(200);
    expect(css.headers.get("content-type")).toBe("text/css; charset=utf-8");
    expect(css.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    expect((await css.text()).length).toBeGreaterThan(100);
    const js = await proxyGet("/proxy/assets/tracking-page.js", {});
    expect(js.headers.get("content-type")).toBe("text/javascript; charset=utf-8");
    expect((await proxyGet("/proxy/assets/tracking-page.liquid", {})).status).toBe(404);
    expect((await proxyGet("/proxy/assets/..%2F..%2Fpackage.json", {})).status).toBe(404);
  });
});

describe(`rate limits on ${testDialect()}`, () => {
  it("limits one client: a found lookup costs 1, a miss costs 4, then 429 with Retry-After on every answer", async () => {
    const client = { "X-Forwarded-For": "198.51.100.7" };
    const found = { order: "1001", email: EMAIL_A1 };
    const miss = { order: "1001", email: "guess@example.com" };
    // 12 units: two misses (8) and four finds (4).
    expect((await lookupJson(miss, {}, client)).status).toBe(404);
    expect((await lookupJson(miss, {}, client)).status).toBe(404);
    for (let i = 0; i < 4; i++) expect((await lookupJson(found, {}, client)).status).toBe(200);
    const limited = await lookupJson(found, {}, client);
    expect(limited.status).toBe(429);
    const retryAfter = Number(limited.headers.get("retry-after"));
    expect(retryAfter).toBeGreaterThan(0);
    expect(limited.body).toMatchObject({ error: "rate_limited", retryAfterSeconds: retryAfter });
    expect((limited.body as unknown as { message: string }).message).toBe(`Too many lookups. Please try again in ${retryAfter} seconds.`);
    expect(limited.text).not.toContain(upsNumber(1));

    const fragment = await proxyGet("/proxy/fragment", { params: found }, client);
    expect(fragment.status).toBe(429);
    expect(fragment.headers.get("retry-after")).toBe(String(retryAfter));
    expect(await fragment.text()).toContain("Too many lookups.");
    const page = await proxyGet("/proxy", { params: found }, client);
    expect(page.status).toBe(429);
    const pageBody = await page.text();
    expect(pageBody).toContain("Too many lookups.");
    expect(pageBody).not.toContain(upsNumber(1));

    // Another client of the same shop is unaffected.
    expect((await lookupJson(found, {}, { "X-Forwarded-For": "198.51.100.8" })).status).toBe(200);
  });

  it("counts the address Shopify forwarded (the rightmost), not what the client put in front of it", async () => {
    const miss = { order: "1001", email: "guess@example.com" };
    for (let i = 0; i < 3; i++) expect((await lookupJson(miss, {}, { "X-Forwarded-For": `10.0.0.${i}, 198.51.100.20` })).status).toBe(404);
    expect((await lookupJson(miss, {}, { "X-Forwarded-For": "10.0.0.99, 198.51.100.20" })).status).toBe(429);
  });

  it("counts an IPv6 client per /64 and a logged-in customer without an address by customer id", async () => {
    const miss = { order: "1001", email: "guess@example.com" };
    for (let i = 1; i <= 3; i++) expect((await lookupJson(miss, {}, { "X-Forwarded-For": `2001:db8:1:2::${i}` })).status).toBe(404);
    expect((await lookupJson(miss, {}, { "X-Forwarded-For": "2001:db8:1:2:ffff::9" })).status).toBe(429);

    for (let i = 0; i < 3; i++) {
      const response = await fetch(appProxyUrl(origin, "/proxy/api/track", { shop: SHOP_A, params: miss, loggedInCustomerId: "7777" }));
      expect(response.status).toBe(404);
    }
    expect((await fetch(appProxyUrl(origin, "/proxy/api/track", { shop: SHOP_A, params: miss, loggedInCustomerId: "7777" }))).status).toBe(429);
  });
});
