import { mkdirSync } from "node:fs";
import { resolve } from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { ShipmentStatus, ShipmentSubstatus } from "~/domain/shipment-status";
import type { TrackingEventInput } from "~/domain/tracking-observation";
import type { ServiceContext } from "~/services/context.server";
import { applyTrackingObservation } from "~/services/apply-tracking-update.server";
import { ingestFulfillment } from "~/services/ingest-fulfillment.server";
import { trackingPageUrl } from "~/services/tracking-links.server";
import { ARTIFACTS_DIR, DESKTOP_VIEWPORT, desktopUserAgent, expectNoSeriousAxeViolations, launchChromium } from "../support/browser";
import { createTestDatabase, type TestDatabase } from "../support/database";
import { createShopWithTrackingMore, fulfillmentSnapshot, upsNumber } from "../support/factories";
import { startWebServer, type RunningWeb } from "../support/processes";
import { createTestServices, TEST_API_SECRET } from "../support/services";
import { startStorefront, type StorefrontStandIn } from "../support/storefront";

/**
 * The storefront tracking page as a customer meets it: the theme block rendered on a stand-in
 * online store (test/support/storefront.ts), its script and stylesheet, and the app's proxy routes
 * (the built app on loopback, reached through the stand-in's signed forwarding as Shopify does).
 * Every state is screenshotted at phone and desktop width into test/artifacts/ and checked with
 * axe-core. Times are seeded around the real clock: the app process runs on it.
 */

const SHOP = "tracking-page-shop.myshopify.com";
const CUSTOMER_ID = "7001";
const EMAIL = "ada@example.com";
const PHONE_VIEWPORT = { width: 390, height: 844 } as const;
const HOUR = 60 * 60_000;
const DAY = 24 * HOUR;
const HOSTILE_TEXT = `Sorting <img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>`;

let database: TestDatabase;
let services: ServiceContext;
let web: RunningWeb;
let storefront: StorefrontStandIn;
let browser: Browser;
let context: BrowserContext | undefined;
let clientAddress = 10;

const numbers = {
  inTransit: upsNumber(801),
  outForDelivery: upsNumber(802),
  delivered: upsNumber(803),
  exception: upsNumber(804),
  firstOfTwo: upsNumber(805),
  secondOfTwo: upsNumber(806),
  hostile: upsNumber(807),
};

const ORDERS = {
  inTransit: "#3001",
  outForDelivery: "#3002",
  delivered: "#3003",
  exception: "#3004",
  multiShipment: "#3005",
  hostile: "#3006",
} as const;

function event(at: number, status: ShipmentStatus, substatus: ShipmentSubstatus | null, description: string, city: string): TrackingEventInput {
  return { occurredAt: new Date(at), zoneKnown: true, status, substatus, description, location: `${city}, US`, city, state: null, countryCode: "US", postalCode: null, rawStatus: null };
}

async function seedOrder(input: {
  orderName: string;
  shipments: { number: string; items: { title: string; variantTitle: string | null; quantity: number; image: string | null }[] }[];
  customerId?: string;
}): Promise<void> {
  const orderId = `order-${input.orderName.slice(1)}`;
  for (const [index, shipment] of input.shipments.entries()) {
    await ingestFulfillment(
      services,
      SHOP,
      fulfillmentSnapshot({
        shopifyOrderId: orderId,
        shopifyFulfillmentId: `${orderId}-f${index}`,
        orderName: input.orderName,
        fulfillmentName: `${input.orderName}.${index + 1}`,
        numbers: [shipment.number],
        lineItems: shipment.items.map((item, position) => ({
          id: `${orderId}-li${index}-${position}`,
          title: item.title,
          quantity: item.quantity,
          variantTitle: item.variantTitle,
          sku: null,
          imageUrl: item.image === null ? null : `https://cdn.shopify.com/s/files/1/demo/${item.image}.svg`,
        })),
        customer: { email: EMAIL, phone: "+1 555 625 1199", firstName: "Ada", shopifyCustomerId: input.customerId ?? null, locale: "en" },
        destinationCountry: "US",
      }),
    );
  }
}

