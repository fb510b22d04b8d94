import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTrackingMoreSimulator, type TrackingMoreSimulator } from "../../simulators/trackingmore";
import { startTracktrySimulator, type TracktrySimulator } from "../../simulators/tracktry";
import { startUpsSimulator, type UpsSimulator } from "../../simulators/ups";
import { AuthenticationError, QuotaExhaustedError } from "~/domain/errors";
import { JOB_TYPES } from "~/jobs/job-types";
import type { ServiceContext } from "~/services/context.server";
import { blockProviderAccount, loadProviderAccount } from "~/services/provider-accounts.server";
import { saveProviderConnection } from "~/services/provider-connection.server";
import { readSettings, saveGeneralSettings, saveRouting, saveRoutingChoices, startBackfill } from "~/services/settings.server";
import { ensureShop } from "~/services/shops.server";
import { configureAppEnvironment } from "../support/app-environment";
import { TestClock } from "../support/clock";
import { createTestDatabase, type TestDatabase } from "../support/database";
import { createTestServices, storeOfflineSession, TEST_API_SECRET } from "../support/services";
import { mintSessionToken } from "../support/session-token";
import { countJobs, deleteJobs } from "../support/jobs";

/**
 * The settings page's services, and its route called the way Remix calls it: a session token
 * signed with the app secret and the shop's stored offline session, nothing bypassed.
 */

const TEST_API_KEY = "tracklight-test-api-key";

let database: TestDatabase;
let trackingMore: TrackingMoreSimulator;
let tracktry: TracktrySimulator;
let ups: UpsSimulator;
let clock: TestClock;
let services: ServiceContext;
let counter = 0;

type RouteModule = typeof import("~/routes/app.settings");
let route: RouteModule;

beforeAll(async () => {
  database = await createTestDatabase();
  trackingMore = await startTrackingMoreSimulator();
  tracktry = await startTracktrySimulator();
  ups = await startUpsSimulator({ environment: "production" });
  clock = new TestClock("2026-11-24T10:00:00.000Z");
  services = createTestServices(database.db, { clock, trackingMoreBaseUrl: trackingMore.url, tracktryBaseUrl: tracktry.url, upsBaseUrl: ups.url });
  // The route uses the process's own singletons, configured from the environment like production.
  configureAppEnvironment({ databaseUrl: database.url, trackingMoreBaseUrl: trackingMore.url });
  process.env.TRACKTRY_API_BASE_URL = tracktry.url;
  process.env.UPS_API_BASE_URL = ups.url;
  process.env.UPS_CIE_API_BASE_URL = ups.url;
  route = await import("~/routes/app.settings");
});

afterAll(async () => {
  await trackingMore.close();
  await tracktry.close();
  await ups.close();
  await database.dispose();
});

const prisma = () => database.db.prisma;

async function newShop() {
  return ensureShop(services, `settings-${++counter}.myshopify.com`);
}

function apiKey(prefix: string): string {
  const key = `${prefix}-${++counter}-key-abcdefgh`;
  trackingMore.addAccount({ apiKey: key });
  return key;
}

