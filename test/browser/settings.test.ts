import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startTrackingMoreSimulator, type TrackingMoreSimulator } from "../../simulators/trackingmore";
import type { ServiceContext } from "~/services/context.server";
import { loadProviderAccount } from "~/services/provider-accounts.server";
import { expectNoSeriousAxeViolations, startBrowserHarness, type AdminSession, type BrowserHarness } from "../support/browser";
import { createTestDatabase, type TestDatabase } from "../support/database";
import { createShopWithTrackingMore, type ShopFixture } from "../support/factories";
import { createTestServices, storeOfflineSession } from "../support/services";

/**
 * The Settings page in real Chromium inside the admin stand-in: credentials are write-only,
 * a refused key is not saved and says so next to the field, validation errors sit next to their
 * fields, and a started import shows its progress as the worker moves it.
 */

const SHOP = "settings-shop.myshopify.com";
const API_KEY = "tm-settings-key-abcdefgh";
const WEBHOOK_SECRET = "whsec-settings-browser-0123";

let database: TestDatabase;
let trackingMore: TrackingMoreSimulator;
let services: ServiceContext;
let harness: BrowserHarness;
let shop: ShopFixture;
let admin: AdminSession | undefined;

beforeAll(async () => {
  database = await createTestDatabase();
  trackingMore = await startTrackingMoreSimulator({ rateLimits: { v4Create: Infinity, v4Other: Infinity } });
  trackingMore.addAccount({ apiKey: API_KEY, webhookSecret: WEBHOOK_SECRET });
  services = createTestServices(database.db, { trackingMoreBaseUrl: trackingMore.url });
  shop = await createShopWithTrackingMore(services, { domain: SHOP, apiKey: API_KEY, webhookSecret: WEBHOOK_SECRET });
  await storeOfflineSession(database.db, SHOP, "shpat_settings_token");
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

describe("Settings in the admin", () => {
  it("tests and saves credentials write-only, and rejects a key the provider refuses", async () => {
    admin = await harness.openAdmin({ shop: SHOP, path: "/app/settings" });
    await admin.waitForAppPage("/app/settings");
    const app = admin.app;
    await app.getByRole("heading", { name: "Tracking provider" }).waitFor();
    await app.getByText(`Saved key ends in ${API_KEY.slice(-4)}`).waitFor();
    // Nothing secret reached the browser.
    const html = await (await admin.appFrame()).content();
    expect(html).not.toContain(API_KEY);
    expect(html).not.toContain(WEBHOOK_SECRET);
    expect(await app.getByLabel("API key").inputValue()).toBe("");
    expect(await app.getByLabel("API key").getAttribute("type")).toBe("password");
    await app.getByLabel("Webhook URL", { exact: true }).waitFor();
    expect(await app.getByLabel("Webhook URL", { exact: true }).inputValue()).toBe(`${harness.appUrl}/webhooks/trackingmore/${shop.webhookToken}`);

    // Blank key: the stored one is tested.
    await app.getByRole("button", { name: "Test connection" }).click();
    await app.getByText("TrackingMore accepted these credentials.").waitFor();

    await app.getByLabel("API key").fill("tm-typo-key-zzzzzzzz");
    await app.getByRole("button", { name: "Save provider" }).click();
    await app.getByText(/^TrackingMore refused these credentials\./).first().waitFor();
    expect(await loadProviderAccount(services, shop.id, "trackingmore")).toMatchObject({ credentials: { apiKey: API_KEY } });
    await expectNoSeriousAxeViolations(await admin.appFrame(), "settings with a rejected key");
    await admin.screenshot("settings-rejected-key");
    expect(admin.browserErrors).toEqual([]);
  });

  it("shows validation errors next to the fields, saves valid values with a toast, and runs an import with progress", async () => {
    admin = await harness.openAdmin({ shop: SHOP, path: "/app/settings" });
    await admin.waitForAppPage("/app/settings");
    const app = admin.app;
    const stuck = app.getByLabel("Needs attention when in transit without an update for");
    await stuck.fill("0");
    await expect.poll(() => admin!.saveBar.isVisible()).toBe(true);
    await app.getByRole("button", { name: "Save", exact: true }).click();
    await app.getByText("Enter a number of days between 1 and 60.").waitFor();
    await stuck.fill("12");
    await app.getByRole("button", { name: "Save", exact: true }).click();
    await expect.poll(() => admin!.toasts().map((toast) => toast.message)).toContain("Settings saved");
    expect((await database.db.prisma.shop.findUniqueOrThrow({ where: { id: shop.id } })).stuckAfterDays).toBe(12);

    await app.getByLabel("Import orders from the last").fill("14");
    await app.getByRole("button", { name: "Start import" }).click();
    await app.getByText("Waiting to start: 0 orders, 0 tracking numbers").waitFor();
    // The worker's progress (written here as the worker writes it) appears without a reload.
    const run = await database.db.prisma.backfillRun.findFirstOrThrow({ where: { shopId: shop.id } });
    await database.db.prisma.backfillRun.update({ where: { id: run.id }, data: { state: "downloading", totalBytes: 1000, bytesRead: 400, ordersProcessed: 8, trackingNumbersFound: 9 } });
    await app.getByText("Importing orders: 8 orders, 9 tracking numbers").waitFor({ timeout: 10_000 });
    await expectNoSeriousAxeViolations(await admin.appFrame(), "settings with an import running");
    await admin.screenshot("settings");
    await database.db.prisma.backfillRun.update({ where: { id: run.id }, data: { state: "completed", bytesRead: 1000, finishedAt: new Date() } });
    await app.getByText("Finished: 8 orders, 9 tracking numbers").waitFor({ timeout: 10_000 });
    expect(admin.browserErrors).toEqual([]);
  });

  it("disconnects a provider only after the merchant confirms", async () => {
    admin = await harness.openAdmin({ shop: SHOP, path: "/app/settings" });
    await admin.waitForAppPage("/app/settings");
    const app = admin.app;
    await app.getByRole("button", { name: "Disconnect" }).click();
    const modal = app.locator("ui-modal[data-showing]");
    await modal.getByText(/^The saved TrackingMore credentials are deleted\./).waitFor();
    await modal.getByRole("button", { name: "Cancel" }).click();
    await expect.poll(() => modal.count()).toBe(0);
    expect(await database.db.prisma.providerAccount.count({ where: { shopId: shop.id } })).toBe(1);

    await app.getByRole("button", { name: "Disconnect" }).first().click();
    await modal.getByRole("button", { name: "Disconnect" }).click();
    await app.getByText("No provider is connected yet. Tracking numbers wait until you connect one.").waitFor();
    expect(await database.db.prisma.providerAccount.count({ where: { shopId: shop.id } })).toBe(0);
    expect(admin.browserErrors).toEqual([]);
  });
});
