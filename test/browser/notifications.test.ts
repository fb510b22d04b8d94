import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { ServiceContext } from "~/services/context.server";
import { ingestFulfillment } from "~/services/ingest-fulfillment.server";
import { loadNotificationSettings, saveNotificationSettings } from "~/services/notification-settings.server";
import { ensureShop } from "~/services/shops.server";
import { expectNoSeriousAxeViolations, startBrowserHarness, type AdminSession, type BrowserHarness } from "../support/browser";
import { createTestDatabase, type TestDatabase } from "../support/database";
import { fulfillmentSnapshot, upsNumber } from "../support/factories";
import { createTestServices, storeOfflineSession } from "../support/services";
import { startSmtpServer, type TestSmtpServer } from "../support/smtp";

/**
 * The Notifications page and a shipment's e-mail log in real Chromium inside the admin stand-in,
 * with the app's e-mails going to a real SMTP server on loopback: a switch and a subject changed,
 * the preview following them before saving, saved with a toast, a test e-mail that arrives (and a
 * refused one that says why), validation next to the field.
 */

const SHOP = "notifications-shop.myshopify.com";
const STAFF = "team@notifications-shop.example";

let database: TestDatabase;
let services: ServiceContext;
let smtp: TestSmtpServer;
let harness: BrowserHarness;
let admin: AdminSession | undefined;
let shopId: string;
let shipmentId: string;

beforeAll(async () => {
  database = await createTestDatabase();
  smtp = await startSmtpServer();
  services = createTestServices(database.db);
  const shop = await ensureShop(services, SHOP);
  shopId = shop.id;
  await storeOfflineSession(database.db, SHOP, "shpat_notifications_token");
  await saveNotificationSettings(services, shopId, { staffEmail: STAFF });

  // One shipment whose e-mails and Shopify updates went every way.
  await ingestFulfillment(services, SHOP, fulfillmentSnapshot({ numbers: [upsNumber(77)] }));
  const shipment = await database.db.prisma.shipment.findFirstOrThrow({ where: { shopId }, include: { fulfillments: true } });
  shipmentId = shipment.id;
  const fulfillmentId = shipment.fulfillments[0]!.fulfillmentId;
  const at = (iso: string) => new Date(iso);
  await database.db.prisma.customerNotification.createMany({
    data: [
      { shopId, shipmentId, milestone: "shipped", dedupeKey: "shipped", state: "skipped", reason: "disabled", occurredAt: at("2026-11-20T08:00:00Z"), updatedAt: at("2026-11-20T08:00:01Z") },
      { shopId, shipmentId, milestone: "out_for_delivery", dedupeKey: "out_for_delivery", state: "sent", attempts: 1, occurredAt: at("2026-11-22T07:00:00Z"), sentAt: at("2026-11-22T07:00:05Z") },
      {
        shopId,
        shipmentId,
        milestone: "failed_attempt",
        dedupeKey: "failed_attempt",
        state: "failed",
        reason: "rejected",
        lastError: "SMTP server answered 550 Mailbox unavailable to DATA",
        attempts: 1,
        occurredAt: at("2026-11-22T15:00:00Z"),
        updatedAt: at("2026-11-22T15:00:04Z"),
      },
    ],
  });
  await database.db.prisma.fulfillmentEventWrite.create({
    data: { shopId, shipmentId, fulfillmentId, milestone: "out_for_delivery", dedupeKey: "out_for_delivery", state: "written", attempts: 1, happenedAt: at("2026-11-22T07:00:00Z"), writtenAt: at("2026-11-22T07:00:03Z") },
  });

  harness = await startBrowserHarness({
    env: {
      DATABASE_URL: database.url,
      SMTP_URL: smtp.url,
      MAIL_FROM: "tracking@tracklight.test",
    },
  });
}, 120_000);

afterEach(async () => {
  await admin?.close();
  admin = undefined;
});

afterAll(async () => {
  await harness?.close();
  await smtp?.stop();
  await database?.dispose();
});

