import { describe, expect, it } from "vitest";
import {
  AuthenticationError,
  BadResponseError,
  BatchTooLargeError,
  InvalidRequestError,
  NotFoundError,
  QuotaExhaustedError,
  RateLimitedError,
  ServiceUnavailableError,
  type ExternalServiceError,
} from "~/domain/errors";
import { BACKOFF_BASE_MS, BACKOFF_CAP_MS, InvalidJobPayloadError, backoffDelayMs, decideFailure } from "~/jobs/retry-policy";

const MAX_ATTEMPTS = 8;
const fixed = (value: number) => () => value;
/** The un-jittered delay for an attempt, computed independently of the module. */
const exponential = (attempt: number) => Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** (attempt - 1));

const opts = { service: "trackingmore" as const };

const NON_RETRYABLE: Array<[string, ExternalServiceError]> = [
  ["AuthenticationError", new AuthenticationError("trackingmore refused the API key", { ...opts, status: 401, code: "401" })],
  ["QuotaExhaustedError", new QuotaExhaustedError("trackingmore quota exhausted", { ...opts, status: 400, code: "4190" })],
  ["NotFoundError", new NotFoundError("trackingmore does not know this tracking", { ...opts, status: 400, code: "4102" })],
  ["InvalidRequestError", new InvalidRequestError("trackingmore rejected the request", { ...opts, status: 400, code: "4110" })],
  ["BatchTooLargeError", new BatchTooLargeError("trackingmore batch too large", { ...opts, status: 400, code: "4103" })],
  ["BadResponseError", new BadResponseError("trackingmore answered with unexpected code 300", opts)],
];

const RETRYABLE: Array<[string, unknown]> = [
  ["ServiceUnavailableError", new ServiceUnavailableError("trackingmore server error", { ...opts, status: 500, code: "511" })],
  ["a plain Error (a bug we have not met)", new Error("database is locked")],
  ["a TypeError", new TypeError("fetch failed")],
  ["a thrown string", "connection reset"],
  ["undefined", undefined],
];

describe("backoffDelayMs", () => {
  it("doubles per attempt from the base, with equal jitter in [exp/2, exp]", () => {
    for (let attempt = 1; attempt <= 10; attempt++) {
      const exp = exponential(attempt);
      expect(backoffDelayMs(attempt, fixed(0)), `attempt ${attempt}, random 0`).toBe(exp / 2);
      expect(backoffDelayMs(attempt, fixed(1)), `attempt ${attempt}, random 1`).toBe(exp);
      const middle = backoffDelayMs(attempt, fixed(0.5));
      expect(middle).toBeGreaterThan(exp / 2);
      expect(middle).toBeLessThan(exp);
    }
  });

  it("grows strictly with the attempt until the cap", () => {
    let previous = 0;
    for (let attempt = 1; exponential(attempt) < BACKOFF_CAP_MS; attempt++) {
      const delay = backoffDelayMs(attempt, fixed(0.3));
      expect(delay).toBeGreaterThan(previous);
      previous = delay;
    }
  });

  it("is capped at BACKOFF_CAP_MS for any attempt count", () => {
    for (const attempt of [11, 12, 20, 50, 1_000, 5_000]) {
      expect(backoffDelayMs(attempt, fixed(1))).toBe(BACKOFF_CAP_MS);
      expect(backoffDelayMs(attempt, fixed(0))).toBe(BACKOFF_CAP_MS / 2);
    }
  });

  it("treats attempt 0 or below like the first attempt", () => {
    for (const attempt of [0, -3]) {
      expect(backoffDelayMs(attempt, fixed(1))).toBe(BACKOFF_BASE_MS);
    }
  });

  it("stays within the bounds for random values across [0, 1)", () => {
    for (let i = 0; i <= 100; i++) {
      const r = i / 101;
      const delay = backoffDelayMs(4, fixed(r));
      expect(delay).toBeGreaterThanOrEqual(exponential(4) / 2);
      expect(delay).toBeLessThanOrEqual(exponential(4));
      expect(Number.isInteger(delay)).toBe(true);
    }
  });
});

