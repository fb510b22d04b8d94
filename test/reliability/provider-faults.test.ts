import { afterEach, describe, expect, it } from "vitest";
import { BACKOFF_BASE_MS } from "~/jobs/retry-policy";
import { startTrackingMoreSimulator, type InjectedFault, type SimCall, type TrackingMoreSimulator } from "../../simulators/trackingmore";
import { startUpsSimulator, type UpsFault, type UpsSimulator } from "../../simulators/ups";
import { connectProvider } from "~/services/provider-accounts.server";
import { ensureShop } from "~/services/shops.server";
import { createTestDatabase, testDialect, type TestDatabase } from "../support/database";
import { createShopWithTrackingMore, upsNumber, type ShopFixture } from "../support/factories";
import { eventually, startWorker, type RunningWorker } from "../support/processes";
import { createTestServices } from "../support/services";
import { ingestParcels, seededRandom } from "./support";

/**
 * TrackingMore misbehaving while shops register their parcels through one real worker: bursts of
 * 429s, 5xx answers, requests that never get an answer, answers cut in half (the registration
 * happened, the client never saw it confirmed) and answers that are not JSON. No crash; each
 * account waits as told (the 429 pause, the retry backoff), measured on the simulator's own record
 * of when each request arrived; once the faults are used up every number is registered exactly once.
 * UPS Track Alert gets the same treatment where cheap (its 429 pause is a fixed 60 s, so no 429s).
 */

// One batch per shop: while a shop's job holds its numbers nothing else can claim them, so the
// spacing of a shop's calls is its job's retry schedule.
const PARCELS_PER_SHOP = 40;
const RATE_LIMIT_PAUSE_MS = 2_000;
const HTTP_TIMEOUT_MS = 1_000;
const CREDITS = 10_000;
const BATCH_PATH = "/v4/trackings/batch";

const random = seededRandom("provider-faults");
const http = (httpStatus: number): InjectedFault => ({ kind: "http", httpStatus, metaCode: httpStatus });

interface Scenario {
  database: TestDatabase;
  trackingMore: TrackingMoreSimulator;
  worker: RunningWorker;
  shops: Array<ShopFixture & { apiKey: string; numbers: string[] }>;
}
let running: Scenario | undefined;

/** Shops with one batch of parcels each, the faults queued at the simulator, then one worker. */
async function registerThroughFaults(name: string, shopCount: number, faults: InjectedFault[], workerEnv: Record<string, string>): Promise<Scenario> {
  const database = await createTestDatabase();
  const trackingMore = await startTrackingMoreSimulator({ rateLimits: { v4Create: Infinity, v4Other: Infinity } });
  const services = createTestServices(database.db, { trackingMoreBaseUrl: trackingMore.url });
  const shops: Scenario["shops"] = [];
  for (let index = 0; index < shopCount; index++) {
    const apiKey = `tm-${name}-${index}-abcdefgh`;
    trackingMore.addAccount({ apiKey, credits: CREDITS });
    const shop = await createShopWithTrackingMore(services, { domain: `${name}-${index}.myshopify.com`, apiKey });
    const numbers = Array.from({ length: PARCELS_PER_SHOP }, (_, i) => upsNumber(810_000 + index * 1_000 + i));
    await ingestParcels(services, shop, numbers, `${name}${index}`);
    shops.push({ ...shop, apiKey, numbers });
  }
  for (const fault of random.shuffled(faults)) trackingMore.injectFaults(1, fault);
  const worker = startWorker({
    DATABASE_URL: database.url,
    TRACKINGMORE_API_BASE_URL: trackingMore.url,
    PROVIDER_RATE_LIMIT_PAUSE_MS: String(RATE_LIMIT_PAUSE_MS),
    PROVIDER_HTTP_TIMEOUT_MS: String(HTTP_TIMEOUT_MS),
    WORKER_POLL_INTERVAL_MS: "20",
    JOB_LEASE_MS: "5000",
    ...workerEnv,
  });
  running = { database, trackingMore, worker, shops };
  await eventually(
    async () => (await database.db.prisma.shipment.count({ where: { registrationState: "registered" } })) === shopCount * PARCELS_PER_SHOP,
    {
      timeoutMs: 90_000,
      describe: async () => JSON.stringify(await database.db.prisma.shipment.groupBy({ by: ["registrationState"], _count: true })) + worker.output(),
    },
  );
  return running;
}

