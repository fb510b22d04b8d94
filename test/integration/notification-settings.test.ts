import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeSmtpTransports } from "~/adapters/email/smtp-transport.server";
import { MILESTONES } from "~/domain/notification-milestones";
import type { ServiceContext } from "~/services/context.server";
import { sendTestEmail, TEST_EMAIL_WINDOW_MS, TEST_EMAILS_PER_WINDOW } from "~/services/email-preview.server";
import { loadNotificationSettings, saveNotificationSettings } from "~/services/notification-settings.server";
import { ensureShop } from "~/services/shops.server";
import { configureAppEnvironment } from "../support/app-environment";
import { TestClock } from "../support/clock";
import { createTestDatabase, testDialect, type TestDatabase } from "../support/database";
import { createTestServices, storeOfflineSession, TEST_API_SECRET } from "../support/services";
import { mintSessionToken } from "../support/session-token";
import { startSmtpServer, type TestSmtpServer } from "../support/smtp";

/**
 * The Notifications page's loader and action, called as Remix calls them with Shopify session
 * tokens, on the run's database and a real SMTP server: settings saved and validated in the
 * merchant's words, only ever for the session's shop; the preview follows unsaved changes without
 * storing them; test e-mails arrive, fail with the server's answer, and are rate limited.
 */

const TEST_API_KEY = "tracklight-test-api-key";
const URL_PATH = "https://tracklight.test/app/notifications";

type RouteModule = typeof import("~/routes/app.notifications");
let route: RouteModule;
let database: TestDatabase;
let smtp: TestSmtpServer;
let services: ServiceContext;
let counter = 0;

beforeAll(async () => {
  database = await createTestDatabase();
  smtp = await startSmtpServer();
  configureAppEnvironment({ databaseUrl: database.url });
  process.env.SMTP_URL = smtp.url;
  process.env.MAIL_FROM = "tracking@tracklight.test";
  route = await import("~/routes/app.notifications");
  services = createTestServices(database.db, { settings: { email: smtp.emailSettings() } });
});

afterAll(async () => {
  closeSmtpTransports();
  await smtp?.stop();
  await database?.dispose();
});

async function installedShop() {
  const shop = await ensureShop(services, `notify-${++counter}.myshopify.com`);
  await storeOfflineSession(database.db, shop.domain, `shpat_notify_${counter}`);
  return shop;
}

function bearer(shopDomain: string, secret = TEST_API_SECRET) {
  return { Authorization: `Bearer ${mintSessionToken({ shop: shopDomain, apiKey: TEST_API_KEY, apiSecret: secret })}` };
}

function post(shopDomain: string, body: unknown, secret?: string) {
  return new Request(URL_PATH, { method: "POST", headers: { ...bearer(shopDomain, secret), "Content-Type": "application/json" }, body: typeof body === "string" ? body : JSON.stringify(body) });
}

/** The action's answer and status, whether it returned plain data or `data(…, { status })`. */
async function callAction(request: Request): Promise<{ status: number; body: Record<string, unknown> }> {
  try {
    const result = (await route.action({ request, params: {}, context: {} })) as unknown as Record<string, unknown>;
    if (result && result.type === "DataWithResponseInit") {
      return { status: (result.init as { status?: number } | null)?.status ?? 200, body: result.data as Record<string, unknown> };
    }
    return { status: 200, body: result };
  } catch (thrown) {
    if (thrown instanceof Response) return { status: thrown.status, body: {} };
    throw thrown;
  }
}

const pageValues = (overrides: Record<string, unknown> = {}) => ({
  milestones: { delivered: { enabled: false, subject: "Your {order_name} is home", intro: "" } },
  senderName: "Maison Ada",
  replyTo: "help@maison-ada.example",
  logoUrl: "https://cdn.maison-ada.example/logo.png",
  accentColor: "#aa3300",
  maxEventAgeHours: "48",
  emailsPerMinute: "30",
  shopifyWriteBack: false,
  staffDigestEnabled: true,
  staffEmail: "team@maison-ada.example",
  ...overrides,
});

