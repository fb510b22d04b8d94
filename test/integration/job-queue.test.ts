import { z } from "zod";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { AuthenticationError, RateLimitedError, ServiceUnavailableError } from "~/domain/errors";
import { claimJobs, createJobQueue, closeJobQueue, enqueueJob, listJobs, markSucceeded, useJobQueue, type JobEngine } from "~/jobs/queue.server";
import { defineJob, JobRunner, type JobDefinition } from "~/jobs/runner.server";
import { BACKOFF_BASE_MS } from "~/jobs/retry-policy";
import type { JobType } from "~/jobs/job-types";
import { TestClock } from "../support/clock";
import { createTestDatabase, testDialect, type TestDatabase } from "../support/database";
import { createTestServices } from "../support/services";

let database: TestDatabase;
let clock: TestClock;

beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database.dispose();
});
beforeEach(() => {
  clock = new TestClock();
});

// SQLite has the embedded queue only; PostgreSQL runs pg-boss by default and can keep the embedded one.
const engines: JobEngine[] = testDialect() === "postgresql" ? ["pg-boss", "sql"] : ["sql"];

// Job types that exist only in this test: the queue is generic, these exercise its contract.
const TEST_TYPE = "shipments.register" as JobType;

function runnerWith(behaviour: (payload: { n: number }) => Promise<{ result: string; rescheduleInMs?: number }>, workerId = "worker-a") {
  const job: JobDefinition<{ n: number }> = defineJob({
    type: TEST_TYPE,
    payload: z.object({ n: z.number() }),
    run: (payload) => behaviour(payload),
  });
  return new JobRunner(createTestServices(database.db, { clock }), [job as unknown as JobDefinition<never>], {
    workerId,
    concurrency: 4,
    leaseMs: 10_000,
    random: () => 0.5,
  });
}

async function jobRow() {
  const [row, ...others] = await listJobs(database.db);
  if (!row || others.length > 0) throw new Error(`expected exactly one job, found ${others.length + (row ? 1 : 0)}`);
  return row;
}

async function jobWithKey(dedupeKey: string) {
  const [row] = await listJobs(database.db, { dedupeKey });
  if (!row) throw new Error(`no job with dedupe key ${dedupeKey}`);
  return row;
}