let upsRunning: { database: TestDatabase; ups: UpsSimulator; worker: RunningWorker } | undefined;

afterEach(async () => {
  await upsRunning?.worker.stop();
  await upsRunning?.ups.close();
  await upsRunning?.database.dispose();
  upsRunning = undefined;
  await running?.worker.stop();
  await running?.trackingMore.close();
  await running?.database.dispose();
  running = undefined;
});

function expectSurvivedAndRegisteredOnce(scenario: Scenario, faults: InjectedFault[]): SimCall[] {
  // No crash: the same process did all of it.
  expect(scenario.worker.process.exitCode).toBeNull();
  expect(scenario.worker.process.signalCode).toBeNull();
  const calls = scenario.trackingMore.calls.filter((call) => call.api === "v4");
  // Every fault was served (the simulator logs a held request with status 0, a damaged body with meta code 0).
  expect(calls.filter((call) => call.httpStatus === 0 || call.httpStatus >= 429 || call.metaCode === 0)).toHaveLength(faults.length);
  for (const shop of scenario.shops) {
    // Registered exactly once: the account holds each number once and paid one credit for each.
    expect(scenario.trackingMore.trackings(shop.apiKey).map((tracking) => tracking.trackingNumber).sort()).toEqual([...shop.numbers].sort());
    expect(CREDITS - scenario.trackingMore.accounts().find((account) => account.apiKey === shop.apiKey)!.credits).toBe(PARCELS_PER_SHOP);
  }
  return calls;
}

