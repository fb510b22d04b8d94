import type { Database } from "~/db/database.server";
import { Prisma } from "~/generated/prisma-sqlite/client";

/**
 * Fixed-window request limits shared by every process on one database (storefront lookups per
 * client, e-mails per shop). One atomic upsert counts the request and reads the result, so two
 * processes can never both take the last unit of a window. A key must always be used with the
 * same `windowMs`: the window is part of what the stored row means.
 */

export interface RateLimitRequest {
  key: string;
  /** Units allowed per window. */
  limit: number;
  windowMs: number;
  now: Date;
  /** Units this request uses (default 1): e.g. a failed lookup costs more than a successful one. */
  cost?: number;
}

export interface RateLimitDecision {
  allowed: boolean;
  /** Until the window ends when refused; 0 when allowed. */
  retryAfterMs: number;
  /** Units left in this window after this request (0 when refused). */
  remaining: number;
}

export async function consumeRateLimit(db: Database, request: RateLimitRequest): Promise<RateLimitDecision> {
  const { key, limit, ...window } = request;
  return consumeRateLimits(db, { ...window, limits: [{ key, limit }] });
}

/**
 * Several limits on one request (per client and per shop), counted in one statement: the request
 * is allowed only when every limit allows it, and is counted against all of them either way.
 */
export async function consumeRateLimits(
  db: Database,
  request: Omit<RateLimitRequest, "key" | "limit"> & { limits: ReadonlyArray<{ key: string; limit: number }> },
): Promise<RateLimitDecision> {
  const { limits, windowMs } = request;
  const cost = request.cost ?? 1;
  const keys = new Set(limits.map((entry) => entry.key));
  if (!(windowMs > 0) || !(cost >= 0) || limits.some((entry) => !(entry.limit >= 0)) || keys.size !== limits.length || keys.size === 0) {
    throw new Error("rate limit: windowMs > 0, cost >= 0, limits >= 0, distinct keys");
  }
  const nowMs = request.now.getTime();
  const windowStartMs = BigInt(Math.floor(nowMs / windowMs) * windowMs);
  const values = Prisma.join(limits.map((entry) => Prisma.sql`(${entry.key}, ${windowStartMs}, ${cost})`));
  // A row from a later window (another process's clock ran ahead) is counted into, never reset.
  const rows = await db.prisma.$queryRaw<Array<{ key: string; windowStartMs: bigint | number; count: bigint | number }>>`
    INSERT INTO "RateLimitWindow" ("key", "windowStartMs", "count")
    VALUES ${values}
    ON CONFLICT ("key") DO UPDATE SET
      "count" = CASE WHEN "RateLimitWindow"."windowStartMs" >= ${windowStartMs}
                     THEN "RateLimitWindow"."count" + ${cost} ELSE ${cost} END,
      "windowStartMs" = CASE WHEN "RateLimitWindow"."windowStartMs" >= ${windowStartMs}
                     THEN "RateLimitWindow"."windowStartMs" ELSE ${windowStartMs} END
    RETURNING "key", "windowStartMs", "count"`;
  let decision: RateLimitDecision = { allowed: true, retryAfterMs: 0, remaining: Number.POSITIVE_INFINITY };
  for (const row of rows) {
    const limit = limits.find((entry) => entry.key === row.key)!.limit;
    const count = Number(row.count);
    if (count <= limit) {
      decision = { ...decision, remaining: Math.min(decision.remaining, limit - count) };
      continue;
    }
    const retryAfterMs = Math.max(1, Number(row.windowStartMs) + windowMs - nowMs);
    decision = { allowed: false, retryAfterMs: Math.max(decision.retryAfterMs, retryAfterMs), remaining: 0 };
  }
  return decision;
}

/**
 * The hourly prune (maintenance.prune-jobs) forgets windows older than this: a limiter with a
 * longer window would see its count reset early.
 */
export const LONGEST_RATE_LIMIT_WINDOW_MS = 2 * 24 * 60 * 60_000;

/** Forget windows that ended before `before` (nothing reads them again). Returns how many went. */
export async function pruneRateLimitWindows(db: Database, before: Date, longestWindowMs: number): Promise<number> {
  const result = await db.prisma.rateLimitWindow.deleteMany({
    where: { windowStartMs: { lt: BigInt(before.getTime() - longestWindowMs) } },
  });
  return result.count;
}
