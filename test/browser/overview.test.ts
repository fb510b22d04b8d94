import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startTrackingMoreSimulator, type TrackingMoreSimulator } from "../../simulators/trackingmore";
import { ingestFulfillment } from "~/services/ingest-fulfillment.server";
import { pollStaleShipments } from "~/services/poll-shipments.server";
import { registerPendingShipments } from "~/services/register-shipments.server";
import type { ServiceContext } from "~/services/context.server";
import { adminHost, DESKTOP_VIEWPORT, desktopUserAgent, startBrowserHarness, type AdminSession, type BrowserHarness } from "../support/browser";
import { createTestDatabase, type TestDatabase } from "../support/database";
import { createShopWithTrackingMore, fulfillmentSnapshot, upsNumber, type ShopFixture } from "../support/factories";
import { createTestServices, storeOfflineSession } from "../support/services";

/**
 * The Overview page in real Chromium, inside the admin stand-in, served by the built app with
 * its real authentication: what the merchant sees is what the pipeline stored for their shop,
 * and nothing is shown without an ID token signed with the app's secret.
 */

const SHOP = "overview-shop.myshopify.com";
const BLOCKED_SHOP = "blocked-shop.myshopify.com";
const API_KEY = "tm-browser-key-abcdefgh";

let database: TestDatabase;
let trackingMore: TrackingMoreSimulator;
let services: ServiceContext;
let harness: BrowserHarness;
let shop: ShopFixture;
let admin: AdminSession | undefined;

/** Status → count, as the "Shipments by status" table shows it. */
async function statusTable(session: AdminSession): Promise<Record<string, number>> {
  const rows = session.app.getByRole("table").getByRole("row");
  const table: Record<string, number> = {};
  for (const row of await rows.all()) {
    const cells = (await row.getByRole("cell").allInnerTexts()).map((text) => text.trim());
    const heading = (await row.getByRole("rowheader").allInnerTexts()).map((text) => text.trim());
    const [status, count] = [...heading, ...cells];
    if (status && count !== undefined && /^\d+$/.test(count)) table[status] = Number(count);
  }
  return table;
}

beforeAll(async () => {
  database = await createTestDatabase();
  trackingMore = await startTrackingMoreSimulator({ rateLimits: { v4Create: Infinity, v4Other: Infinity } });
  trackingMore.addAccount({ apiKey: API_KEY, email: "ops@overview.example", webhookSecret: "whsec-browser-0123456789" });
  services = createTestServices(database.db, { trackingMoreBaseUrl: trackingMore.url });

  // The shop: installed (offline session), TrackingMore connected, five numbers registered,
  // two of them moved on by the carrier and polled, then one more fulfillment not registered yet.
  shop = await createShopWithTrackingMore(services, { domain: SHOP, apiKey: API_KEY });
  await storeOfflineSession(database.db, SHOP, "shpat_overview_token");
  await ingestFulfillment(services, SHOP, fulfillmentSnapshot({ numbers: [upsNumber(501), upsNumber(502)] }));
  for (const index of [503, 504, 505]) await ingestFulfillment(services, SHOP, fulfillmentSnapshot({ numbers: [upsNumber(index)] }));
  expect(await registerPendingShipments(services, shop.id)).toMatchObject({ result: "DONE", registered: 5 });
  await trackingMore.advance(API_KEY, upsNumber(501), { status: "transit" });
  await trackingMore.advance(API_KEY, upsNumber(502), { status: "delivered" });
  // Last heard of a day ago: due for the fallback poll, which reads the new states.
  await database.db.prisma.shipment.updateMany({ where: { shopId: shop.id }, data: { lastCheckedAt: new Date(Date.now() - 24 * 60 * 60_000) } });
  expect(await pollStaleShipments(services, shop.id)).toMatchObject({ result: "POLLED", checked: 5, updated: 2 });
  await ingestFulfillment(services, SHOP, fulfillmentSnapshot({ numbers: [upsNumber(506)] }));

  // Another shop whose TrackingMore key is refused: tracking pauses, and its admin says why.
  const blocked = await createShopWithTrackingMore(services, { domain: BLOCKED_SHOP, apiKey: "tm-unknown-key-abcdefgh" });
  await storeOfflineSession(database.db, BLOCKED_SHOP, "shpat_blocked_token");
  await ingestFulfillment(services, BLOCKED_SHOP, fulfillmentSnapshot({ numbers: [upsNumber(601)] }));
  await registerPendingShipments(services, blocked.id).catch(() => undefined);
  const account = await database.db.prisma.providerAccount.findFirstOrThrow({ where: { shopId: blocked.id } });
  expect(account.blockedReason).toBe("auth_failed");

  harness = await startBrowserHarness({ env: { DATABASE_URL: database.url, TRACKINGMORE_API_BASE_URL: trackingMore.url } });
}, 120_000);

