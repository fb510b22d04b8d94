import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTrackingMoreSimulator, type TrackingMoreSimulator } from "../../simulators/trackingmore";
import { JOB_TYPES } from "~/jobs/job-types";
import { ingestFulfillment } from "~/services/ingest-fulfillment.server";
import { createTestDatabase, testDialect, type TestDatabase } from "../support/database";
import { createShopWithTrackingMore, fulfillmentSnapshot, upsNumber } from "../support/factories";
import { listJobs } from "../support/jobs";
import { eventually, startWorker, type RunningWorker } from "../support/processes";
import { createTestServices } from "../support/services";

/**
 * Two worker processes (as on two machines) share one provider account: two shops of one merchant
 * on the same TrackingMore key. With one job at a time per worker, the two shops' registration
 * runs go to the two workers and run at the same time, and together they
 * stay under the account's 10 requests per second: the limit is kept per account in the database,
 * not per process. Unthrottled, or throttled per process, the burst would draw 429s.
 */

const API_KEY = "tm-shared-account-abcdefgh";
const NUMBERS_PER_SHOP = 40;

let database: TestDatabase;
let trackingMore: TrackingMoreSimulator;
const workers: RunningWorker[] = [];

beforeAll(async () => {
  database = await createTestDatabase();
  trackingMore = await startTrackingMoreSimulator({ rateLimits: { v4Other: 10, v4Create: Infinity } });
  trackingMore.addAccount({ apiKey: API_KEY, email: "ops@two-shops.example", webhookSecret: "whsec-two-shops-0123456789" });
}, 60_000);

afterAll(async () => {
  await Promise.all(workers.map((worker) => worker.stop()));
  await trackingMore.close();
  await database.dispose();
});

// On SQLite too: two worker processes on one machine share the file. A wait for SQLite's write lock
// can pull a reservation and its request apart; the throttle then takes a new slot (it drew a 429
// here before it did, test/integration/provider-throttle.test.ts).
describe(`several workers on ${testDialect()}`, () => {
  it("register two shops of one provider account at once without exceeding the account's rate limit", async () => {
    const services = createTestServices(database.db, { trackingMoreBaseUrl: trackingMore.url });
    const shops = await Promise.all(["north", "south"].map((name) => createShopWithTrackingMore(services, { domain: `${name}-shop.myshopify.com`, apiKey: API_KEY })));
    const numbers: string[] = [];
    for (const [index, shop] of shops.entries()) {
      for (let f = 0; f < NUMBERS_PER_SHOP / 4; f++) {
        const batch = Array.from({ length: 4 }, (_, i) => upsNumber(70_000 + index * 1_000 + f * 4 + i));
        numbers.push(...batch);
        await ingestFulfillment(services, shop.domain, fulfillmentSnapshot({ numbers: batch }));
      }
    }
    // Unknown carriers: one detect call per number, a burst of 80 against a limit of 10 per second.
    await database.db.prisma.shipment.updateMany({ data: { carrierCode: null } });
    expect(await listJobs(database.db, { type: JOB_TYPES.registerShipments, states: ["queued"] })).toHaveLength(2);

    const env = { DATABASE_URL: database.url, TRACKINGMORE_API_BASE_URL: trackingMore.url, WORKER_POLL_INTERVAL_MS: "50", WORKER_CONCURRENCY: "1" };
    workers.push(startWorker(env), startWorker(env));

    await eventually(
      async () => (await database.db.prisma.shipment.count({ where: { registrationState: "registered" } })) === numbers.length,
      {
        timeoutMs: 90_000,
        describe: async () =>
          JSON.stringify({
            registration: await database.db.prisma.shipment.groupBy({ by: ["registrationState"], _count: true }),
            calls: trackingMore.calls.map((call) => `${call.path} ${call.httpStatus}`).slice(-5),
            jobs: (await listJobs(database.db, { type: JOB_TYPES.registerShipments })).map((job) => [job.state, job.result, job.lastError]),
          }) + workers.map((worker) => worker.output()).join("\n"),
      },
    );
    const v4Calls = trackingMore.calls.filter((call) => call.api === "v4");
    expect(v4Calls.filter((call) => call.httpStatus === 429)).toEqual([]);
    expect(trackingMore.trackings(API_KEY).map((tracking) => tracking.trackingNumber).sort()).toEqual([...numbers].sort());
    // Neither worker fell over under the shared limit.
    expect(workers.every((worker) => worker.process.exitCode === null)).toBe(true);
    expect(await listJobs(database.db, { type: JOB_TYPES.registerShipments, states: ["dead"] })).toEqual([]);
  }, 150_000);
});