describe("Notifications in the admin", () => {
  it("changes a switch and a subject, previews them before saving, saves, and sends a test e-mail that arrives", async () => {
    admin = await harness.openAdmin({ shop: SHOP, path: "/app/notifications" });
    await admin.waitForAppPage("/app/notifications");
    const app = admin.app;
    await app.getByRole("heading", { name: "Customer e-mails" }).waitFor();
    // The default preview, rendered on the server.
    await app.getByTestId("preview-subject").getByText(/Subject: .+/).waitFor();

    await app.getByLabel("E-mail customers: Shipped (first carrier scan)").check();
    await app.getByLabel("Subject (Delivered)").fill("Your order {order_name} has arrived");
    await expect.poll(() => admin!.saveBar.isVisible()).toBe(true);
    await app.getByRole("button", { name: "Preview: Delivered" }).click();
    await app.getByTestId("preview-subject").getByText("Subject: Your order #1001 has arrived").waitFor();
    const frame = app.frameLocator('iframe[title="Preview of the Delivered e-mail"]');
    await frame.getByText("Delivered, left at the front door", { exact: false }).first().waitFor();
    expect(await app.locator("iframe[srcdoc]").getAttribute("sandbox")).toBe("");
    // Nothing stored yet.
    expect((await loadNotificationSettings(services, shopId)).milestones.delivered.subject).toBeNull();

    await app.getByRole("button", { name: "Save", exact: true }).click();
    await expect.poll(() => admin!.toasts().map((toast) => toast.message)).toContain("Notification settings saved");
    const saved = await loadNotificationSettings(services, shopId);
    expect(saved.milestones.shipped.enabled).toBe(true);
    expect(saved.milestones.delivered.subject).toBe("Your order {order_name} has arrived");
    await expect.poll(() => admin!.saveBar.isVisible()).toBe(false);

    // The test e-mail goes to the staff address unless another is typed.
    expect(await app.getByLabel("Send to").inputValue()).toBe(STAFF);
    smtp.messages.length = 0;
    await app.getByRole("button", { name: "Send test e-mail" }).click();
    await expect.poll(() => admin!.toasts().map((toast) => toast.message)).toContain(`Test e-mail sent to ${STAFF}`);
    const [mail] = await smtp.waitForMessages(1);
    expect(mail!.envelopeTo).toEqual([STAFF]);
    expect(mail!.parsed.subject).toBe("[Test] Your order #1001 has arrived");
    expect(mail!.parsed.text).toContain("#1001");

    await (await admin.appFrame()).evaluate(() => window.scrollTo(0, 0));
    await admin.screenshot("notifications");
    await expectNoSeriousAxeViolations(await admin.appFrame(), "the Notifications page");
    expect(admin.browserErrors).toEqual([]);
    expect(admin.blockedRequests).toEqual([]);
  });

  it("shows validation next to the field and why a test e-mail was not sent", async () => {
    admin = await harness.openAdmin({ shop: SHOP, path: "/app/notifications" });
    await admin.waitForAppPage("/app/notifications");
    const app = admin.app;
    await app.getByLabel("Reply-to address").fill("help-at-shop");
    await app.getByRole("button", { name: "Save", exact: true }).click();
    await app.getByText("Enter an e-mail address, like help@yourshop.com.").waitFor();
    expect((await loadNotificationSettings(services, shopId)).replyTo).toBeNull();

    smtp.failNext(550);
    await app.getByRole("button", { name: "Send test e-mail" }).click();
    await app.getByText("The test e-mail was not sent").waitFor();
    await app.getByText(/^The mail server answered: SMTP server answered 550/).waitFor();
    expect(admin.browserErrors).toEqual([]);
  });

  it("lists a shipment's e-mails and Shopify updates on its page, newest first, with why", async () => {
    admin = await harness.openAdmin({ shop: SHOP, path: `/app/shipments/${shipmentId}` });
    await admin.waitForAppPage(`/app/shipments/${shipmentId}`);
    const app = admin.app;
    await app.getByRole("heading", { name: "E-mails and Shopify updates" }).waitFor();
    const entries = app.locator("ol").filter({ hasText: "E-mail to the customer" }).locator("li");
    await expect.poll(() => entries.count()).toBe(4);
    const texts = await entries.allInnerTexts();
    expect(texts[0]).toContain("E-mail to the customer: Failed delivery attempt");
    expect(texts[0]).toContain("Failed");
    expect(texts[0]).toContain("The mail server refused it");
    expect(texts[0]).toContain("SMTP server answered 550");
    expect(texts[1]).toContain("E-mail to the customer: Out for delivery");
    expect(texts[1]).toContain("Sent");
    expect(texts[2]).toContain("Update in Shopify: Out for delivery");
    expect(texts[2]).toContain("Shown in Shopify");
    expect(texts[3]).toContain("E-mail to the customer: Shipped (first carrier scan)");
    expect(texts[3]).toContain("This e-mail is switched off in Notifications");
    await admin.screenshot("shipment-email-log");
    await expectNoSeriousAxeViolations(await admin.appFrame(), "a shipment's page with its e-mail log");
    expect(admin.browserErrors).toEqual([]);
  });
});