afterEach(async () => {
  await admin?.close();
  admin = undefined;
});

afterAll(async () => {
  await harness?.close();
  await trackingMore?.close();
  await database?.dispose();
});

describe("Overview in the admin", () => {
  it("shows the shop's own counts and registration backlog, authenticated by ID tokens only", async () => {
    admin = await harness.openAdmin({ shop: SHOP });
    await admin.waitForAppPage("/app");
    await admin.app.getByRole("heading", { name: "Shipments by status" }).waitFor();

    expect(await statusTable(admin)).toMatchObject({ Pending: 4, "In transit": 1, Delivered: 1, Exception: 0 });
    await admin.app.getByText("Waiting: 1", { exact: true }).waitFor();
    await admin.app.getByText("Failed: 0", { exact: true }).waitFor();
    // Connected and healthy: neither "connect a provider" nor "tracking is paused".
    expect(await admin.app.getByText("Tracking is paused").count()).toBe(0);
    expect(await admin.app.getByText("Connect a tracking provider").count()).toBe(0);

    // The app declared its navigation to App Bridge, and the admin draws it.
    await expect.poll(() => admin!.events.filter((event) => event.action === "state").length).toBeGreaterThan(0);
    await admin.page.getByRole("navigation", { name: "App navigation" }).getByRole("link", { name: "Tracklight" }).waitFor();

    // The document came with the id_token admin put in the URL; every request the app made to
    // its server afterwards carried a fresh ID token in the Authorization header.
    const document = admin.requests.find((request) => request.resourceType === "document" && request.path.startsWith("/app?"));
    expect(document).toMatchObject({ status: 200, authorization: null });
    expect(new URL(document!.path, harness.appUrl).searchParams.get("id_token")).toBeTruthy();

    // Remix revalidates the page client-side: its data request goes through App Bridge's fetch,
    // which adds a freshly minted ID token as the bearer, and the loaders accept it.
    const frame = await admin.appFrame();
    const minted = admin.tokensMinted();
    const before = admin.requests.length;
    await frame.evaluate(async () => {
      const router = (window as unknown as { __remixRouter: { revalidate(): Promise<void> } }).__remixRouter;
      await router.revalidate();
    });
    // Playwright reports requests a moment after the page saw their responses.
    const dataRequests = () => admin!.requests.slice(before).filter((request) => request.path.startsWith("/app.data") && request.status !== null);
    await expect.poll(() => dataRequests().length).toBe(1);
    const [dataRequest] = dataRequests();
    expect(dataRequest).toMatchObject({ method: "GET", resourceType: "fetch", status: 200 });
    expect(dataRequest!.authorization).toMatch(/^Bearer [\w-]+\.[\w-]+\.[\w-]+$/);
    expect(admin.tokensMinted()).toBeGreaterThan(minted);
    await admin.app.getByText("Waiting: 1", { exact: true }).waitFor();

    expect(admin.blockedRequests).toEqual([]);
    expect(admin.browserErrors).toEqual([]);
    await admin.screenshot("overview");
  });

  it("tells the merchant why tracking is paused when the provider refused the key", async () => {
    admin = await harness.openAdmin({ shop: BLOCKED_SHOP });
    await admin.waitForAppPage("/app");
    await admin.app.getByText("Tracking is paused").waitFor();
    await admin.app.getByText("Your tracking provider refused the API key", { exact: false }).waitFor();
    // Its own numbers, not the other shop's.
    expect(await statusTable(admin)).toMatchObject({ Pending: 1, "In transit": 0, Delivered: 0 });
    expect(admin.browserErrors).toEqual([]);
    await admin.screenshot("overview-provider-blocked");
  });

  it("without an id_token in the URL, bounces through App Bridge for one and then shows the page", async () => {
    admin = await harness.openAdmin({ shop: SHOP, idTokenInUrl: false });
    await admin.waitForAppPage("/app");
    await admin.app.getByText("Waiting: 1", { exact: true }).waitFor();
    const documents = admin.requests.filter((request) => request.resourceType === "document").map((request) => [request.path.split("?")[0], request.status]);
    expect(documents).toEqual([
      ["/app", 302],
      ["/auth/session-token", 200],
      ["/app", 200],
    ]);
    expect(admin.events.filter((event) => event.action === "bounce")).toHaveLength(1);
    expect(admin.browserErrors).toEqual([]);
  });
});