describe(`notification settings on ${testDialect()}`, () => {
  it("loads the session's shop's settings (defaults first) with a preview of a sample e-mail", async () => {
    const shop = await installedShop();
    const loaded = await route.loader({ request: new Request(URL_PATH, { headers: bearer(shop.domain) }), params: {}, context: {} });
    expect(loaded.values.milestones.out_for_delivery).toEqual({ enabled: true, subject: "", intro: "" });
    expect(loaded.values.milestones.shipped.enabled).toBe(false);
    expect(loaded.values).toMatchObject({ maxEventAgeHours: "72", emailsPerMinute: "60", shopifyWriteBack: true, staffDigestEnabled: true, staffEmail: "" });
    expect(loaded.preview.milestone).toBe("out_for_delivery");
    expect(loaded.preview.html).toContain("Ada");
    expect(loaded.preview.text).toContain("#1001");
  });

  it("saves every field, and refuses invalid values with the merchant's words next to each field, storing nothing", async () => {
    const shop = await installedShop();
    const saved = await callAction(post(shop.domain, { intent: "save", settings: pageValues() }));
    expect(saved).toMatchObject({ status: 200, body: { intent: "save", ok: true } });
    const stored = await loadNotificationSettings(services, shop.id);
    expect(stored).toMatchObject({
      senderName: "Maison Ada",
      replyTo: "help@maison-ada.example",
      logoUrl: "https://cdn.maison-ada.example/logo.png",
      accentColor: "#aa3300",
      maxEventAgeHours: 48,
      emailsPerMinute: 30,
      shopifyWriteBack: false,
      staffEmail: "team@maison-ada.example",
    });
    expect(stored.milestones.delivered).toEqual({ enabled: false, subject: "Your {order_name} is home", intro: null });

    const refused = await callAction(
      post(shop.domain, {
        intent: "save",
        settings: pageValues({
          replyTo: "not-an-address",
          logoUrl: "http://cdn.example/logo.png",
          accentColor: "red",
          senderName: 'Ada "the shop"',
          maxEventAgeHours: "0",
          emailsPerMinute: "lots",
          staffEmail: "team@",
          milestones: { exception: { subject: "Line one\nline two" } },
        }),
      }),
    );
    expect(refused.status).toBe(200);
    expect(refused.body.ok).toBe(false);
    expect(refused.body.fieldErrors).toEqual({
      replyTo: "emails.settings.errors.email",
      staffEmail: "emails.settings.errors.email",
      logoUrl: "emails.settings.errors.logoUrl",
      accentColor: "emails.settings.errors.accentColor",
      senderName: "emails.settings.errors.senderName",
      maxEventAgeHours: "emails.settings.errors.maxEventAgeHours",
      emailsPerMinute: "emails.settings.errors.emailsPerMinute",
      "milestones.exception.subject": "emails.settings.errors.subject",
    });
    expect(await loadNotificationSettings(services, shop.id)).toEqual(stored);

    // Emptying an optional field clears it.
    await callAction(post(shop.domain, { intent: "save", settings: pageValues({ logoUrl: "", replyTo: "" }) }));
    expect(await loadNotificationSettings(services, shop.id)).toMatchObject({ logoUrl: null, replyTo: null });
  });

  it("changes only the session's shop, whatever the request names", async () => {
    const mine = await installedShop();
    const theirs = await installedShop();
    await saveNotificationSettings(services, theirs.id, { senderName: "Theirs", staffEmail: "staff@theirs.example" });
    const before = await loadNotificationSettings(services, theirs.id);

    expect((await callAction(post(mine.domain, { intent: "save", shopId: theirs.id, settings: pageValues() }))).status).toBe(400);
    expect((await callAction(post(mine.domain, { intent: "save", settings: { ...pageValues(), shopId: theirs.id } }))).body).toMatchObject({ ok: false, fieldErrors: { form: "emails.settings.invalidRequest" } });
    expect((await callAction(post(mine.domain, { intent: "save", settings: pageValues({ senderName: "Mine" }) }))).status).toBe(200);
    expect(await loadNotificationSettings(services, theirs.id)).toEqual(before);
    expect((await loadNotificationSettings(services, mine.id)).senderName).toBe("Mine");

    // A token for their shop signed with another secret is refused before anything is read.
    const forged = await callAction(post(theirs.domain, { intent: "save", settings: pageValues() }, "not-the-app-secret"));
    expect(forged.status).toBe(401);
    expect(await loadNotificationSettings(services, theirs.id)).toEqual(before);
  });

  it("refuses malformed requests with a 400", async () => {
    const shop = await installedShop();
    expect((await callAction(post(shop.domain, "{not json"))).status).toBe(400);
    expect((await callAction(post(shop.domain, { intent: "drop-tables" }))).status).toBe(400);
    expect((await callAction(post(shop.domain, { intent: "preview", milestone: "lost_in_space", settings: {} }))).status).toBe(400);
    const huge = await callAction(post(shop.domain, { intent: "save", settings: pageValues({ senderName: "x".repeat(100_000) }) }));
    expect(huge.status).toBe(413);
    expect((await loadNotificationSettings(services, shop.id)).senderName).toBeNull();
  });

  it("previews every milestone's e-mail for the sample order, each in its own words", async () => {
    const shop = await installedShop();
    const subjects = new Set<string>();
    for (const milestone of MILESTONES) {
      const answer = await callAction(post(shop.domain, { intent: "preview", milestone, settings: {} }));
      const preview = answer.body.preview as { milestone: string; subject: string; html: string; text: string };
      expect(preview.milestone).toBe(milestone);
      expect(preview.html).toMatch(/^<!DOCTYPE html>/);
      expect(preview.html).toContain("Hi Ada,");
      expect(preview.text).toContain("Order #1001");
      expect(preview.text).toContain(`https://${shop.domain}/apps/track`);
      subjects.add(preview.subject);
    }
    expect(subjects.size).toBe(MILESTONES.length);
  });

  it("previews unsaved changes (escaped), keeps the saved value of a field still being typed, and stores nothing", async () => {
    const shop = await installedShop();
    await saveNotificationSettings(services, shop.id, { accentColor: "#123456" });
    const answer = await callAction(
      post(shop.domain, {
        intent: "preview",
        milestone: "delivered",
        settings: pageValues({ accentColor: "#12", milestones: { delivered: { subject: "Delivered: {order_name}", intro: "Hello {first_name}! <script>alert(1)</script>" } } }),
      }),
    );
    expect(answer.status).toBe(200);
    const preview = answer.body.preview as { milestone: string; subject: string; html: string; text: string };
    expect(preview.milestone).toBe("delivered");
    expect(preview.subject).toBe("Delivered: #1001");
    expect(preview.html).not.toContain("<script>");
    expect(preview.html).toContain("&lt;script&gt;");
    expect(preview.html).toContain("#123456");
    expect(preview.html).toContain("https://cdn.maison-ada.example/logo.png");
    expect(preview.text).toContain("Hello Ada!");
    expect((await loadNotificationSettings(services, shop.id)).milestones.delivered.subject).toBeNull();
  });

  it("sends a test e-mail through the real SMTP server, reports the server's refusal, and refuses a bad address", async () => {
    const shop = await installedShop();
    smtp.messages.length = 0;
    const sent = await callAction(post(shop.domain, { intent: "test", to: "owner@maison-ada.example", milestone: "exception", settings: pageValues() }));
    expect(sent).toEqual({ status: 200, body: { intent: "test", ok: true, to: "owner@maison-ada.example" } });
    const [mail] = await smtp.waitForMessages(1);
    expect(mail!.envelopeTo).toEqual(["owner@maison-ada.example"]);
    expect(mail!.parsed.subject).toMatch(/^\[Test\] /);
    expect(mail!.parsed.from?.value[0]).toMatchObject({ name: "Maison Ada", address: "tracking@tracklight.test" });
    expect(mail!.parsed.replyTo?.value[0]?.address).toBe("help@maison-ada.example");
    expect(String(mail!.parsed.html)).toContain("#aa3300");
    expect(mail!.parsed.text).toContain("Ada");

    smtp.failNext(550);
    const refused = await callAction(post(shop.domain, { intent: "test", to: "owner@maison-ada.example", milestone: "exception", settings: {} }));
    expect(refused.body).toMatchObject({ intent: "test", ok: false, reason: "smtp_failed" });
    expect(refused.body.message).toContain("550");

    const invalid = await callAction(post(shop.domain, { intent: "test", to: "owner@", milestone: "exception", settings: {} }));
    expect(invalid).toEqual({ status: 200, body: { intent: "test", ok: false, reason: "invalid_email" } });
    expect(smtp.messages).toHaveLength(1);
  });

  it("limits test e-mails per shop and window, and says when no mail server is configured", async () => {
    const clock = new TestClock("2026-11-24T10:00:00.000Z");
    const timed = createTestServices(database.db, { clock, settings: { email: smtp.emailSettings() } });
    const shop = await installedShop();
    const other = await installedShop();
    smtp.messages.length = 0;
    const send = (shopId: string) => sendTestEmail(timed, shopId, { to: "owner@maison-ada.example", milestone: "delivered", changes: {} });
    for (let i = 0; i < TEST_EMAILS_PER_WINDOW; i++) expect((await send(shop.id)).ok).toBe(true);
    const limited = await send(shop.id);
    expect(limited).toMatchObject({ ok: false, reason: "rate_limited" });
    expect((limited as { retryAfterMs: number }).retryAfterMs).toBeGreaterThan(0);
    expect((await send(other.id)).ok).toBe(true);
    clock.advance(TEST_EMAIL_WINDOW_MS);
    expect((await send(shop.id)).ok).toBe(true);
    await smtp.waitForMessages(TEST_EMAILS_PER_WINDOW + 2);
    expect(smtp.messages).toHaveLength(TEST_EMAILS_PER_WINDOW + 2);

    const unconfigured = createTestServices(database.db, { clock, settings: { email: { ...smtp.emailSettings(), smtpUrl: null } } });
    expect(await sendTestEmail(unconfigured, shop.id, { to: "owner@maison-ada.example", milestone: "delivered", changes: {} })).toEqual({ ok: false, reason: "not_configured" });
  });
});