async function observe(number: string, status: ShipmentStatus, substatus: ShipmentSubstatus | null, events: TrackingEventInput[], extra: { estimatedDelivery?: { start: Date; end: Date | null }; deliveredAt?: Date } = {}) {
  const result = await applyTrackingObservation(services, (await services.db.prisma.shop.findUniqueOrThrow({ where: { domain: SHOP } })).id, {
    provider: "trackingmore",
    trackingNumber: number,
    carrierCode: "ups",
    providerTrackingId: null,
    status,
    substatus,
    rawStatus: null,
    asOf: events[0]!.occurredAt,
    events,
    ...extra,
  });
  expect(result.result).toBe("UPDATED");
}

const SHIRT = { title: "Linen shirt", variantTitle: "Blue / M", quantity: 2, image: "shirt" };
const MUG = { title: "Stoneware mug", variantTitle: null, quantity: 1, image: "mug" };
const CAP = { title: "Canvas cap", variantTitle: "Sand", quantity: 1, image: null };

beforeAll(async () => {
  database = await createTestDatabase();
  services = createTestServices(database.db);
  await createShopWithTrackingMore(services, { domain: SHOP, apiKey: "tm-tracking-page-key" });
  const now = Date.now();

  await seedOrder({ orderName: ORDERS.inTransit, shipments: [{ number: numbers.inTransit, items: [SHIRT, MUG] }], customerId: CUSTOMER_ID });
  await observe(
    numbers.inTransit,
    "transit",
    "departed",
    [
      event(now - 3 * HOUR, "transit", "departed", "Departed from facility", "Louisville"),
      event(now - DAY, "transit", "arrived_at_hub", "Arrived at facility", "Louisville"),
      event(now - 2 * DAY, "transit", "in_transit", "Picked up by carrier", "Atlanta"),
    ],
    { estimatedDelivery: { start: new Date(now + 2 * DAY), end: null } },
  );

  await seedOrder({ orderName: ORDERS.outForDelivery, shipments: [{ number: numbers.outForDelivery, items: [MUG] }] });
  await observe(numbers.outForDelivery, "pickup", "out_for_delivery", [
    event(now - 60_000, "pickup", "out_for_delivery", "Out for delivery", "Brooklyn"),
    event(now - DAY, "transit", "arrived_at_delivery_facility", "Arrived at delivery facility", "Brooklyn"),
    event(now - 2 * DAY, "transit", "in_transit", "Picked up by carrier", "Atlanta"),
  ]);

  await seedOrder({ orderName: ORDERS.delivered, shipments: [{ number: numbers.delivered, items: [SHIRT] }] });
  await observe(
    numbers.delivered,
    "delivered",
    "left_at_door",
    [
      event(now - 2 * HOUR, "delivered", "left_at_door", "Delivered, left at front door", "Brooklyn"),
      event(now - 6 * HOUR, "pickup", "out_for_delivery", "Out for delivery", "Brooklyn"),
      event(now - 2 * DAY, "transit", "in_transit", "Picked up by carrier", "Atlanta"),
    ],
    { deliveredAt: new Date(now - 2 * HOUR) },
  );

  await seedOrder({ orderName: ORDERS.exception, shipments: [{ number: numbers.exception, items: [CAP] }] });
  await observe(numbers.exception, "exception", "customs_hold", [
    event(now - 4 * HOUR, "exception", "customs_hold", "Held by customs", "Chicago"),
    event(now - 2 * DAY, "transit", "in_transit", "Picked up by carrier", "Toronto"),
  ]);

  await seedOrder({
    orderName: ORDERS.multiShipment,
    customerId: CUSTOMER_ID,
    shipments: [
      { number: numbers.firstOfTwo, items: [SHIRT] },
      { number: numbers.secondOfTwo, items: [MUG, CAP] },
    ],
  });
  await observe(numbers.firstOfTwo, "delivered", "delivered", [
    event(now - DAY, "delivered", "delivered", "Delivered", "Brooklyn"),
    event(now - 3 * DAY, "transit", "in_transit", "Picked up by carrier", "Atlanta"),
  ], { deliveredAt: new Date(now - DAY) });
  await observe(numbers.secondOfTwo, "transit", "in_transit", [event(now - 5 * HOUR, "transit", "in_transit", "In transit", "Newark")], {
    estimatedDelivery: { start: new Date(now + DAY), end: new Date(now + 3 * DAY) },
  });

  await seedOrder({ orderName: ORDERS.hostile, shipments: [{ number: numbers.hostile, items: [{ ...MUG, title: `Mug <img src=x onerror="window.__pwned=3">` }] }] });
  await observe(numbers.hostile, "transit", "in_transit", [event(now - HOUR, "transit", "in_transit", HOSTILE_TEXT, "{{ customer.email }}")]);

  // Every order was placed three days ago (ingestion dates an order when it first sees it).
  await database.db.prisma.order.updateMany({ data: { createdAt: new Date(now - 3 * DAY) } });

  web = await startWebServer({ DATABASE_URL: database.url });
  storefront = await startStorefront({ appUrl: web.url, shop: SHOP });
  browser = await launchChromium();
}, 120_000);

