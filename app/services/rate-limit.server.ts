import type { Database } from "~/db/database.server";

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
  const { key, limit, windowMs } = request;
  const cost = request.cost ?? 1;
  if (!(windowMs > 0) || !(limit >= 0) || !(cost >= 0)) throw new Error("rate limit: windowMs > 0, limit >= 0, cost >= 0");
  const nowMs = request.now.getTime();
  const windowStartMs = BigInt(Math.floor(nowMs / windowMs) * windowMs);
  // A row from a later window (another process's clock ran ahead) is counted into, never reset.
  const rows = await db.prisma.$queryRaw<Array<{ windowStartMs: bigint | number; count: bigint | number }>>`
    INSERT INTO "RateLimitWindow" ("key", "windowStartMs", "count")
    VALUES (${key}, ${windowStartMs}, ${cost})
    ON CONFLICT ("key") DO UPDATE SET
      "count" = CASE WHEN "RateLimitWindow"."windowStartMs" >= ${windowStartMs}
                     THEN "RateLimitWindow"."count" + ${cost} ELSE ${cost} END,
      "windowStartMs" = CASE WHEN "RateLimitWindow"."windowStartMs" >= ${windowStartMs}
                     THEN "RateLimitWindow"."windowStartMs" ELSE ${windowStartMs} END
    RETURNING "windowStartMs", "count"`;
  const row = rows[0]!;
  const count = Number(row.count);
  if (count <= limit) return { allowed: true, retryAfterMs: 0, remaining: limit - count };
  const windowEndMs = Number(row.windowStartMs) + windowMs;
  return { allowed: false, retryAfterMs: Math.max(1, windowEndMs - nowMs), remaining: 0 };
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
