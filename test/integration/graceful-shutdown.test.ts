import { request } from "node:http";
import type { ChildProcess } from "node:child_process";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { JOB_TYPES } from "~/jobs/job-types";
import type { ServiceContext } from "~/services/context.server";
import { createTestDatabase, testDialect, type TestDatabase } from "../support/database";
import { createShopWithTrackingMore, deliveredParcelWithQueuedEmail, upsNumber, type ShopFixture } from "../support/factories";
import { deleteJobs, listJobs } from "../support/jobs";
import { eventually, startWebServer, startWorker, type RunningWeb, type RunningWorker } from "../support/processes";
import { createTestServices } from "../support/services";
import { startSmtpServer, type TestSmtpServer } from "../support/smtp";

/**
 * SIGTERM, as an orchestrator sends it before replacing a process: the worker stops claiming,
 * lets the job it is running finish (or releases it to another worker once its grace is over) and
 * exits 0; the web server stops accepting, answers the request in flight and exits 0. The slow
 * job is a customer e-mail whose SMTP server holds its answer.
 */

const LEASE_MS = 1_500;

let database: TestDatabase;
let smtp: TestSmtpServer;
let services: ServiceContext;
let shop: ShopFixture;
const workers: RunningWorker[] = [];
const webs: RunningWeb[] = [];
let seed = 93_000;

beforeAll(async () => {
  database = await createTestDatabase();
  smtp = await startSmtpServer();
  services = createTestServices(database.db);
  shop = await createShopWithTrackingMore(services, { apiKey: "tm-graceful-stop-abcdefgh" });
});

afterEach(async () => {
  smtp.releaseAcceptance();
  await Promise.all([...workers.splice(0), ...webs.splice(0)].map((running) => running.stop()));
  smtp.messages.length = 0;
});

afterAll(async () => {
  await smtp.stop();
  await database.dispose();
});

function worker(graceMs: number): RunningWorker {
  const started = startWorker({
    DATABASE_URL: database.url,
    ...smtp.env(),
    JOB_LEASE_MS: String(LEASE_MS),
    WORKER_POLL_INTERVAL_MS: "50",
    WORKER_SHUTDOWN_GRACE_MS: String(graceMs),
    TRACKINGMORE_API_BASE_URL: "http://127.0.0.1:9",
  });
  workers.push(started);
  return started;
}

function exited(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once("exit", (code) => resolve(code)));
}


async function sentOnce(notificationId: string) {
  const row = await eventually(
    async () => {
      const current = await database.db.prisma.customerNotification.findUniqueOrThrow({ where: { id: notificationId } });
      return current.state === "sent" ? current : undefined;
    },
    { timeoutMs: 45_000, describe: () => workers.map((w) => w.output()).join("\n") },
  );
  // Give a stray duplicate time to show up before counting.
  await new Promise((resolve) => setTimeout(resolve, LEASE_MS * 2));
  expect(smtp.messages.map((message) => message.messageId)).toEqual([row.messageId]);
  expect(await listJobs(database.db, { type: JOB_TYPES.sendCustomerEmail, states: ["succeeded"] })).toHaveLength(1);
  expect(await listJobs(database.db, { type: JOB_TYPES.sendCustomerEmail, states: ["queued", "running", "dead"] })).toEqual([]);
}

describe(`graceful shutdown on ${testDialect()}`, () => {
  it("worker: SIGTERM during a slow job lets it finish, once, then exits 0", async () => {
    await deleteJobs(database.db);
    const notificationId = await deliveredParcelWithQueuedEmail(services, shop, upsNumber(++seed));
    smtp.holdAcceptance();
    const running = worker(30_000);
    await eventually(async () => smtp.heldCount() === 1, { timeoutMs: 60_000, describe: () => running.output() });

    running.process.kill("SIGTERM");
    const exit = exited(running.process);
    // Still finishing its job: it must not exit while the e-mail is unanswered.
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(running.process.exitCode).toBeNull();
    smtp.releaseAcceptance();
    expect(await exit).toBe(0);
    await sentOnce(notificationId);
  }, 120_000);

  it("worker: a job still running when the grace ends is released, the worker exits 0, and the next worker sends it once", async () => {
    await deleteJobs(database.db);
    const notificationId = await deliveredParcelWithQueuedEmail(services, shop, upsNumber(++seed));
    smtp.holdAcceptance();
    const stopping = worker(300);
    await eventually(async () => smtp.heldCount() === 1, { timeoutMs: 60_000, describe: () => stopping.output() });

    stopping.process.kill("SIGTERM");
    expect(await exited(stopping.process)).toBe(0);
    // The connection went with the process: the server never accepted that copy.
    smtp.dropHeld();
    smtp.releaseAcceptance();
    worker(30_000);
    await sentOnce(notificationId);
  }, 120_000);

  it("web: SIGTERM refuses new connections, answers the request in flight, then exits 0", async () => {
    const web = await startWebServer({ DATABASE_URL: database.url });
    webs.push(web);
    const { hostname, port } = new URL(web.url);
    // A webhook whose body is still arriving when the signal comes.
    const inFlight = new Promise<number>((resolve, reject) => {
      const req = request({ host: hostname, port, method: "POST", path: "/webhooks/trackingmore/no-such-token", headers: { "content-type": "application/json", "content-length": "2" } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on("error", reject);
      req.write("{");
      setTimeout(() => {
        web.process.kill("SIGTERM");
        setTimeout(() => req.end("}"), 500);
      }, 200);
    });
    const exit = exited(web.process);
    const status = await inFlight;
    expect(status).toBeGreaterThanOrEqual(400);
    expect(status).toBeLessThan(500);
    await expect(fetch(`${web.url}/healthz`)).rejects.toThrow();
    expect(await exit).toBe(0);
  }, 60_000);
});