afterEach(async () => {
  await context?.close();
  context = undefined;
  storefront.logOut();
  storefront.setBlockSettings({});
  storefront.setLocale("en");
});

afterAll(async () => {
  await browser?.close();
  await storefront?.close();
  await web?.stop();
  await database?.dispose();
});

interface CustomerPage {
  page: Page;
  /** Requests to anything but the storefront (and Shopify's CDN, which the test serves). */
  blockedRequests: string[];
  browserErrors: string[];
}

/** A customer's browser, offline but for the storefront; product images answered as Shopify's CDN would. */
async function openStorefront(options: { viewport?: { width: number; height: number }; javaScriptEnabled?: boolean; initScript?: string } = {}): Promise<CustomerPage> {
  // Each test is its own client (a fresh forwarded address), so rate limits never leak between tests.
  storefront.setClientAddress(`203.0.113.${clientAddress++}`);
  context = await browser.newContext({
    viewport: options.viewport ?? DESKTOP_VIEWPORT,
    userAgent: desktopUserAgent(browser),
    javaScriptEnabled: options.javaScriptEnabled ?? true,
    locale: "en-GB",
  });
  const blockedRequests: string[] = [];
  const browserErrors: string[] = [];
  const storefrontOrigin = new URL(storefront.url).origin;
  await context.route("**/*", (route) => {
    const url = new URL(route.request().url());
    if (url.origin === storefrontOrigin) return route.continue();
    if (url.origin === "https://cdn.shopify.com") return route.fulfill({ status: 200, contentType: "image/svg+xml", body: productImageSvg(url.pathname) });
    blockedRequests.push(url.toString());
    return route.abort("blockedbyclient");
  });
  const page = await context.newPage();
  if (options.initScript) await page.addInitScript(options.initScript);
  page.on("pageerror", (error) => browserErrors.push(`uncaught: ${error.message}`));
  page.on("console", (message) => {
    if (message.type() === "error") browserErrors.push(`console.error: ${message.text()}`);
  });
  await page.goto(`${storefront.url}/pages/track`);
  return { page, blockedRequests, browserErrors };
}

function productImageSvg(path: string): string {
  const hue = [...path].reduce((sum, character) => sum + character.charCodeAt(0), 0) % 360;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64" viewBox="0 0 64 64"><rect width="64" height="64" fill="hsl(${hue} 45% 70%)"/><circle cx="32" cy="28" r="12" fill="hsl(${hue} 45% 45%)"/></svg>`;
}

