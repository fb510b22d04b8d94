import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { closeSmtpTransports } from "~/adapters/email/smtp-transport.server";
import type { TrackingEventInput, TrackingObservation } from "~/domain/tracking-observation";
import { ALL_JOBS } from "~/jobs/definitions.server";
import { JOB_TYPES } from "~/jobs/job-types";
import { countJobs, deleteJobs, listJobs } from "~/jobs/queue.server";
import { JobRunner } from "~/jobs/runner.server";
import { schedulePeriodicWork } from "~/jobs/scheduler.server";
import { applyTrackingObservation } from "~/services/apply-tracking-update.server";
import type { ServiceContext } from "~/services/context.server";
import { ingestFulfillment } from "~/services/ingest-fulfillment.server";
import { saveNotificationSettings } from "~/services/notification-settings.server";
import { DIGEST_LISTED_SHIPMENTS, sendStaffDigest, shopLocalTime } from "~/services/staff-digest.server";
import { TestClock } from "../support/clock";
import { createTestDatabase, testDialect, type TestDatabase } from "../support/database";
import { createShopWithTrackingMore, fulfillmentSnapshot, upsNumber, type ShopFixture } from "../support/factories";
import { createTestServices } from "../support/services";
import { startSmtpServer, type TestSmtpServer } from "../support/smtp";

/**
 * The daily staff digest against a real SMTP server on loopback: what needs attention (the index's
 * rules, the dashboard's counts, stopped providers) with links into the embedded app; nothing on a
 * quiet day; once per shop-local day however often the job or the scheduler runs; a temporary
 * SMTP failure is retried.
 */

const API_KEY = "tracklight-test-api-key"; // vitest.config.ts's SHOPIFY_API_KEY
const DAY = 24 * 60 * 60_000;

let database: TestDatabase;
let smtp: TestSmtpServer;
let services: ServiceContext;
const clock = new TestClock("2026-11-01T12:00:00.000Z");
let busy: ShopFixture;
let quiet: ShopFixture;
let many: ShopFixture;
const ids: Record<string, string> = {};

function event(at: Date, status: TrackingEventInput["status"], description: string): TrackingEventInput {
  return { occurredAt: at, zoneKnown: true, status, substatus: null, description, location: "Lyon", city: "Lyon", state: null, countryCode: "FR", postalCode: null, rawStatus: null };
}

async function move(shop: ShopFixture, trackingNumber: string, status: TrackingObservation["status"], at: Date): Promise<void> {
  await applyTrackingObservation(services, shop.id, {
    provider: "trackingmore",
    trackingNumber,
    carrierCode: "ups",
    providerTrackingId: null,
    status,
    substatus: null,
    rawStatus: null,
    asOf: at,
    events: [event(at, status, `Carrier says ${status}`)],
  });
}

async function shipmentId(shop: ShopFixture, trackingNumber: string): Promise<string> {
  return (await database.db.prisma.shipment.findFirstOrThrow({ where: { shopId: shop.id, trackingNumber } })).id;
}

/** Run the queue with only the digest jobs left (tracking updates also queue customer e-mails and Shopify write-backs). */
async function runDigestJobs(): Promise<void> {
  for (const job of await listJobs(database.db)) {
    if (job.type !== JOB_TYPES.sendStaffDigest) await deleteJobs(database.db, { id: job.id });
  }
  await new JobRunner(services, ALL_JOBS).drain();
}

async function digestJobs(shop: ShopFixture) {
  return countJobs(database.db, { type: JOB_TYPES.sendStaffDigest, shopId: shop.id });
}

