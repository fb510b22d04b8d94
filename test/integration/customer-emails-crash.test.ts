import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { ServiceContext } from "~/services/context.server";
import { saveNotificationSettings } from "~/services/notification-settings.server";
import { createTestDatabase, testDialect, type TestDatabase } from "../support/database";
import { createShopWithTrackingMore, deliveredParcelWithQueuedEmail, upsNumber, type ShopFixture } from "../support/factories";
import { eventually, startWorker, type RunningWorker } from "../support/processes";
import { createTestServices } from "../support/services";
import { startSmtpServer, type TestSmtpServer } from "../support/smtp";

/**
 * kill -9 of a real worker process while it is in the middle of sending a customer e-mail (the
 * SMTP server has the whole message and has not answered yet). The next worker takes the row over
 * when the lease ends and sends it with the same Message-ID, fixed before the first attempt:
 * - the server had not accepted the message (connection gone): exactly one e-mail arrives;
 * - the server accepted it after all (the one ambiguous window, ADR 16): the copy carries the same
 *   Message-ID, so receiving systems that de-duplicate by Message-ID show one;
 * - the server accepted it and the e-mail must no longer go out: nothing is resent, and the log
 *   says the attempt was cut off (the customer may have it), not that it was never sent.
 */

const LEASE_MS = 1_500;
// Each test starts two worker processes (tsx compiles on start): slow on a busy machine.

let database: TestDatabase;
let smtp: TestSmtpServer;
let services: ServiceContext;
let shop: ShopFixture;
const workers: RunningWorker[] = [];
let seed = 91_000;

beforeAll(async () => {
  database = await createTestDatabase();
  smtp = await startSmtpServer();
  services = createTestServices(database.db);
  shop = await createShopWithTrackingMore(services, { apiKey: "tm-crash-email-key-abcdefgh" });
});

afterEach(async () => {
  await Promise.all(workers.splice(0).map((worker) => worker.stop()));
});

afterAll(async () => {
  await smtp.stop();
  await database.dispose();
});

function worker(): RunningWorker {
  const started = startWorker({
    DATABASE_URL: database.url,
    ...smtp.env(),
    JOB_LEASE_MS: String(LEASE_MS),
    WORKER_POLL_INTERVAL_MS: "50",
    // Periodic polls must not leave the machine.
    TRACKINGMORE_API_BASE_URL: "http://127.0.0.1:9",
  });
  workers.push(started);
  return started;
}


async function killMidSend(notificationId: string): Promise<string> {
  smtp.holdAcceptance();
  const first = worker();
  await eventually(async () => smtp.heldCount() === 1, { timeoutMs: 30_000, describe: () => first.output() });
  const sending = await database.db.prisma.customerNotification.findUniqueOrThrow({ where: { id: notificationId } });
  expect(sending.state).toBe("sending");
  expect(sending.messageId).not.toBeNull();
  await first.kill9();
  return sending.messageId!;
}

async function sentRow(notificationId: string) {
  return eventually(
    async () => {
      const row = await database.db.prisma.customerNotification.findUniqueOrThrow({ where: { id: notificationId } });
      return row.state === "sent" ? row : undefined;
    },
    { timeoutMs: 30_000, describe: () => workers.map((w) => w.output()).join("\n") },
  );
}

describe(`customer e-mail sender killed mid-send on ${testDialect()}`, () => {
  it("the message was not accepted: the next worker sends it once, with the Message-ID fixed before the first attempt", async () => {
    const notificationId = await deliveredParcelWithQueuedEmail(services, shop, upsNumber(++seed));
    const messageId = await killMidSend(notificationId);
    smtp.dropHeld();
    smtp.releaseAcceptance();

    worker();
    const row = await sentRow(notificationId);
    expect(row.messageId).toBe(messageId);
    expect(row.attempts).toBe(2);
    // Give any stray duplicate time to show up before counting.
    await new Promise((resolve) => setTimeout(resolve, LEASE_MS * 2));
    expect(smtp.messages.map((message) => message.messageId)).toEqual([messageId]);
  }, 120_000);

  it("the server accepted it as the worker died: the resend carries the same Message-ID", async () => {
    smtp.messages.length = 0;
    const notificationId = await deliveredParcelWithQueuedEmail(services, shop, upsNumber(++seed));
    const messageId = await killMidSend(notificationId);
    smtp.releaseAcceptance();

    worker();
    await sentRow(notificationId);
    await smtp.waitForMessages(2, 30_000);
    await new Promise((resolve) => setTimeout(resolve, LEASE_MS * 2));
    expect(smtp.messages).toHaveLength(2);
    expect(new Set(smtp.messages.map((message) => message.messageId))).toEqual(new Set([messageId]));
  }, 120_000);

  it("the server accepted it as the worker died and the milestone was switched off since: not resent, logged as interrupted", async () => {
    smtp.messages.length = 0;
    const notificationId = await deliveredParcelWithQueuedEmail(services, shop, upsNumber(++seed));
    const messageId = await killMidSend(notificationId);
    smtp.releaseAcceptance();
    await smtp.waitForMessages(1, 30_000);
    const saved = await saveNotificationSettings(services, shop.id, { milestones: { delivered: { enabled: false } } });
    expect(saved.ok).toBe(true);

    try {
      worker();
      const row = await eventually(
        async () => {
          const current = await database.db.prisma.customerNotification.findUniqueOrThrow({ where: { id: notificationId } });
          return current.state === "sending" ? undefined : current;
        },
        { timeoutMs: 30_000, describe: () => workers.map((w) => w.output()).join("\n") },
      );
      expect({ state: row.state, reason: row.reason, lastError: row.lastError, attempts: row.attempts }).toEqual({
        state: "skipped",
        reason: "interrupted",
        lastError: "not repeated: disabled",
        attempts: 1,
      });
      await new Promise((resolve) => setTimeout(resolve, LEASE_MS * 2));
      expect(smtp.messages.map((message) => message.messageId)).toEqual([messageId]);
    } finally {
      await saveNotificationSettings(services, shop.id, { milestones: { delivered: { enabled: true } } });
    }
  }, 120_000);
});