describe(`provider faults during registration (${testDialect()})`, () => {
  it("bursts of 429, 5xx and timeouts: each account pauses or backs off as told, then everything registers once", async () => {
    const faults = [...Array.from({ length: 4 }, () => http(429)), http(500), http(502), http(503), { kind: "timeout" as const }, { kind: "timeout" as const }];
    // The production sweep interval: no second registration job joins a shop's failing one here
    // (see docs/reliability.md, "known gaps", for what the sweep does to backoff).
    const scenario = await registerThroughFaults("transient", 8, faults, { WORKER_SCHEDULE_INTERVAL_MS: "60000" });
    const calls = expectSurvivedAndRegisteredOnce(scenario, faults);
    let checkedGaps = 0;
    for (const shop of scenario.shops) {
      const batches = calls.filter((call) => call.apiKey === shop.apiKey && call.path === BATCH_PATH);
      for (const [index, call] of batches.entries()) {
        const next = batches[index + 1];
        if (!next) continue;
        const gap = next.at - call.at;
        // 429: the whole account pauses for TrackingMore's documented time (here shortened by configuration).
        if (call.httpStatus === 429) expect(gap, `${shop.apiKey}: batch after a 429`).toBeGreaterThanOrEqual(RATE_LIMIT_PAUSE_MS);
        // 5xx and no answer: the job is retried with backoff; its first retry waits at least half the base ("equal jitter").
        if (call.httpStatus >= 500 || call.httpStatus === 0) expect(gap, `${shop.apiKey}: batch after ${call.httpStatus}`).toBeGreaterThanOrEqual(BACKOFF_BASE_MS / 2);
        checkedGaps++;
      }
      // The order of events at the provider: failures first, then one successful batch, nothing after it.
      expect(batches.at(-1)!.httpStatus, shop.apiKey).toBe(200);
      expect(batches.filter((call) => call.httpStatus === 200), shop.apiKey).toHaveLength(1);
    }
    expect(checkedGaps).toBe(faults.length);
    // Nobody was blocked for a fault that was never the merchant's to fix.
    expect(await scenario.database.db.prisma.providerAccount.count({ where: { blockedReason: { not: null } } })).toBe(0);
  }, 150_000);

  it("answers cut in half or not JSON: no crash, and the numbers whose registration was never confirmed are registered once", async () => {
    const faults: InjectedFault[] = [{ kind: "truncated" }, { kind: "truncated" }, { kind: "truncated" }, { kind: "malformed" }, { kind: "malformed" }];
    // A damaged answer is not worth retrying at once (retry-policy.ts); the registration sweep picks the numbers up again.
    const scenario = await registerThroughFaults("damaged", 4, faults, { WORKER_SCHEDULE_INTERVAL_MS: "1000" });
    const calls = expectSurvivedAndRegisteredOnce(scenario, faults);
    // A truncated answer's registration did happen: the next attempt is told "already exists" and counts it as registered.
    const truncatedShops = new Set(calls.filter((call) => call.path === BATCH_PATH && call.httpStatus === 200 && call.metaCode === 0).map((call) => call.apiKey));
    expect(truncatedShops.size).toBeGreaterThan(0);
    expect(await scenario.database.db.prisma.providerAccount.count({ where: { blockedReason: { not: null } } })).toBe(0);
  }, 150_000);

  it("UPS Track Alert: 5xx, no answer, truncated and malformed subscription answers; every number ends subscribed", async () => {
    const faults: UpsFault[] = [
      { kind: "http", httpStatus: 500, code: "10004", api: "trackalert" },
      { kind: "http", httpStatus: 503, code: "VSS100", api: "trackalert" },
      { kind: "timeout", api: "trackalert" },
      { kind: "truncated", api: "trackalert" },
      { kind: "malformed", api: "trackalert" },
    ];
    const database = await createTestDatabase();
    const ups = await startUpsSimulator();
    const services = createTestServices(database.db, { upsBaseUrl: ups.url });
    const numbers: string[] = [];
    for (let index = 0; index < 4; index++) {
      const client = { clientId: `ups-faults-client-${index}`, clientSecret: `ups-faults-secret-${index}-0123456789` };
      ups.addClient(client);
      const shop = await ensureShop(services, `ups-faults-${index}.myshopify.com`);
      await connectProvider(services, shop.id, { provider: "ups", credentials: client });
      const shopNumbers = Array.from({ length: PARCELS_PER_SHOP }, (_, i) => upsNumber(860_000 + index * 1_000 + i));
      await ingestParcels(services, shop, shopNumbers, `upsfaults${index}`);
      numbers.push(...shopNumbers);
    }
    for (const fault of random.shuffled(faults)) ups.injectFaults(1, fault);
    const worker = startWorker({
      DATABASE_URL: database.url,
      UPS_API_BASE_URL: ups.url,
      PROVIDER_HTTP_TIMEOUT_MS: String(HTTP_TIMEOUT_MS),
      WORKER_POLL_INTERVAL_MS: "20",
      WORKER_SCHEDULE_INTERVAL_MS: "1000",
      JOB_LEASE_MS: "5000",
    });
    upsRunning = { database, ups, worker };
    await eventually(async () => (await database.db.prisma.shipment.count({ where: { registrationState: "registered" } })) === numbers.length, {
      timeoutMs: 90_000,
      describe: async () => JSON.stringify(await database.db.prisma.shipment.groupBy({ by: ["registrationState"], _count: true })) + worker.output(),
    });
    expect(worker.process.exitCode).toBeNull();
    expect(worker.process.signalCode).toBeNull();
    const subscribeCalls = ups.calls.filter((call) => call.api === "trackalert");
    // The two 5xx and the unanswered request were served, once each; the damaged answers are 200s.
    expect(subscribeCalls.filter((call) => call.httpStatus === 0 || call.httpStatus >= 500)).toHaveLength(3);
    // Every number holds a subscription at UPS, whatever answer its first attempt got.
    expect(new Set(ups.subscriptions().map((subscription) => subscription.trackingNumber))).toEqual(new Set(numbers));
    expect(await database.db.prisma.providerAccount.count({ where: { blockedReason: { not: null } } })).toBe(0);
  }, 150_000);
});
