import { createHmac } from "node:crypto";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { ensureShop } from "~/services/shops.server";
import { startBrowserHarness, type AdminSession, type BrowserHarness } from "../support/browser";
import { createTestDatabase, type TestDatabase } from "../support/database";
import { createTestServices, storeOfflineSession, TEST_API_SECRET } from "../support/services";

/**
 * The admin stand-in's App Bridge, exercised from inside the real app frame the way pages use
 * it: if this drifts from what pages rely on (ID tokens, toasts, the save bar, navigation),
 * page tests would pass or fail for the wrong reasons.
 */

const SHOP = "stand-in-shop.myshopify.com";

let database: TestDatabase;
let harness: BrowserHarness;
let admin: AdminSession | undefined;

beforeAll(async () => {
  database = await createTestDatabase();
  await ensureShop(createTestServices(database.db), SHOP);
  await storeOfflineSession(database.db, SHOP, "shpat_stand_in_token");
  harness = await startBrowserHarness({ env: { DATABASE_URL: database.url } });
}, 120_000);

afterEach(async () => {
  await admin?.close();
  admin = undefined;
});

afterAll(async () => {
  await harness?.close();
  await database?.dispose();
});

function verifyJwt(token: string, secret: string): Record<string, unknown> {
  const [header, payload, signature] = token.split(".");
  const expected = createHmac("sha256", secret).update(`${header}.${payload}`).digest("base64url");
  if (expected !== signature) throw new Error("bad signature");
  return JSON.parse(Buffer.from(payload!, "base64url").toString()) as Record<string, unknown>;
}

describe("App Bridge stand-in inside the app frame", () => {
  it("shopify.idToken() returns a fresh token for this shop and app, signed with the app secret", async () => {
    admin = await harness.openAdmin({ shop: SHOP });
    const frame = await admin.waitForAppPage("/app");
    const [first, second] = await frame.evaluate(async () => {
      const shopify = (window as unknown as { shopify: { idToken(): Promise<string> } }).shopify;
      return [await shopify.idToken(), await shopify.idToken()];
    });
    expect(first).not.toBe(second);
    const claims = verifyJwt(first!, TEST_API_SECRET);
    expect(claims).toMatchObject({ dest: `https://${SHOP}`, iss: `https://${SHOP}/admin`, aud: process.env.SHOPIFY_API_KEY });
    // The app frame cannot mint tokens itself: the binding only answers the admin page.
    await expect(frame.evaluate(() => (window as unknown as { __tracklightMintIdToken(): Promise<string> }).__tracklightMintIdToken())).rejects.toThrow(
      /only the admin page/,
    );
    expect(await frame.evaluate(() => (window as unknown as { shopify: { config: { shop: string } } }).shopify.config.shop)).toBe(SHOP);
  });

  it("toasts show in the admin and their action reaches the app", async () => {
    admin = await harness.openAdmin({ shop: SHOP });
    const frame = await admin.waitForAppPage("/app");
    await frame.evaluate(() => {
      const shopify = (window as unknown as { shopify: { toast: { show(message: string, options: object): string } } }).shopify;
      shopify.toast.show("Label printed", { action: "Undo", onAction: () => document.body.setAttribute("data-undone", "yes") });
      shopify.toast.show("Could not print", { isError: true });
    });
    await admin.page.getByRole("status").filter({ hasText: "Label printed" }).getByRole("button", { name: "Undo" }).click();
    await frame.waitForFunction(() => document.body.getAttribute("data-undone") === "yes");
    expect(admin.toasts().map((toast) => [toast.message, toast.isError])).toEqual([
      ["Label printed", false],
      ["Could not print", true],
    ]);
  });

  it("a ui-save-bar shown by the app appears in the admin; Save and Discard click the app's buttons", async () => {
    admin = await harness.openAdmin({ shop: SHOP });
    const frame = await admin.waitForAppPage("/app");
    expect(await admin.saveBar.isVisible()).toBe(false);
    await frame.evaluate(() => {
      const bar = document.createElement("ui-save-bar");
      bar.id = "test-save-bar";
      const save = document.createElement("button");
      save.setAttribute("variant", "primary");
      save.textContent = "Save";
      save.addEventListener("click", () => document.body.setAttribute("data-clicked", "save"));
      const discard = document.createElement("button");
      discard.textContent = "Discard";
      discard.addEventListener("click", () => document.body.setAttribute("data-clicked", "discard"));
      bar.append(save, discard);
      document.body.appendChild(bar);
      return (window as unknown as { shopify: { saveBar: { show(id: string): Promise<void> } } }).shopify.saveBar.show("test-save-bar");
    });
    await expect.poll(() => admin!.saveBar.isVisible()).toBe(true);
    await admin.saveBar.discard();
    await frame.waitForFunction(() => document.body.getAttribute("data-clicked") === "discard");
    await admin.saveBar.save();
    await frame.waitForFunction(() => document.body.getAttribute("data-clicked") === "save");
    await frame.evaluate(() => (window as unknown as { shopify: { saveBar: { hide(id: string): Promise<void> } } }).shopify.saveBar.hide("test-save-bar"));
    await expect.poll(() => admin!.saveBar.isVisible()).toBe(false);
  });

  it("the admin draws the app's ui-nav-menu; choosing an item routes the app client-side with a bearer-authenticated data request", async () => {
    admin = await harness.openAdmin({ shop: SHOP });
    const frame = await admin.waitForAppPage("/app");
    expect(admin.events.some((event) => event.action === "state" && JSON.stringify(event.payload).includes('"rel":"home"'))).toBe(true);
    const documentsBefore = admin.requests.filter((request) => request.resourceType === "document").length;
    const before = admin.requests.length;
    // The app's name in the sidebar is its home item (`rel="home"`: /app). The iframe URL still
    // carries admin's query, so this is a client-side navigation to a new location.
    await admin.navigate("Tracklight");
    await frame.waitForFunction(() => location.pathname === "/app" && location.search === "");
    const dataRequests = () => admin!.requests.slice(before).filter((request) => request.path.startsWith("/app.data") && request.status !== null);
    await expect.poll(() => dataRequests().length).toBeGreaterThan(0);
    for (const request of dataRequests()) {
      expect(request.status).toBe(200);
      expect(request.authorization).toMatch(/^Bearer /);
    }
    expect(admin.requests.filter((request) => request.resourceType === "document")).toHaveLength(documentsBefore);
    expect(admin.browserErrors).toEqual([]);
  });

  it("APIs the stand-in does not implement fail loudly and are recorded", async () => {
    admin = await harness.openAdmin({ shop: SHOP });
    const frame = await admin.waitForAppPage("/app");
    const message = await frame.evaluate(() =>
      (window as unknown as { shopify: { resourcePicker(options: object): Promise<unknown> } }).shopify
        .resourcePicker({ type: "product" })
        .then(() => "resolved", (error: Error) => error.message),
    );
    expect(message).toMatch(/resourcePicker is not implemented by the admin stand-in/);
    await expect.poll(() => admin!.events.filter((event) => event.action === "unsupported").map((event) => event.payload)).toEqual([{ api: "resourcePicker" }]);
  });
});