describe("reading settings", () => {
  it("shows a new shop's defaults and its own webhook address", async () => {
    const shop = await newShop();
    const settings = await readSettings(services, shop.domain);
    expect(settings).toEqual({
      shopDomain: shop.domain,
      providers: [],
      routing: { defaultProvider: "trackingmore", carrierProviders: {} },
      general: { pollIntervalMinutes: 360, stuckAfterDays: 7, pendingTooLongDays: 5, backfillDays: 30 },
      trackingMoreWebhookUrl: `https://tracklight.test/webhooks/trackingmore/${shop.webhookToken}`,
      backfill: null,
    });
  });

  it("describes connected providers without ever containing a credential", async () => {
    const shop = await newShop();
    const key = apiKey("secret-tm");
    const webhookSecret = "whsec-never-shown-0042";
    const accountEmail = "private-ops@linen.example";
    const upsClient = { clientId: `ups-never-shown-${++counter}`, clientSecret: `ups-secret-never-shown-${counter}` };
    ups.addClient(upsClient);
    await saveProviderConnection(services, shop.domain, { provider: "trackingmore", apiVersion: "v4", apiKey: key, webhookSecret, accountEmail });
    await saveProviderConnection(services, shop.domain, { provider: "ups", environment: "cie", ...upsClient });
    const stored = await loadProviderAccount(services, shop.id, "ups");
    const webhookCredential = stored?.provider === "ups" ? stored.credentials.webhookCredential : "";
    expect(webhookCredential.length).toBeGreaterThan(40);

    const settings = await readSettings(services, shop.domain);
    expect(settings.providers).toEqual([
      {
        provider: "trackingmore",
        apiVersion: "v4",
        environment: null,
        keyHint: `••••${key.slice(-4)}`,
        secretsSaved: { webhookSecret: true, accountEmail: true },
        blocked: null,
        lastSuccessAt: null,
        ignoredEvents: 0,
      },
      {
        provider: "ups",
        apiVersion: null,
        environment: "cie",
        keyHint: `••••${upsClient.clientId.slice(-4)}`,
        secretsSaved: { clientSecret: true },
        blocked: null,
        lastSuccessAt: null,
        ignoredEvents: 0,
      },
    ]);
    expect(settings.routing).toEqual({ defaultProvider: "trackingmore", carrierProviders: { ups: "ups" } });
    const serialized = JSON.stringify(settings);
    for (const secret of [key, webhookSecret, accountEmail, upsClient.clientId, upsClient.clientSecret, webhookCredential]) {
      expect(serialized).not.toContain(secret);
    }
  });

  it("shows a blocked account with what the merchant should do", async () => {
    const shop = await newShop();
    await saveProviderConnection(services, shop.domain, { provider: "trackingmore", apiVersion: "v4", apiKey: apiKey("blocked") });
    const account = await prisma().providerAccount.findFirstOrThrow({ where: { shopId: shop.id } });
    await blockProviderAccount(services, account.id, "quota_exhausted", new QuotaExhaustedError("trackingmore quota exhausted", { service: "trackingmore", code: "4190" }));
    const [view] = (await readSettings(services, shop.domain)).providers;
    expect(view?.blocked).toEqual({
      reason: "quota_exhausted",
      message: "trackingmore quota exhausted",
      advice: "Your TrackingMore account has no tracking quota left. Top up or upgrade your plan with TrackingMore, then save your settings here again; tracking resumes by itself.",
      since: clock.now().toISOString(),
    });
    await blockProviderAccount(services, account.id, "auth_failed", new AuthenticationError("trackingmore refused the API key", { service: "trackingmore" }));
    expect((await readSettings(services, shop.domain)).providers[0]?.blocked?.advice).toMatch(/^TrackingMore refused these credentials\./);
    // Saving the credentials again is how the merchant unblocks it.
    await saveProviderConnection(services, shop.domain, { provider: "trackingmore", apiVersion: "v4" });
    expect((await readSettings(services, shop.domain)).providers[0]?.blocked).toBeNull();
  });
});