describe("the app's own authentication", () => {
  it("shows no shop data when the admin's ID tokens are signed with another secret", async () => {
    admin = await harness.openAdmin({ shop: SHOP, tokenSecret: "not-the-app-secret", bounceLimit: 2 });
    const frame = await admin.appFrame();
    // Rejected, the app sends the frame to the bounce page for a fresh token; those are forged
    // too, until the stand-in stops answering.
    await expect.poll(() => admin!.events.filter((event) => event.action === "error").length, { timeout: 20_000 }).toBeGreaterThan(0);
    const documents = admin.requests.filter((request) => request.resourceType === "document");
    expect(documents.filter((request) => request.path.startsWith("/auth/session-token")).length).toBeGreaterThanOrEqual(2);
    expect(documents.every((request) => request.status !== 200 || !request.path.startsWith("/app?"))).toBe(true);
    expect(await frame.locator("body").innerText()).not.toMatch(/Shipments by status|Waiting:/);

    // A data request through App Bridge's fetch carries the (forged) token as a bearer: 401,
    // with the header that makes App Bridge retry once with a fresh token, which fails too.
    const before = admin.requests.length;
    const data = await frame.evaluate(async () => {
      const response = await fetch("/app.data");
      return { status: response.status, body: await response.text() };
    });
    expect(data.status).toBe(401);
    expect(data.body).not.toContain("countsByStatus");
    const dataRequests = () => admin!.requests.slice(before).filter((request) => request.path.startsWith("/app.data") && request.status !== null);
    await expect.poll(() => dataRequests().length).toBe(2);
    expect(dataRequests().map((request) => [request.status, request.authorization?.startsWith("Bearer ey")])).toEqual([
      [401, true],
      [401, true],
    ]);
    expect(admin.events.filter((event) => event.action === "fetch.retry")).toHaveLength(1);
    await admin.screenshot("forged-token");
  });

  it("shows no shop data to a browser that opens the app outside the admin, without a token", async () => {
    // A plain browser, no admin around it and no App Bridge; nothing but the app is reachable.
    const context = await harness.browser.newContext({ viewport: DESKTOP_VIEWPORT, userAgent: desktopUserAgent(harness.browser) });
    await context.route("**/*", (route) => (route.request().url().startsWith(`${harness.appUrl}/`) ? route.continue() : route.abort("blockedbyclient")));
    const seen: Array<{ url: string; status: number | null }> = [];
    const bodies: string[] = [];
    context.on("request", (request) => seen.push({ url: request.url(), status: null }));
    context.on("response", async (response) => {
      const entry = seen.find((candidate) => candidate.url === response.url() && candidate.status === null);
      if (entry) entry.status = response.status();
      bodies.push(await response.text().catch(() => ""));
    });
    try {
      const page = await context.newPage();
      // Not embedded: the app sends the merchant to their Shopify admin (which does not resolve here).
      await page.goto(`${harness.appUrl}/app?shop=${SHOP}&host=${adminHost(SHOP)}`).catch(() => null);
      expect(seen.map((entry) => [new URL(entry.url).origin + new URL(entry.url).pathname, entry.status])).toEqual([
        [`${harness.appUrl}/app`, 302],
        [`https://admin.shopify.com/store/overview-shop/apps/${process.env.SHOPIFY_API_KEY}`, null],
      ]);

      // Embedded, but no id_token and no App Bridge to fetch one: the bounce page, and no data.
      seen.length = 0;
      const second = await context.newPage();
      await second.goto(`${harness.appUrl}/app?shop=${SHOP}&host=${adminHost(SHOP)}&embedded=1`);
      expect(new URL(second.url()).pathname).toBe("/auth/session-token");
      expect(await second.locator("body").innerText()).toBe("");
      expect(bodies.join("\n")).not.toMatch(/countsByStatus|Shipments by status|Waiting:/);
    } finally {
      await context.close();
    }
  });
});
