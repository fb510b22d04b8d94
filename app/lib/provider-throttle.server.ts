import type { Database } from "~/db/database.server";
import { RateLimitedError, type ExternalService } from "~/domain/errors";
import type { Clock } from "./clock";

export interface ThrottleRule {
  /** Requests per second the provider allows for this endpoint class. */
  perSecond: number;
}

/**
 * Spaces requests to one provider account across every process that shares the database, and
 * remembers 429 pauses across restarts. Each call reserves the next free slot with one atomic
 * upsert; a caller whose slot is too far away gets a RateLimitedError instead, so a job is
 * rescheduled rather than holding a worker while it waits.
 */
export class ProviderThrottle {
  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
    private readonly options: { maxWaitMs: number; sleep?: (ms: number) => Promise<void> } = { maxWaitMs: 5_000 },
  ) {}

  /**
   * Minimum spacing between two requests. A small margin keeps us under the provider's limit
   * when network jitter delivers two evenly spaced requests closer together than we sent them.
   */
  static spacingMs(rule: ThrottleRule): number {
    return Math.ceil((1000 / rule.perSecond) * 1.05) + 5;
  }

  async acquire(service: ExternalService, accountKey: string, endpointClass: string, rule: ThrottleRule): Promise<void> {
    const nowMs = this.clock.now().getTime();
    const pausedUntilMs = await this.pausedUntil(accountKey);
    if (pausedUntilMs > nowMs) {
      throw new RateLimitedError(`${service} account is paused after a rate-limit response`, {
        service,
        retryAfterMs: pausedUntilMs - nowMs,
      });
    }

    const spacing = ProviderThrottle.spacingMs(rule);
    const key = `${accountKey}:${endpointClass}`;
    const latestAcceptable = nowMs + this.options.maxWaitMs;
    // Reserve [slot, slot + spacing): the stored value is the first free instant after our slot.
    const rows = await this.db.prisma.$queryRaw<Array<{ nextSlotAtMs: bigint | number }>>`
      INSERT INTO "ProviderThrottle" ("key", "nextSlotAtMs", "pausedUntilMs")
      VALUES (${key}, ${BigInt(nowMs + spacing)}, ${0n})
      ON CONFLICT ("key") DO UPDATE SET "nextSlotAtMs" =
        CASE WHEN "ProviderThrottle"."nextSlotAtMs" > ${BigInt(nowMs)}
             THEN "ProviderThrottle"."nextSlotAtMs" + ${BigInt(spacing)}
             ELSE ${BigInt(nowMs + spacing)} END
      WHERE "ProviderThrottle"."nextSlotAtMs" <= ${BigInt(latestAcceptable)}
      RETURNING "nextSlotAtMs"`;

    if (rows.length === 0) {
      const current = await this.db.prisma.providerThrottle.findUnique({ where: { key } });
      const waitMs = Math.max(spacing, Number(current?.nextSlotAtMs ?? 0n) - nowMs);
      throw new RateLimitedError(`${service} request budget for ${endpointClass} is used up for now`, {
        service,
        retryAfterMs: waitMs,
      });
    }
    const slotStartMs = Number(rows[0]!.nextSlotAtMs) - spacing;
    const waitMs = slotStartMs - nowMs;
    if (waitMs > 0) await (this.options.sleep ?? defaultSleep)(waitMs);
  }

  /** Stop every call to this account until `untilMs` (the provider answered 429). */
  async pause(accountKey: string, untilMs: number): Promise<void> {
    await this.db.prisma.providerThrottle.upsert({
      where: { key: accountKey },
      create: { key: accountKey, nextSlotAtMs: 0n, pausedUntilMs: BigInt(untilMs) },
      update: { pausedUntilMs: BigInt(untilMs) },
    });
  }

  async pausedUntil(accountKey: string): Promise<number> {
    const row = await this.db.prisma.providerThrottle.findUnique({ where: { key: accountKey } });
    return Number(row?.pausedUntilMs ?? 0n);
  }
}

function defaultSleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