describe("decideFailure", () => {
  it("re-queues a rate-limited job for the provider's pause without consuming an attempt, even at the last attempt", () => {
    for (const attempt of [1, MAX_ATTEMPTS, MAX_ATTEMPTS + 5]) {
      const error = new RateLimitedError("trackingmore rate limit reached", { ...opts, status: 429, retryAfterMs: 120_000 });
      expect(decideFailure(error, attempt, MAX_ATTEMPTS, fixed(0.5))).toEqual({ kind: "retry", delayMs: 120_000, consumesAttempt: false });
    }
    const short = new RateLimitedError("slow down", { ...opts, retryAfterMs: 1_234 });
    expect(decideFailure(short, 1, MAX_ATTEMPTS)).toEqual({ kind: "retry", delayMs: 1_234, consumesAttempt: false });
  });

  it.each(NON_RETRYABLE)("%s goes straight to dead at any attempt, with the error in the reason", (name, error) => {
    for (const attempt of [1, 2, MAX_ATTEMPTS]) {
      const decision = decideFailure(error, attempt, MAX_ATTEMPTS, fixed(0));
      expect(decision.kind).toBe("dead");
      if (decision.kind !== "dead") continue;
      expect(decision.reason).toContain(name);
      expect(decision.reason).toContain(error.message);
    }
  });

  it("an invalid job payload is dead at the first attempt", () => {
    const decision = decideFailure(new InvalidJobPayloadError("shopDomain: Required"), 1, MAX_ATTEMPTS, fixed(0));
    expect(decision).toEqual({ kind: "dead", reason: "shopDomain: Required" });
  });

  it.each(RETRYABLE)("%s is retried with growing delays that consume attempts", (_label, error) => {
    const delays: number[] = [];
    for (let attempt = 1; attempt < MAX_ATTEMPTS; attempt++) {
      const decision = decideFailure(error, attempt, MAX_ATTEMPTS, fixed(1));
      expect(decision).toEqual({ kind: "retry", delayMs: exponential(attempt), consumesAttempt: true });
      if (decision.kind === "retry") delays.push(decision.delayMs);
    }
    expect(delays).toEqual([...delays].sort((a, b) => a - b));
    expect(new Set(delays).size).toBe(delays.length);
  });

  it("applies the jitter bounds of the backoff", () => {
    const error = new ServiceUnavailableError("timeout", opts);
    expect(decideFailure(error, 3, MAX_ATTEMPTS, fixed(0))).toEqual({ kind: "retry", delayMs: exponential(3) / 2, consumesAttempt: true });
    expect(decideFailure(error, 3, MAX_ATTEMPTS, fixed(1))).toEqual({ kind: "retry", delayMs: exponential(3), consumesAttempt: true });
  });

  it("caps retry delays at BACKOFF_CAP_MS", () => {
    const decision = decideFailure(new Error("boom"), 40, 100, fixed(1));
    expect(decision).toEqual({ kind: "retry", delayMs: BACKOFF_CAP_MS, consumesAttempt: true });
  });

  it.each(RETRYABLE)("%s is dead once attempts are used up, naming the attempts and the error", (_label, error) => {
    for (const attempt of [MAX_ATTEMPTS, MAX_ATTEMPTS + 1]) {
      const decision = decideFailure(error, attempt, MAX_ATTEMPTS, fixed(0));
      expect(decision.kind).toBe("dead");
      if (decision.kind !== "dead") continue;
      expect(decision.reason).toContain(String(attempt));
      const text = error instanceof Error ? error.message : String(error);
      expect(decision.reason).toContain(text);
    }
  });

  it("with a single allowed attempt, the first failure is final", () => {
    expect(decideFailure(new Error("boom"), 1, 1, fixed(0)).kind).toBe("dead");
  });

  it("a provider's requested pause wins when it is longer than the backoff", () => {
    const longPause = new ServiceUnavailableError("maintenance", { ...opts, status: 503, retryAfterMs: 30 * 60_000 });
    expect(decideFailure(longPause, 1, MAX_ATTEMPTS, fixed(1))).toEqual({ kind: "retry", delayMs: 30 * 60_000, consumesAttempt: true });
    const shortPause = new ServiceUnavailableError("blip", { ...opts, status: 503, retryAfterMs: 10 });
    expect(decideFailure(shortPause, 4, MAX_ATTEMPTS, fixed(1))).toEqual({ kind: "retry", delayMs: exponential(4), consumesAttempt: true });
  });
});