describe.each(engines)(`durable job queue on ${testDialect()} (%s engine)`, (engine) => {
  beforeAll(async () => {
    await closeJobQueue(database.db);
    useJobQueue(database.db, createJobQueue(database.db, engine, { leaseMs: 10_000 }));
  });
  afterAll(async () => {
    await closeJobQueue(database.db);
  });
  beforeEach(async () => {
    const { deleteJobs } = await import("~/jobs/queue.server");
    await deleteJobs(database.db);
  });

  // Outside a transaction the Database is passed (on SQLite: the direct statement path); inside
  // one, a Prisma client. Both must store the same row and obey the same keys.
  const targets = [
    ["the Database", () => database.db],
    ["a Prisma client", () => database.db.prisma],
  ] as const;

  it.each(targets)("a dedupe key makes a second enqueue a no-op, forever (%s)", async (_label, target) => {
    const now = clock.now();
    expect(await enqueueJob(target(), now, TEST_TYPE, { n: 1 }, { dedupeKey: "shopify:abc" })).toBe("ENQUEUED");
    expect(await enqueueJob(target(), now, TEST_TYPE, { n: 2 }, { dedupeKey: "shopify:abc" })).toBe("DUPLICATE");
    const runner = runnerWith(async () => ({ result: "DONE" }));
    await runner.drain();
    expect(await enqueueJob(target(), now, TEST_TYPE, { n: 3 }, { dedupeKey: "shopify:abc" })).toBe("DUPLICATE");
    expect(await listJobs(database.db)).toHaveLength(1);
  });

  it.each(targets)("a singleton key allows one waiting job, and a new one as soon as it starts running (%s)", async (_label, target) => {
    const now = clock.now();
    expect(await enqueueJob(target(), now, TEST_TYPE, { n: 1 }, { singletonKey: "register:shop" })).toBe("ENQUEUED");
    expect(await enqueueJob(target(), now, TEST_TYPE, { n: 2 }, { singletonKey: "register:shop" })).toBe("DUPLICATE");
    const [claimed] = await claimJobs(database.db, "w", now, 10, 10_000);
    expect(claimed?.payload).toBe(JSON.stringify({ n: 1 }));
    expect(await enqueueJob(target(), now, TEST_TYPE, { n: 3 }, { singletonKey: "register:shop" })).toBe("ENQUEUED");
  });

  it("both paths store identical jobs, readable through the port", async () => {
    const now = clock.now();
    const runAt = new Date(now.getTime() + 5_000);
    await enqueueJob(database.db, now, TEST_TYPE, { n: 1, text: "ünïcode ✓" }, { shopId: "shop-1", dedupeKey: "a", maxAttempts: 3, runAt });
    await enqueueJob(database.db.prisma, now, TEST_TYPE, { n: 1, text: "ünïcode ✓" }, { shopId: "shop-1", dedupeKey: "b", maxAttempts: 3, runAt });
    const [direct, viaPrisma] = await Promise.all(["a", "b"].map((dedupeKey) => jobWithKey(dedupeKey)));
    const comparable = ({ id: _id, dedupeKey: _key, ...rest }: typeof direct) => rest;
    expect(comparable(direct!)).toEqual(comparable(viaPrisma!));
    expect(direct!).toMatchObject({ state: "queued", attempts: 0, maxAttempts: 3, runAt, createdAt: now, shopId: "shop-1" });
    expect(JSON.parse(direct!.payload)).toEqual({ n: 1, text: "ünïcode ✓" });
  });

  it("runs a job, records its result and drops its payload", async () => {
    await enqueueJob(database.db.prisma, clock.now(), TEST_TYPE, { n: 7 }, {});
    const seen: number[] = [];
    await runnerWith(async ({ n }) => {
      seen.push(n);
      return { result: "REGISTERED" };
    }).drain();
    const row = await jobRow();
    expect(seen).toEqual([7]);
    expect(row.state).toBe("succeeded");
    expect(row.result).toBe("REGISTERED");
    expect(row.payload).toBe("{}");
  });

  it("does not run a job before its time", async () => {
    await enqueueJob(database.db.prisma, clock.now(), TEST_TYPE, { n: 1 }, { runAt: new Date(clock.now().getTime() + 60_000) });
    let runs = 0;
    const runner = runnerWith(async () => {
      runs++;
      return { result: "DONE" };
    });
    await runner.drain();
    expect(runs).toBe(0);
    clock.advance(60_000);
    await runner.drain();
    expect(runs).toBe(1);
  });

  it("retries a transient failure with growing backoff, then succeeds", async () => {
    await enqueueJob(database.db.prisma, clock.now(), TEST_TYPE, { n: 1 }, {});
    let calls = 0;
    const runner = runnerWith(async () => {
      calls++;
      if (calls < 3) throw new ServiceUnavailableError("TrackingMore 503", { service: "trackingmore", status: 503 });
      return { result: "DONE" };
    });
    await runner.drain();
    let row = await jobRow();
    expect(row.state).toBe("queued");
    expect(row.attempts).toBe(1);
    const firstDelay = row.runAt.getTime() - clock.now().getTime();
    expect(firstDelay).toBeGreaterThanOrEqual(BACKOFF_BASE_MS / 2);
    expect(row.lastError).toContain("TrackingMore 503");

    clock.advance(firstDelay);
    await runner.drain();
    row = await jobRow();
    const secondDelay = row.runAt.getTime() - clock.now().getTime();
    expect(secondDelay).toBeGreaterThan(firstDelay);

    clock.advance(secondDelay);
    await runner.drain();
    row = await jobRow();
    expect(row.state).toBe("succeeded");
    expect(calls).toBe(3);
  });

  it("moves a terminal failure straight to the dead letters, with the error kept", async () => {
    await enqueueJob(database.db.prisma, clock.now(), TEST_TYPE, { n: 1 }, {});
    let calls = 0;
    await runnerWith(async () => {
      calls++;
      throw new AuthenticationError("TrackingMore refused the API key", { service: "trackingmore", status: 401, code: "401" });
    }).drain();
    const row = await jobRow();
    expect(calls).toBe(1);
    expect(row.state).toBe("dead");
    expect(row.lastError).toContain("refused the API key");
  });

  it("a rate limit postpones without using up an attempt", async () => {
    await enqueueJob(database.db.prisma, clock.now(), TEST_TYPE, { n: 1 }, { maxAttempts: 1 });
    await runnerWith(async () => {
      throw new RateLimitedError("429", { service: "trackingmore", retryAfterMs: 120_000 });
    }).drain();
    const row = await jobRow();
    expect(row.state).toBe("queued");
    expect(row.attempts).toBe(0);
    expect(row.runAt.getTime() - clock.now().getTime()).toBe(120_000);
  });

  it("gives up after maxAttempts and keeps the last error", async () => {
    await enqueueJob(database.db.prisma, clock.now(), TEST_TYPE, { n: 1 }, { maxAttempts: 2 });
    const runner = runnerWith(async () => {
      throw new Error("database is busy");
    });
    await runner.drain();
    clock.advance(60 * 60_000);
    await runner.drain();
    const row = await jobRow();
    expect(row.state).toBe("dead");
    expect(row.attempts).toBe(2);
    expect(row.lastError).toContain("database is busy");
  });

  it("a payload that fails validation is dead at once", async () => {
    await enqueueJob(database.db.prisma, clock.now(), TEST_TYPE, { wrong: true }, {});
    let runs = 0;
    await runnerWith(async () => {
      runs++;
      return { result: "DONE" };
    }).drain();
    expect(runs).toBe(0);
    expect((await jobRow()).state).toBe("dead");
  });

  it("a job whose worker died is taken over once its lease runs out, and the dead worker cannot settle it", async () => {
    await enqueueJob(database.db.prisma, clock.now(), TEST_TYPE, { n: 1 }, {});
    // Worker A claims the job and then "dies" (never settles it).
    const [claimedByA] = await claimJobs(database.db, "worker-a", clock.now(), 1, 10_000);
    expect(claimedByA).toBeDefined();

    const runnerB = runnerWith(async () => ({ result: "DONE BY B" }), "worker-b");
    expect(await runnerB.runDue()).toBe(0);
    clock.advance(10_001);
    expect(await runnerB.runDue()).toBe(1);
    const row = await jobRow();
    expect(row.state).toBe("succeeded");
    expect(row.result).toBe("DONE BY B");
    expect(row.attempts).toBe(2);

    expect(await markSucceeded(database.db, row.id, "worker-a", clock.now(), "LATE")).toBe(false);
    expect((await jobRow()).result).toBe("DONE BY B");
  });

  it("two workers claiming at once never get the same job", async () => {
    for (let n = 0; n < 60; n++) await enqueueJob(database.db.prisma, clock.now(), TEST_TYPE, { n }, {});
    const claims = await Promise.all(
      Array.from({ length: 6 }, (_, worker) => claimJobs(database.db, `worker-${worker}`, clock.now(), 15, 10_000)),
    );
    const ids = claims.flat().map((job) => job.id);
    expect(ids.length).toBe(60);
    expect(new Set(ids).size).toBe(60);
  });

  it("a handler asking to come back later is rescheduled without counting an attempt", async () => {
    await enqueueJob(database.db.prisma, clock.now(), TEST_TYPE, { n: 1 }, { maxAttempts: 1 });
    let runs = 0;
    const runner = runnerWith(async () => {
      runs++;
      return runs < 3 ? { result: "WAITING", rescheduleInMs: 2_000 } : { result: "DONE" };
    });
    for (let i = 0; i < 3; i++) {
      await runner.drain();
      clock.advance(2_000);
    }
    const row = await jobRow();
    expect(runs).toBe(3);
    expect(row.state).toBe("succeeded");
  });
  it("a job enqueued in a transaction commits with it, and disappears when the transaction rolls back", async () => {
    const now = clock.now();
    await expect(
      database.db.prisma.$transaction(async (tx) => {
        await enqueueJob(tx, now, TEST_TYPE, { n: 1 }, { dedupeKey: "rolled-back" });
        throw new Error("the data write failed");
      }),
    ).rejects.toThrow("the data write failed");
    expect(await listJobs(database.db)).toEqual([]);
    // The key was never taken: the same enqueue succeeds once the transaction commits.
    await database.db.prisma.$transaction(async (tx) => {
      expect(await enqueueJob(tx, now, TEST_TYPE, { n: 2 }, { dedupeKey: "rolled-back" })).toBe("ENQUEUED");
    });
    expect(JSON.parse((await jobRow()).payload)).toEqual({ n: 2 });
  });

  it("cancelling a shop's jobs stops its queued ones only, and frees its singleton keys", async () => {
    const now = clock.now();
    await enqueueJob(database.db, now, TEST_TYPE, { n: 1 }, { shopId: "leaving", singletonKey: "register:leaving" });
    await enqueueJob(database.db, now, TEST_TYPE, { n: 2 }, { shopId: "leaving", dedupeKey: "leaving-later", runAt: new Date(now.getTime() + 60_000) });
    await enqueueJob(database.db, now, TEST_TYPE, { n: 3 }, { shopId: "staying", singletonKey: "register:staying" });
    const { cancelQueuedJobsForShop } = await import("~/jobs/queue.server");
    await database.db.prisma.$transaction(async (tx) => {
      expect(await cancelQueuedJobsForShop(tx, "leaving", now)).toBe(2);
    });
    expect((await listJobs(database.db, { shopId: "leaving" })).map((job) => job.state)).toEqual(["cancelled", "cancelled"]);
    expect(await listJobs(database.db, { shopId: "staying", states: ["queued"] })).toHaveLength(1);
    expect(await enqueueJob(database.db, now, TEST_TYPE, { n: 4 }, { shopId: "leaving", singletonKey: "register:leaving" })).toBe("ENQUEUED");
  });
});