beforeAll(async () => {
  database = await createTestDatabase();
  smtp = await startSmtpServer();
  services = createTestServices(database.db, { clock, settings: { email: smtp.emailSettings() } });
  busy = await createShopWithTrackingMore(services, { domain: "digest-busy.myshopify.com", apiKey: "tm-digest-busy-abcdefgh" });
  quiet = await createShopWithTrackingMore(services, { domain: "digest-quiet.myshopify.com", apiKey: "tm-digest-quiet-abcdefgh" });
  many = await createShopWithTrackingMore(services, { domain: "digest-many.myshopify.com", apiKey: "tm-digest-many-abcdefgh" });
  await database.db.prisma.shop.updateMany({ data: { ianaTimezone: "Europe/Paris" } });

  // Created 2026-11-01 (the shop's defaults: stuck after 7 days, pending too long after 5).
  const names = ["exception", "failed", "stuck", "pending", "delivered", "fresh"];
  for (const [i, name] of names.entries()) {
    ids[`${name}Number`] = upsNumber(900 + i);
    const snapshot = fulfillmentSnapshot({ numbers: [ids[`${name}Number`]!], orderName: name === "exception" ? "#<b>1001</b>" : `#10${i}` });
    expect((await ingestFulfillment(services, busy.domain, snapshot)).result).toBe("APPLIED");
  }
  await ingestFulfillment(services, quiet.domain, fulfillmentSnapshot({ numbers: [upsNumber(950)] }));
  await ingestFulfillment(services, many.domain, fulfillmentSnapshot({ numbers: Array.from({ length: DIGEST_LISTED_SHIPMENTS + 3 }, (_, i) => upsNumber(1000 + i)) }));

  clock.set("2026-11-20T09:00:00.000Z");
  await move(busy, ids.exceptionNumber!, "exception", new Date("2026-11-19T08:00:00Z"));
  await move(busy, ids.failedNumber!, "undelivered", new Date("2026-11-19T09:00:00Z"));
  await move(busy, ids.stuckNumber!, "transit", new Date("2026-11-05T09:00:00Z"));
  await move(busy, ids.deliveredNumber!, "delivered", new Date("2026-11-19T10:00:00Z"));
  await move(busy, ids.freshNumber!, "transit", new Date("2026-11-19T11:00:00Z"));
  await move(quiet, upsNumber(950), "transit", new Date("2026-11-19T11:00:00Z"));
  for (const name of names) ids[name] = await shipmentId(busy, ids[`${name}Number`]!);
  // Registration failed for every shipment of the third shop: more than one digest lists.
  await database.db.prisma.shipment.updateMany({ where: { shopId: many.id }, data: { registrationState: "failed", registrationError: "invalid number" } });

  for (const shop of [busy, quiet, many]) {
    const saved = await saveNotificationSettings(services, shop.id, { staffEmail: `team@${shop.domain}`, milestones: {} });
    expect(saved.ok).toBe(true);
  }
}, 120_000);

afterAll(async () => {
  closeSmtpTransports();
  await smtp?.stop();
  await database?.dispose();
});

beforeEach(async () => {
  smtp.messages.length = 0;
  await deleteJobs(database.db);
  await database.db.prisma.shopNotificationSettings.updateMany({ data: { lastDigestDate: null, staffDigestEnabled: true } });
  await database.db.prisma.providerAccount.updateMany({ data: { blockedReason: null, blockedMessage: null, blockedAt: null } });
  clock.set("2026-11-20T09:30:00.000Z"); // 10:30 in Paris
});