describe("general settings", () => {
  it("saves valid values given as form strings", async () => {
    const shop = await newShop();
    const result = await saveGeneralSettings(services, shop.domain, { pollIntervalMinutes: " 120 ", stuckAfterDays: "10", pendingTooLongDays: "3", backfillDays: "60" });
    expect(result).toEqual({ ok: true, value: { pollIntervalMinutes: 120, stuckAfterDays: 10, pendingTooLongDays: 3, backfillDays: 60 } });
    expect((await readSettings(services, shop.domain)).general).toEqual({ pollIntervalMinutes: 120, stuckAfterDays: 10, pendingTooLongDays: 3, backfillDays: 60 });
  });

  it.each([
    ["0", "stuckAfterDays"],
    ["61", "stuckAfterDays"],
    ["2.5", "pendingTooLongDays"],
    ["seven", "pendingTooLongDays"],
    ["", "backfillDays"],
    ["-1", "backfillDays"],
  ])("explains %j for %s in words and saves nothing", async (value, field) => {
    const shop = await newShop();
    const input = { pollIntervalMinutes: "360", stuckAfterDays: "7", pendingTooLongDays: "5", backfillDays: "30", [field]: value };
    const result = await saveGeneralSettings(services, shop.domain, input);
    expect(result.ok).toBe(false);
    expect(result.ok ? null : result.fieldErrors).toEqual({ [field]: expect.stringMatching(/^Enter a number of days between 1 and 60\./) });
    expect((await readSettings(services, shop.domain)).general).toEqual({ pollIntervalMinutes: 360, stuckAfterDays: 7, pendingTooLongDays: 5, backfillDays: 30 });
  });

  it("bounds the polling interval and reports every wrong field at once", async () => {
    const shop = await newShop();
    const result = await saveGeneralSettings(services, shop.domain, { pollIntervalMinutes: "5", stuckAfterDays: "100", pendingTooLongDays: "5" });
    expect(result).toEqual({
      ok: false,
      fieldErrors: {
        pollIntervalMinutes: "Enter a number of minutes between 30 and 1440 (24 hours).",
        stuckAfterDays: "Enter a number of days between 1 and 60.",
        backfillDays: "Enter a number of days between 1 and 60. Shopify lets apps read the last 60 days of orders.",
      },
    });
  });
});

describe("routing", () => {
  it("routes UPS numbers to UPS only when UPS is connected, and re-routes open shipments", async () => {
    const shop = await newShop();
    await saveProviderConnection(services, shop.domain, { provider: "trackingmore", apiVersion: "v4", apiKey: apiKey("routing") });
    expect(await saveRouting(services, shop.domain, { defaultProvider: "trackingmore", carrierProviders: { ups: "ups" } })).toEqual({
      ok: false,
      fieldErrors: { "carrierProviders.ups": "Connect UPS before you send UPS numbers to it." },
    });
    expect(await saveRouting(services, shop.domain, { defaultProvider: "tracktry", carrierProviders: {} })).toEqual({
      ok: false,
      fieldErrors: { defaultProvider: "Connect this provider before you make it the default." },
    });
    const client = { clientId: `ups-routing-${++counter}`, clientSecret: `ups-routing-secret-${counter}` };
    ups.addClient(client);
    await saveProviderConnection(services, shop.domain, { provider: "ups", ...client });
    expect(await saveRouting(services, shop.domain, { defaultProvider: "trackingmore", carrierProviders: { usps: "ups" } })).toEqual({
      ok: false,
      fieldErrors: { "carrierProviders.usps": "UPS Track Alert only tracks UPS numbers." },
    });
    await deleteJobs(database.db, { shopId: shop.id });
    expect(await saveRouting(services, shop.domain, { defaultProvider: "trackingmore", carrierProviders: {} })).toEqual({ ok: true, value: { defaultProvider: "trackingmore", carrierProviders: {} } });
    expect((await readSettings(services, shop.domain)).routing).toEqual({ defaultProvider: "trackingmore", carrierProviders: {} });
    expect(await countJobs(database.db, { shopId: shop.id, type: JOB_TYPES.applyShopRouting })).toBe(1);
  });
});

describe("routing form", () => {
  it("toggles UPS numbers to UPS and keeps the routes of other carriers", async () => {
    const shop = await newShop();
    await saveProviderConnection(services, shop.domain, { provider: "trackingmore", apiVersion: "v4", apiKey: apiKey("choices") });
    const tracktryKey = `tracktry-choices-${++counter}-abcdefgh`;
    tracktry.addAccount({ apiKey: tracktryKey });
    await saveProviderConnection(services, shop.domain, { provider: "tracktry", apiKey: tracktryKey });
    const client = { clientId: `ups-choices-${++counter}`, clientSecret: `ups-choices-secret-${counter}` };
    ups.addClient(client);
    await saveProviderConnection(services, shop.domain, { provider: "ups", ...client });
    expect(await saveRouting(services, shop.domain, { defaultProvider: "tracktry", carrierProviders: { usps: "trackingmore", ups: "ups" } })).toMatchObject({ ok: true });

    expect(await saveRoutingChoices(services, shop.domain, { defaultProvider: "trackingmore", upsToUps: false })).toEqual({
      ok: true,
      value: { defaultProvider: "trackingmore", carrierProviders: { usps: "trackingmore" } },
    });
    expect(await saveRoutingChoices(services, shop.domain, { defaultProvider: "tracktry", upsToUps: true })).toEqual({
      ok: true,
      value: { defaultProvider: "tracktry", carrierProviders: { usps: "trackingmore", ups: "ups" } },
    });
    expect((await readSettings(services, shop.domain)).routing).toEqual({ defaultProvider: "tracktry", carrierProviders: { usps: "trackingmore", ups: "ups" } });
  });
});

