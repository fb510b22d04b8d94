import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase, type Database } from "~/db/database.server";
import { ALL_JOBS } from "~/jobs/definitions.server";
import { JOB_TYPES } from "~/jobs/job-types";
import { enqueueJob } from "~/jobs/queue.server";
import { JobRunner } from "~/jobs/runner.server";
import { consumeRateLimit, consumeRateLimits, LONGEST_RATE_LIMIT_WINDOW_MS, pruneRateLimitWindows } from "~/services/rate-limit.server";
import { TestClock } from "../support/clock";
import { createTestDatabase, type TestDatabase } from "../support/database";
import { createTestServices } from "../support/services";

/**
 * The shared fixed-window limiter on the run's database: counts, refusals with the time left in
 * the window, costs, a fresh window, and two connections (as two processes would hold) racing
 * for the same window never letting more through than the limit.
 */

const MINUTE = 60_000;
let database: TestDatabase;

beforeAll(async () => {
  database = await createTestDatabase();
});

afterAll(async () => {
  await database?.dispose();
});

describe("consumeRateLimit", () => {
  it("allows up to the limit in one window, then refuses with the time left until the window ends", async () => {
    const request = { key: "count:a", limit: 3, windowMs: MINUTE };
    const start = new Date("2026-11-24T10:00:10.000Z");
    const decisions = [];
    for (let i = 0; i < 4; i++) decisions.push(await consumeRateLimit(database.db, { ...request, now: start }));
    expect(decisions.map((d) => d.allowed)).toEqual([true, true, true, false]);
    expect(decisions.map((d) => d.remaining)).toEqual([2, 1, 0, 0]);
    expect(decisions[3]!.retryAfterMs).toBe(50_000);

    const nextWindow = await consumeRateLimit(database.db, { ...request, now: new Date("2026-11-24T10:01:00.000Z") });
    expect(nextWindow).toEqual({ allowed: true, retryAfterMs: 0, remaining: 2 });
  });

  it("keeps keys apart and charges the given cost", async () => {
    const now = new Date("2026-11-24T10:00:00.000Z");
    expect((await consumeRateLimit(database.db, { key: "cost:a", limit: 10, windowMs: MINUTE, now, cost: 8 })).remaining).toBe(2);
    expect((await consumeRateLimit(database.db, { key: "cost:b", limit: 10, windowMs: MINUTE, now })).remaining).toBe(9);
    const over = await consumeRateLimit(database.db, { key: "cost:a", limit: 10, windowMs: MINUTE, now, cost: 3 });
    expect(over.allowed).toBe(false);
    expect(over.retryAfterMs).toBe(MINUTE);
  });

  it("counts several limits in one statement: allowed only while every one allows, counted against all", async () => {
    const now = new Date("2026-11-24T10:00:30.000Z");
    const limits = [{ key: "multi:shop", limit: 100 }, { key: "multi:client", limit: 2 }];
    const decisions = [];
    for (let i = 0; i < 3; i++) decisions.push(await consumeRateLimits(database.db, { limits, windowMs: MINUTE, now }));
    expect(decisions.map((d) => d.allowed)).toEqual([true, true, false]);
    expect(decisions[1]!.remaining).toBe(0);
    expect(decisions[2]!.retryAfterMs).toBe(30_000);
    const rows = await database.db.prisma.rateLimitWindow.findMany({ where: { key: { startsWith: "multi:" } }, orderBy: { key: "asc" } });
    expect(rows.map((row) => [row.key, row.count])).toEqual([["multi:client", 3], ["multi:shop", 3]]);
    await expect(consumeRateLimits(database.db, { limits: [limits[0]!, limits[0]!], windowMs: MINUTE, now })).rejects.toThrow(/distinct keys/);
  });

  it("counts into a later window another process already opened instead of resetting it", async () => {
    const key = "skew:a";
    await consumeRateLimit(database.db, { key, limit: 2, windowMs: MINUTE, now: new Date("2026-11-24T10:01:00.000Z") });
    await consumeRateLimit(database.db, { key, limit: 2, windowMs: MINUTE, now: new Date("2026-11-24T10:01:01.000Z") });
    const late = await consumeRateLimit(database.db, { key, limit: 2, windowMs: MINUTE, now: new Date("2026-11-24T10:00:59.000Z") });
    expect(late.allowed).toBe(false);
    expect(late.retryAfterMs).toBe(61_000);
  });

  it("never lets more than the limit through when two connections race for one window", async () => {
    const second: Database = await openDatabase(database.url);
    try {
      const now = new Date("2026-11-24T11:00:00.000Z");
      const request = { key: "race:a", limit: 25, windowMs: MINUTE, now };
      const decisions = await Promise.all(
        Array.from({ length: 60 }, (_, i) => consumeRateLimit(i % 2 === 0 ? database.db : second, request)),
      );
      expect(decisions.filter((d) => d.allowed)).toHaveLength(25);
      const row = await database.db.prisma.rateLimitWindow.findUnique({ where: { key: "race:a" } });
      expect(row?.count).toBe(60);
    } finally {
      await second.close();
    }
  });

  it("prunes windows that ended, keeps the current ones", async () => {
    const now = new Date("2026-11-24T12:00:00.000Z");
    await consumeRateLimit(database.db, { key: "prune:old", limit: 5, windowMs: MINUTE, now: new Date(now.getTime() - 3 * MINUTE) });
    await consumeRateLimit(database.db, { key: "prune:current", limit: 5, windowMs: MINUTE, now });
    await pruneRateLimitWindows(database.db, now, MINUTE);
    const keys = (await database.db.prisma.rateLimitWindow.findMany({ where: { key: { startsWith: "prune:" } } })).map((row) => row.key);
    expect(keys).toEqual(["prune:current"]);
  });

  it("is pruned by the hourly maintenance job: windows older than the longest supported window go", async () => {
    const clock = new TestClock("2026-11-24T13:00:00.000Z");
    const now = clock.now();
    await consumeRateLimit(database.db, { key: "job:stale", limit: 5, windowMs: MINUTE, now: new Date(now.getTime() - LONGEST_RATE_LIMIT_WINDOW_MS - MINUTE) });
    await consumeRateLimit(database.db, { key: "job:recent-day", limit: 5, windowMs: 24 * 60 * MINUTE, now: new Date(now.getTime() - 60 * MINUTE) });
    await enqueueJob(database.db, now, JOB_TYPES.pruneJobs, {});
    expect(await new JobRunner(createTestServices(database.db, { clock }), ALL_JOBS).drain()).toBe(1);
    const keys = (await database.db.prisma.rateLimitWindow.findMany({ where: { key: { startsWith: "job:" } } })).map((row) => row.key);
    expect(keys).toEqual(["job:recent-day"]);
  });
});