describe(`staff digest on ${testDialect()}`, () => {
  it("lists the shipments that need attention with links into the app, in HTML and text, to the staff address", async () => {
    await schedulePeriodicWork(services);
    expect(await digestJobs(busy)).toBe(1);
    await runDigestJobs();

    const mails = smtp.messages.filter((mail) => mail.envelopeTo.includes("team@digest-busy.myshopify.com"));
    expect(mails).toHaveLength(1);
    const mail = mails[0]!;
    expect(mail.parsed.subject).toBe("digest-busy: 4 shipments need attention");
    expect(mail.header("auto-submitted")).toBe("auto-generated");
    expect(mail.messageId).toMatch(new RegExp(`^<digest\\.${busy.id}\\.2026-11-20@`));
    const html = String(mail.parsed.html);
    const text = mail.parsed.text ?? "";
    for (const name of ["exception", "failed", "stuck", "pending"]) {
      const link = `https://admin.shopify.com/store/digest-busy/apps/${API_KEY}/app/shipments/${ids[name]}`;
      expect(html).toContain(`href="${link}"`);
      expect(text).toContain(link);
      expect(text).toContain(ids[`${name}Number`]!);
    }
    for (const calm of ["delivered", "fresh"]) {
      expect(text).not.toContain(ids[`${calm}Number`]!);
      expect(html).not.toContain(ids[calm]!);
    }
    expect(text).toContain("Exception");
    expect(text).toContain("Failed delivery attempt");
    expect(text).toContain("No carrier update for 7 days");
    expect(text).toContain("Not found by the carrier for 5 days");
    expect(text).toContain(`See every shipment that needs attention: https://admin.shopify.com/store/digest-busy/apps/${API_KEY}/app/shipments?attention=1`);
    // The order name is the merchant's text: escaped in HTML.
    expect(html).toContain("#&lt;b&gt;1001&lt;/b&gt;");
    expect(html).not.toContain("<b>1001</b>");
  });

  it("sends nothing when nothing needs attention, and names a stopped tracking provider when one has", async () => {
    expect(await sendStaffDigest(services, quiet.id)).toEqual({ result: "NOTHING_TO_REPORT" });
    expect(smtp.messages).toHaveLength(0);

    clock.advance(DAY);
    await database.db.prisma.providerAccount.updateMany({ where: { shopId: quiet.id }, data: { blockedReason: "auth_failed", blockedMessage: "Unauthorized", blockedAt: clock.now() } });
    expect(await sendStaffDigest(services, quiet.id)).toEqual({ result: "SENT", to: "team@digest-quiet.myshopify.com" });
    const [mail] = await smtp.waitForMessages(1);
    expect(mail!.parsed.subject).toBe("digest-quiet: tracking needs your attention");
    expect(mail!.parsed.text).toContain("TrackingMore: Your tracking provider refused the API key.");
  });

  it("is sent once per shop-local day, however often the scheduler or the job runs", async () => {
    await schedulePeriodicWork(services);
    await schedulePeriodicWork(services);
    expect(await digestJobs(busy)).toBe(1);
    await runDigestJobs();
    expect(smtp.messages.filter((mail) => mail.envelopeTo.includes("team@digest-busy.myshopify.com"))).toHaveLength(1);

    // The same day: the scheduler queues nothing; a stray or duplicate run finds the day taken.
    smtp.messages.length = 0;
    clock.advance(60 * 60_000);
    await deleteJobs(database.db);
    await schedulePeriodicWork(services);
    expect(await digestJobs(busy)).toBe(0);
    const runs = await Promise.all([sendStaffDigest(services, busy.id), sendStaffDigest(services, busy.id)]);
    expect(runs.map((run) => run.result)).toEqual(["ALREADY_SENT_TODAY", "ALREADY_SENT_TODAY"]);
    expect(smtp.messages).toHaveLength(0);

    // Two runs racing on a new day: one claims it.
    clock.set("2026-11-21T08:30:00.000Z");
    const raced = await Promise.all([sendStaffDigest(services, busy.id), sendStaffDigest(services, busy.id)]);
    expect(raced.map((run) => run.result).sort()).toEqual(["ALREADY_SENT_TODAY", "SENT"]);
    expect(smtp.messages).toHaveLength(1);
    expect((await database.db.prisma.shopNotificationSettings.findUniqueOrThrow({ where: { shopId: busy.id } })).lastDigestDate).toBe("2026-11-21");
  });

  it("waits for the shop's morning, and follows the shop's calendar day", async () => {
    // 06:30 in Paris: not yet.
    clock.set("2026-11-20T05:30:00.000Z");
    await schedulePeriodicWork(services);
    expect(await digestJobs(busy)).toBe(0);
    // 23:30 UTC is already the next day in Paris.
    expect(shopLocalTime(new Date("2026-11-20T23:30:00Z"), "Europe/Paris")).toEqual({ date: "2026-11-21", hour: 0 });
    expect(shopLocalTime(new Date("2026-11-20T23:30:00Z"), "Not/AZone")).toEqual({ date: "2026-11-20", hour: 23 });
  });

  it("lists the first shipments by name and counts the rest", async () => {
    expect((await sendStaffDigest(services, many.id)).result).toBe("SENT");
    const [mail] = await smtp.waitForMessages(1);
    const text = mail!.parsed.text ?? "";
    expect(mail!.parsed.subject).toBe(`digest-many: ${DIGEST_LISTED_SHIPMENTS + 3} shipments need attention`);
    expect(text.match(/\/app\/shipments\/[^?\s]+/g)).toHaveLength(DIGEST_LISTED_SHIPMENTS);
    expect(text).toContain("…and 3 more shipments.");
    expect(text).toContain(`Could not be registered with the provider: ${DIGEST_LISTED_SHIPMENTS + 3}`);
  });

  it("retries a temporary SMTP failure, not a permanent one, and sends nothing when switched off or without an address", async () => {
    smtp.failNext(451);
    await expect(sendStaffDigest(services, busy.id)).rejects.toMatchObject({ retryable: true });
    expect((await database.db.prisma.shopNotificationSettings.findUniqueOrThrow({ where: { shopId: busy.id } })).lastDigestDate).toBeNull();
    expect((await sendStaffDigest(services, busy.id)).result).toBe("SENT");
    expect(smtp.messages).toHaveLength(1);

    // Refused for good: recorded, not retried that day.
    clock.advance(DAY);
    smtp.failNext(550);
    expect(await sendStaffDigest(services, busy.id)).toEqual({ result: "FAILED" });
    expect(await sendStaffDigest(services, busy.id)).toEqual({ result: "ALREADY_SENT_TODAY" });
    expect(smtp.messages).toHaveLength(1);

    clock.advance(DAY);
    await saveNotificationSettings(services, busy.id, { staffDigestEnabled: false });
    expect(await sendStaffDigest(services, busy.id)).toEqual({ result: "DISABLED" });
    await schedulePeriodicWork(services);
    expect(await digestJobs(busy)).toBe(0);
    await saveNotificationSettings(services, busy.id, { staffDigestEnabled: true, staffEmail: "" });
    expect(await sendStaffDigest(services, busy.id)).toEqual({ result: "NO_RECIPIENT" });
    expect(smtp.messages).toHaveLength(1);
    await saveNotificationSettings(services, busy.id, { staffEmail: "team@digest-busy.myshopify.com" });
  });
});