/** Fills the order form and submits it; with the script on, returns once the answer is in. */
async function lookUpOrder(page: Page, order: string, contact: { email?: string; phone?: string }, options: { script?: boolean } = {}): Promise<void> {
  await page.getByLabel("Order number").fill(order);
  if (contact.email) await page.getByLabel("E-mail address").fill(contact.email);
  if (contact.phone) await page.getByLabel("Or phone number").fill(contact.phone);
  await submitAndWait(page, page.getByRole("form", { name: "Find your order" }).getByRole("button", { name: "Track" }), options);
}

async function submitAndWait(page: Page, button: ReturnType<Page["locator"]>, { script = true }: { script?: boolean } = {}): Promise<void> {
  if (!script) {
    await button.click();
    return;
  }
  await Promise.all([page.waitForResponse((response) => new URL(response.url()).pathname === "/apps/track/fragment"), button.click()]);
  await page.locator("[data-tl-result]:not([aria-busy])").waitFor({ timeout: 10_000 });
}

async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(ARTIFACTS_DIR, { recursive: true });
  await page.screenshot({ path: resolve(ARTIFACTS_DIR, `${name}.png`), fullPage: true });
}

const STATES = [
  { name: "in-transit", order: ORDERS.inTransit, kinds: ["arriving"], headline: /^Arriving/ },
  { name: "out-for-delivery", order: ORDERS.outForDelivery, kinds: ["out_for_delivery"], headline: /^Out for delivery/ },
  { name: "delivered", order: ORDERS.delivered, kinds: ["delivered"], headline: /^Delivered/ },
  { name: "exception", order: ORDERS.exception, kinds: ["exception"], headline: /./ },
  { name: "multi-shipment", order: ORDERS.multiShipment, kinds: ["delivered", "arriving"], headline: /./ },
] as const;

