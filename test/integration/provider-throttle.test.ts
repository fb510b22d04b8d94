import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RateLimitedError } from "~/domain/errors";
import { ProviderThrottle } from "~/lib/provider-throttle.server";
import { TestClock } from "../support/clock";
import { createTestDatabase, testDialect, type TestDatabase } from "../support/database";

/**
 * The throttle's promise, checked where it can break: the instants requests are released at. Each
 * caller here has its own clock view and its own sleep, as separate worker processes do; the
 * database row is the only thing they share.
 */

const RULE = { perSecond: 10 };
const SPACING = ProviderThrottle.spacingMs(RULE);

let database: TestDatabase;
let keyCounter = 0;

beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database.dispose();
});

/** A caller whose sleeps overrun by `oversleepMs` (a busy event loop); records when it sends. */
function caller(clock: TestClock, oversleepMs = 0) {
  const sends: number[] = [];
  const throttle = new ProviderThrottle(database.db, clock, {
    maxWaitMs: 5_000,
    sleep: async (ms) => clock.advance(ms + oversleepMs),
  });
  return {
    sends,
    async send(key: string) {
      await throttle.acquire("trackingmore", key, "create", RULE);
      sends.push(clock.now().getTime());
    },
  };
}

/** The most requests in any one-second window (the provider's sliding window). */
function busiestSecond(instants: number[]): number {
  const sorted = [...instants].sort((a, b) => a - b);
  let most = 0;
  for (let i = 0; i < sorted.length; i++) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1]! - sorted[i]! < 1000) j++;
    most = Math.max(most, j - i + 1);
  }
  return most;
}

describe(`provider throttle on ${testDialect()}`, () => {
  it("spaces one caller's requests by the rule, so no second holds more than the limit", async () => {
    const key = `throttle-${++keyCounter}`;
    const clock = new TestClock();
    const one = caller(clock);
    for (let i = 0; i < 25; i++) await one.send(key);
    const gaps = one.sends.slice(1).map((at, i) => at - one.sends[i]!);
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(SPACING);
    expect(busiestSecond(one.sends)).toBeLessThanOrEqual(RULE.perSecond);
  });

  it("a caller that wakes too late for its slot takes a new one instead of crowding the next caller's", async () => {
    const key = `throttle-${++keyCounter}`;
    const clock = new TestClock();
    // Wakes 3 spacings late from every sleep: sent then, its requests would land in later callers' slots.
    const late = caller(clock, 3 * SPACING);
    const punctual = caller(clock);
    for (let i = 0; i < 10; i++) {
      await late.send(key).catch((error: unknown) => {
        // Given up after passing slot after slot: it goes back to the queue, which is allowed.
        if (!(error instanceof RateLimitedError)) throw error;
      });
      await punctual.send(key);
      await punctual.send(key);
    }
    const all = [...late.sends, ...punctual.sends];
    expect(busiestSecond(all)).toBeLessThanOrEqual(RULE.perSecond);
    const sorted = all.sort((a, b) => a - b);
    const gaps = sorted.slice(1).map((at, i) => at - sorted[i]!);
    // Each request goes out within the tolerance after its own slot, and slots are a spacing apart.
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(SPACING - ProviderThrottle.lateToleranceMs(RULE));
  });

  it("a reservation computed from a clock reading taken before a long wait is not used", async () => {
    const key = `throttle-${++keyCounter}`;
    const clock = new TestClock();
    const readAt = clock.now();
    // The caller read the clock, then waited (say for SQLite's write lock) while time passed: the
    // slot its reservation gets is already in the past when it lands.
    clock.advance(10 * SPACING);
    const readings = [readAt];
    const stale = new ProviderThrottle(database.db, { now: () => readings.shift() ?? clock.now() }, { maxWaitMs: 5_000, sleep: async (ms) => clock.advance(ms) });
    await stale.acquire("trackingmore", key, "create", RULE);
    const staleSentAt = clock.now().getTime();
    // Another process asks right after: used as it came, the stale slot would put both requests at once.
    const next = caller(clock);
    await next.send(key);
    expect(next.sends[0]! - staleSentAt).toBeGreaterThanOrEqual(SPACING);
  });

  it("lateness tolerance keeps the worst case inside the provider's window for each documented limit", () => {
    for (const perSecond of [1, 3, 10]) {
      const rule = { perSecond };
      const spacing = ProviderThrottle.spacingMs(rule);
      const tolerance = ProviderThrottle.lateToleranceMs(rule);
      // Slots spacing apart, each sent up to `tolerance` late: the most that fit in one second.
      expect(Math.floor((1000 + tolerance) / spacing) + 1).toBeLessThanOrEqual(perSecond);
      expect(tolerance).toBeGreaterThan(0);
    }
  });
});