describe("backfill", () => {
  it("validates and saves the window, starts one run at a time and reports progress", async () => {
    const shop = await newShop();
    expect(await startBackfill(services, shop.domain, { backfillDays: "90" })).toEqual({
      started: false,
      fieldErrors: { backfillDays: "Enter a number of days between 1 and 60. Shopify lets apps read the last 60 days of orders." },
    });
    const started = await startBackfill(services, shop.domain, { backfillDays: "14" });
    expect(started).toEqual({ started: true, runId: expect.any(String), backfillDays: 14 });
    const runId = started.started ? started.runId : "";
    const run = await prisma().backfillRun.findUniqueOrThrow({ where: { id: runId } });
    expect(clock.now().getTime() - run.sinceDate.getTime()).toBe(14 * 24 * 60 * 60_000);
    expect(await countJobs(database.db, { shopId: shop.id, type: JOB_TYPES.backfillShop })).toBe(1);

    expect(await startBackfill(services, shop.domain, { backfillDays: "14" })).toEqual({
      started: false,
      fieldErrors: { backfill: "An import is already running. Wait for it to finish before you start another one." },
    });
    let settings = await readSettings(services, shop.domain);
    expect(settings.general.backfillDays).toBe(14);
    expect(settings.backfill).toMatchObject({ id: runId, state: "queued", active: true, percent: null, ordersProcessed: 0 });

    await prisma().backfillRun.update({ where: { id: runId }, data: { state: "downloading", totalBytes: 4000, bytesRead: 1000, ordersProcessed: 12, trackingNumbersFound: 15 } });
    settings = await readSettings(services, shop.domain);
    expect(settings.backfill).toMatchObject({ state: "downloading", active: true, percent: 25, ordersProcessed: 12, trackingNumbersFound: 15 });
    await prisma().backfillRun.update({ where: { id: runId }, data: { state: "completed", bytesRead: 4000 } });
    expect((await readSettings(services, shop.domain)).backfill).toMatchObject({ state: "completed", active: false, percent: 100 });
    expect(await startBackfill(services, shop.domain, { backfillDays: "14" })).toMatchObject({ started: true });
  });
});

describe("one shop cannot reach another's settings", () => {
  it("changes and shows only the shop named by the session", async () => {
    const mine = await newShop();
    const theirs = await newShop();
    const theirKey = apiKey("theirs");
    await saveProviderConnection(services, theirs.domain, { provider: "trackingmore", apiVersion: "v4", apiKey: theirKey });
    await saveGeneralSettings(services, mine.domain, { pollIntervalMinutes: "60", stuckAfterDays: "2", pendingTooLongDays: "2", backfillDays: "2" });
    await startBackfill(services, mine.domain, { backfillDays: "3" });
    const theirsNow = await readSettings(services, theirs.domain);
    expect(theirsNow.general).toEqual({ pollIntervalMinutes: 360, stuckAfterDays: 7, pendingTooLongDays: 5, backfillDays: 30 });
    expect(theirsNow.backfill).toBeNull();
    const mineNow = await readSettings(services, mine.domain);
    expect(mineNow.providers).toEqual([]);
    expect(JSON.stringify(mineNow)).not.toContain(theirs.webhookToken);
  });
});