describe("the tracking page block on a storefront", () => {
  for (const state of STATES) {
    it(`shows an order ${state.name.replaceAll("-", " ")} at phone and desktop width, with no serious accessibility problems`, async () => {
      for (const [width, viewport] of [["phone", PHONE_VIEWPORT], ["desktop", DESKTOP_VIEWPORT]] as const) {
        const customer = await openStorefront({ viewport });
        const { page } = customer;
        await lookUpOrder(page, state.order, { email: EMAIL });
        const shipments = page.locator("article.tl-shipment");
        await expect.poll(() => shipments.count(), { timeout: 10_000 }).toBe(state.kinds.length);

        const kinds = await shipments.evaluateAll((articles) => articles.map((article) => /tl-shipment--(\w+)/.exec(article.className)?.[1]));
        expect(kinds).toEqual(state.kinds);
        await expect.poll(() => page.locator(".tl-headline").first().innerText()).toMatch(state.headline);
        expect(await page.locator(".tl-order__name").innerText()).toBe(`Order ${state.order}`);
        expect(await page.getByRole("status").innerText()).toBe("Tracking details updated.");
        // The journey on the bar: one current (or stopped) step, every step's state in words.
        expect(await page.locator(".tl-progress").first().locator('[aria-current="step"]').count()).toBe(1);
        expect(await page.locator(".tl-step__state").first().innerText()).toBe("Done");
        // Product images keep their box while loading (no layout shift).
        for (const image of await page.locator("img.tl-item__image").all()) {
          expect(await image.getAttribute("width")).toBe("64");
          expect(await image.getAttribute("height")).toBe("64");
          expect(await image.getAttribute("alt")).not.toBe("");
        }
        if (state.kinds.length > 1) {
          // Side by side on a desktop, stacked on a phone.
          const boxes = await Promise.all((await shipments.all()).map((article) => article.boundingBox()));
          if (width === "desktop") expect(boxes[0]!.y).toBe(boxes[1]!.y);
          else expect(boxes[1]!.y).toBeGreaterThan(boxes[0]!.y + boxes[0]!.height - 1);
        }
        await screenshot(page, `tracking-page-${state.name}-${width}`);
        await expectNoSeriousAxeViolations(page, `tracking page, ${state.name}, ${width}`);
        expect(customer.browserErrors).toEqual([]);
        expect(customer.blockedRequests).toEqual([]);
        await context!.close();
        context = undefined;
      }
    });
  }

  it("looks up an order by keyboard alone, moves focus to the result and announces it", async () => {
    const { page, browserErrors } = await openStorefront();
    const activeField = () => page.evaluate(() => (document.activeElement as HTMLInputElement | null)?.name ?? document.activeElement?.tagName ?? null);
    for (let presses = 0; presses < 10 && (await activeField()) !== "order"; presses += 1) await page.keyboard.press("Tab");
    expect(await activeField()).toBe("order");
    await page.keyboard.type(ORDERS.inTransit.slice(1)); // "3001": the "#" is optional
    await page.keyboard.press("Tab");
    expect(await activeField()).toBe("email");
    await page.keyboard.type(EMAIL.toUpperCase());
    await page.keyboard.press("Enter");

    await page.locator(".tl-headline").waitFor({ timeout: 10_000 });
    await expect.poll(() => page.evaluate(() => document.activeElement?.className)).toBe("tl-headline");
    expect(await page.getByRole("status").innerText()).toBe("Tracking details updated.");
    expect(browserErrors).toEqual([]);
  });

  it("says when the order number or the e-mail does not match, without telling which", async () => {
    const { page } = await openStorefront();
    await lookUpOrder(page, ORDERS.inTransit, { email: "someone.else@example.com" });
    const wrongEmail = await page.locator("[data-tl-result]").innerHTML();
    await page.evaluate(() => (document.querySelector("[data-tl-result]")!.innerHTML = ""));
    await lookUpOrder(page, "#9999", { email: EMAIL });
    expect(await page.getByRole("status").innerText()).toBe("Tracking details updated.");
    expect(await page.locator("[data-tl-result]").innerHTML()).toBe(wrongEmail);
    expect(wrongEmail).toContain("No tracking details found");
    await screenshot(page, "tracking-page-not-found-desktop");
    await expectNoSeriousAxeViolations(page, "tracking page, not found");
  });

  it("asks for an e-mail or phone before looking anything up", async () => {
    const { page } = await openStorefront();
    const proxiedBefore = storefront.proxied.length;
    await page.getByLabel("Order number").fill(ORDERS.inTransit);
    await page.getByRole("form", { name: "Find your order" }).getByRole("button", { name: "Track" }).click();
    await expect.poll(() => page.getByRole("status").innerText()).toBe("Enter the order number and an e-mail address or phone number.");
    expect(storefront.proxied.slice(proxiedBefore)).toEqual([]);
  });

  it("looks up by phone number too", async () => {
    const { page } = await openStorefront();
    await lookUpOrder(page, ORDERS.delivered, { phone: "(555) 625-1199" });
    expect(await page.locator(".tl-headline").first().innerText()).toMatch(/^Delivered/);
  });

  it("tracks a parcel by its tracking number alone, with the order's details hidden", async () => {
    const { page } = await openStorefront({ viewport: PHONE_VIEWPORT });
    await page.getByLabel("Tracking number").fill(numbers.outForDelivery);
    await submitAndWait(page, page.getByRole("form", { name: "Track a parcel" }).getByRole("button", { name: "Track" }));
    expect(await page.locator(".tl-carrier__number").innerText()).toBe(numbers.outForDelivery);
    expect(await page.locator(".tl-order__name").count()).toBe(0);
    expect(await page.locator(".tl-items").count()).toBe(0);
    await screenshot(page, "tracking-page-by-number-phone");
  });

  it("speaks the storefront's language, in the block and in the app's answer", async () => {
    storefront.setLocale("fr");
    const { page, browserErrors } = await openStorefront({ viewport: PHONE_VIEWPORT });
    await page.getByLabel("Numéro de commande").fill(ORDERS.inTransit);
    await page.getByLabel("Adresse e-mail").fill(EMAIL);
    await submitAndWait(page, page.getByRole("form", { name: "Retrouver votre commande" }).getByRole("button", { name: "Suivre" }));
    expect(await page.getByRole("status").innerText()).toBe("Informations de suivi mises à jour.");
    expect(await page.locator(".tl-result").getAttribute("lang")).toBe("fr");
    expect(await page.locator(".tl-order__name").innerText()).toBe(`Commande ${ORDERS.inTransit}`);
    expect(await page.locator(".tl-step__label").first().innerText()).not.toBe("Ordered");
    await screenshot(page, "tracking-page-in-transit-french-phone");
    expect(browserErrors).toEqual([]);
  });

  it("follows the merchant's block settings: no timeline, no carrier link, no lookup by number", async () => {
    storefront.setBlockSettings({ show_timeline: false, show_carrier_link: false, allow_tracking_number_lookup: false, accent_color: "#7a1f5c" });
    const { page } = await openStorefront();
    expect(await page.getByLabel("Tracking number").count()).toBe(0);
    await lookUpOrder(page, ORDERS.inTransit, { email: EMAIL });
    expect(await page.locator(".tl-timeline").count()).toBe(0);
    expect(await page.locator(".tl-link--carrier").count()).toBe(0);
    expect(await page.locator(".tl-link--map").count()).toBe(1);
    expect(await page.locator(".tl-shipment").evaluate((element) => getComputedStyle(element).borderTopColor)).toBe("rgb(122, 31, 92)");
  });

  it("opens an e-mail's signed link straight onto the order, with no form to fill", async () => {
    const order = await services.db.prisma.order.findFirstOrThrow({ where: { name: ORDERS.delivered } });
    const link = new URL(trackingPageUrl(TEST_API_SECRET, SHOP, order.id));
    expect(link.host).toBe(SHOP);
    const { page, browserErrors } = await openStorefront({ viewport: PHONE_VIEWPORT });
    await page.goto(`${storefront.url}${link.pathname}${link.search}`);
    expect(await page.locator(".tl-headline").innerText()).toMatch(/^Delivered/);
    expect(await page.locator(".tl-order__name").innerText()).toBe(`Order ${ORDERS.delivered}`);
    // The answer is above the fold on a phone, before the forms.
    expect((await page.locator(".tl-headline").boundingBox())!.y).toBeLessThan(PHONE_VIEWPORT.height);
    await screenshot(page, "tracking-page-signed-link-phone");
    expect(browserErrors).toEqual([]);
  });

  it("shows a logged-in customer their recent orders without any lookup, without shifting the page", async () => {
    storefront.logIn({ id: CUSTOMER_ID, first_name: "Ada" });
    // Cumulative layout shift as Chromium measures it (shifts right after the customer's own input excluded).
    const layoutShift = `window.__layoutShift = 0; new PerformanceObserver((list) => { for (const entry of list.getEntries()) if (!entry.hadRecentInput) window.__layoutShift += entry.value; }).observe({ type: "layout-shift", buffered: true });`;
    const { page, browserErrors } = await openStorefront({ initScript: layoutShift });
    await expect.poll(() => page.locator(".tl-order__name").allInnerTexts(), { timeout: 10_000 }).toEqual(
      expect.arrayContaining([`Order ${ORDERS.inTransit}`, `Order ${ORDERS.multiShipment}`]),
    );
    expect(await page.locator(".tl-order__name").count()).toBe(2);
    const forwarded = storefront.proxied.filter((request) => request.appPath.startsWith("/proxy/fragment?"));
    expect(forwarded.at(-1)!.appPath).toContain(`logged_in_customer_id=${CUSTOMER_ID}`);
    await screenshot(page, "tracking-page-logged-in-desktop");
    // Nothing visible moved: the result container kept room for the orders while they loaded
    // (without that room the footer jumps, a shift of about 0.013).
    expect(await page.evaluate(() => (window as { __layoutShift?: number }).__layoutShift)).toBe(0);
    expect(browserErrors).toEqual([]);
  });

  it("shows carrier text as text: no markup, script or Liquid from an event runs", async () => {
    const { page, browserErrors } = await openStorefront();
    await lookUpOrder(page, ORDERS.hostile, { email: EMAIL });
    expect(await page.locator(".tl-event__description").innerText()).toBe(HOSTILE_TEXT);
    expect(await page.locator(".tl-event__location").innerText()).toBe("{{ customer.email }}, United States");
    expect(await page.locator(".tl-item__title").innerText()).toBe(`Mug <img src=x onerror="window.__pwned=3">`);
    expect(await page.evaluate(() => (window as { __pwned?: number }).__pwned)).toBeUndefined();
    expect(await page.locator(".tl-result img:not(.tl-item__image), .tl-result script").count()).toBe(0);
    expect(browserErrors).toEqual([]);
  });

  it("tells the customer when to try again after too many failed lookups", async () => {
    const { page } = await openStorefront();
    let attempts = 0;
    while (attempts < 12 && !(await page.getByRole("status").innerText()).startsWith("Too many lookups")) {
      attempts += 1;
      await lookUpOrder(page, `#${9000 + attempts}`, { email: EMAIL });
    }
    expect(attempts).toBeGreaterThan(1);
    const refused = storefront.proxied.at(-1)!;
    expect(refused.status).toBe(429);
    // The wait the server gave, in the customer's words: seconds under two minutes, else minutes
    // (how long is left depends on where in the fixed ten-minute window the test runs).
    const seconds = Number(refused.retryAfter);
    expect(seconds).toBeGreaterThan(0);
    expect(seconds).toBeLessThanOrEqual(600);
    expect(await page.getByRole("status").innerText()).toBe(
      seconds < 120 ? `Too many lookups. Please try again in ${seconds} seconds.` : `Too many lookups. Please try again in ${Math.ceil(seconds / 60)} minutes.`,
    );
    await screenshot(page, "tracking-page-rate-limited-desktop");
    await expectNoSeriousAxeViolations(page, "tracking page, rate limited");
  });
});