describe("the route, called as Remix calls it", () => {
  async function installedShop() {
    const shop = await newShop();
    await storeOfflineSession(database.db, shop.domain, `shpat_settings_${counter}`);
    return shop;
  }

  function bearer(shopDomain: string) {
    return { Authorization: `Bearer ${mintSessionToken({ shop: shopDomain, apiKey: TEST_API_KEY, apiSecret: TEST_API_SECRET })}` };
  }

  function post(shopDomain: string, fields: Record<string, string>) {
    return new Request("https://tracklight.test/app/settings", { method: "POST", headers: { ...bearer(shopDomain), "Content-Type": "application/x-www-form-urlencoded" }, body: new URLSearchParams(fields) });
  }

  async function callAction(request: Request) {
    return route.action({ request, params: {}, context: {} });
  }

  it("loads the session's shop settings without credentials", async () => {
    const shop = await installedShop();
    const key = apiKey("route-load");
    await saveProviderConnection(services, shop.domain, { provider: "trackingmore", apiVersion: "v4", apiKey: key, webhookSecret: "whsec-route-load-77" });
    const data = await route.loader({ request: new Request("https://tracklight.test/app/settings", { headers: bearer(shop.domain) }), params: {}, context: {} });
    expect(data.shopDomain).toBe(shop.domain);
    expect(data.providers.map((account) => account.provider)).toEqual(["trackingmore"]);
    const serialized = JSON.stringify(data);
    expect(serialized).not.toContain(key);
    expect(serialized).not.toContain("whsec-route-load-77");
  });

  it("refuses a request without a valid session token", async () => {
    const shop = await installedShop();
    const forged = mintSessionToken({ shop: shop.domain, apiKey: TEST_API_KEY, apiSecret: "not-the-app-secret" });
    const request = new Request("https://tracklight.test/app/settings", {
      method: "POST",
      headers: { Authorization: `Bearer ${forged}`, "Content-Type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ intent: "save-general", pollIntervalMinutes: "60", stuckAfterDays: "1", pendingTooLongDays: "1", backfillDays: "1" }),
    });
    const thrown = await callAction(request).then(
      () => null,
      (error: unknown) => error,
    );
    expect(thrown).toBeInstanceOf(Response);
    expect((thrown as Response).status).toBe(401);
    expect((await readSettings(services, shop.domain)).general.pollIntervalMinutes).toBe(360);
  });

  it("saves general settings and returns field errors next to the fields", async () => {
    const shop = await installedShop();
    expect(await callAction(post(shop.domain, { intent: "save-general", pollIntervalMinutes: "90", stuckAfterDays: "0", pendingTooLongDays: "4", backfillDays: "30" }))).toEqual({
      intent: "save-general",
      ok: false,
      message: null,
      fieldErrors: { stuckAfterDays: "Enter a number of days between 1 and 60." },
    });
    expect(await callAction(post(shop.domain, { intent: "save-general", pollIntervalMinutes: "90", stuckAfterDays: "9", pendingTooLongDays: "4", backfillDays: "30" }))).toMatchObject({
      intent: "save-general",
      ok: true,
    });
    expect((await readSettings(services, shop.domain)).general).toEqual({ pollIntervalMinutes: 90, stuckAfterDays: 9, pendingTooLongDays: 4, backfillDays: 30 });
  });

  it("tests a connection, rejects a refused key on save, and keeps the stored key when the field is blank", async () => {
    const shop = await installedShop();
    const key = apiKey("route-save");
    expect(await callAction(post(shop.domain, { intent: "test-connection", connection: "trackingmore:v4", apiKey: key }))).toEqual({
      intent: "test-connection",
      ok: true,
      message: "TrackingMore accepted these credentials.",
      fieldErrors: {},
    });
    expect(await callAction(post(shop.domain, { intent: "save-provider", connection: "trackingmore:v4", apiKey: "not-a-real-key-000" }))).toMatchObject({
      intent: "save-provider",
      ok: false,
      fieldErrors: { apiKey: expect.stringMatching(/^TrackingMore refused these credentials\./) },
    });
    expect(await prisma().providerAccount.count({ where: { shopId: shop.id } })).toBe(0);
    expect(await callAction(post(shop.domain, { intent: "save-provider", connection: "trackingmore:v4", apiKey: key, webhookSecret: "whsec-route-1" }))).toMatchObject({ ok: true });
    expect(await callAction(post(shop.domain, { intent: "save-provider", connection: "trackingmore:v2", apiKey: "", webhookSecret: "" }))).toMatchObject({ ok: true });
    expect(await loadProviderAccount(services, shop.id, "trackingmore")).toMatchObject({ apiVersion: "v2", credentials: { apiKey: key, webhookSecret: "whsec-route-1" } });
  });

  it("connects UPS, routes UPS numbers to it or not, and disconnects it", async () => {
    const shop = await installedShop();
    const client = { clientId: `ups-route-${++counter}`, clientSecret: `ups-route-secret-${counter}` };
    ups.addClient(client);
    expect(await callAction(post(shop.domain, { intent: "save-provider", connection: "tracktry", apiKey: "short" }))).toMatchObject({
      ok: false,
      fieldErrors: { apiKey: "This API key looks too short. Copy the whole key from your Tracktry account." },
    });
    await callAction(post(shop.domain, { intent: "save-provider", connection: "trackingmore:v4", apiKey: apiKey("route-ups") }));
    expect(await callAction(post(shop.domain, { intent: "save-provider", connection: "ups:cie", ...client }))).toMatchObject({ ok: true, warning: null });
    expect((await readSettings(services, shop.domain)).routing).toEqual({ defaultProvider: "trackingmore", carrierProviders: { ups: "ups" } });

    expect(await callAction(post(shop.domain, { intent: "save-routing", defaultProvider: "trackingmore" }))).toMatchObject({ ok: true, intent: "save-routing" });
    expect((await readSettings(services, shop.domain)).routing).toEqual({ defaultProvider: "trackingmore", carrierProviders: {} });
    expect(await callAction(post(shop.domain, { intent: "save-routing", defaultProvider: "tracktry", upsToUps: "on" }))).toEqual({
      intent: "save-routing",
      ok: false,
      message: null,
      fieldErrors: { defaultProvider: "Connect this provider before you make it the default." },
    });
    await callAction(post(shop.domain, { intent: "save-routing", defaultProvider: "trackingmore", upsToUps: "on" }));
    expect((await readSettings(services, shop.domain)).routing.carrierProviders).toEqual({ ups: "ups" });

    expect(await callAction(post(shop.domain, { intent: "disconnect-provider", provider: "ups" }))).toMatchObject({ ok: true });
    const settings = await readSettings(services, shop.domain);
    expect(settings.providers.map((account) => account.provider)).toEqual(["trackingmore"]);
    expect(settings.routing).toEqual({ defaultProvider: "trackingmore", carrierProviders: {} });
  });

  it("answers a malformed form in words, not with a stack trace", async () => {
    const shop = await installedShop();
    expect(await callAction(post(shop.domain, { intent: "drop-tables" }))).toEqual({
      intent: null,
      ok: false,
      // The page words it from the catalogue in the merchant's language.
      invalidRequest: true,
      message: null,
      fieldErrors: {},
    });
    expect(await callAction(post(shop.domain, { intent: "test-connection", connection: "fedex" }))).toMatchObject({ ok: false, intent: "test-connection" });
  });

  it("only ever changes the shop of the session token, whatever the form says", async () => {
    const mine = await installedShop();
    const theirs = await installedShop();
    const result = await callAction(
      post(mine.domain, { intent: "save-general", shop: theirs.domain, shopId: theirs.id, pollIntervalMinutes: "45", stuckAfterDays: "3", pendingTooLongDays: "3", backfillDays: "3" }),
    );
    expect(result).toMatchObject({ ok: true });
    expect((await readSettings(services, mine.domain)).general.pollIntervalMinutes).toBe(45);
    expect((await readSettings(services, theirs.domain)).general.pollIntervalMinutes).toBe(360);
    await callAction(post(mine.domain, { intent: "start-backfill", backfillDays: "5", shop: theirs.domain }));
    expect(await prisma().backfillRun.count({ where: { shopId: theirs.id } })).toBe(0);
    expect(await prisma().backfillRun.count({ where: { shopId: mine.id } })).toBe(1);
  });
});