describe("with JavaScript turned off", () => {
  it("the form opens the app's own page, which shows the status", async () => {
    const { page, browserErrors } = await openStorefront({ javaScriptEnabled: false, viewport: PHONE_VIEWPORT });
    await lookUpOrder(page, ORDERS.outForDelivery, { email: EMAIL }, { script: false });
    await page.waitForURL((url) => url.pathname === "/apps/track", { timeout: 10_000 });
    const query = new URL(page.url()).searchParams;
    expect(query.get("order")).toBe(ORDERS.outForDelivery);
    await page.locator(".tl-headline").waitFor({ timeout: 10_000 });
    expect(await page.locator(".tl-headline").innerText()).toMatch(/^Out for delivery/);
    expect(await page.locator("main .tl-page h1").innerText()).toBe("Track your order");
    // Liquid rendered by the storefront, inside the theme's layout.
    const pageRequest = storefront.proxied.findLast((request) => request.appPath.startsWith("/proxy?"));
    expect(pageRequest).toMatchObject({ status: 200, contentType: expect.stringMatching(/^application\/liquid/) });
    await screenshot(page, "tracking-page-no-script-phone");
    expect(browserErrors).toEqual([]);

    // axe needs script; the same page (same URL, same server-rendered markup) in a browser that runs it.
    const proxyPageUrl = page.url();
    await context!.close();
    const withScript = await openStorefront({ viewport: PHONE_VIEWPORT });
    await withScript.page.goto(proxyPageUrl);
    expect(await withScript.page.locator(".tl-headline").innerText()).toMatch(/^Out for delivery/);
    await expectNoSeriousAxeViolations(withScript.page, "tracking page from the proxy (no-script page)");
    expect(withScript.browserErrors).toEqual([]);
    expect(withScript.blockedRequests).toEqual([]);
  });
});
