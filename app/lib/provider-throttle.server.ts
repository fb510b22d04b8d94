import type { Database } from "~/db/database.server";
import { RateLimitedError, type ExternalService } from "~/domain/errors";
import type { Clock } from "./clock";

/** A caller whose slots keep passing before it can use them (a machine too busy) is sent back to the queue. */
const MAX_RESERVATIONS = 5;

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

  /**
   * How late a request may go out after its slot and still keep the provider's per-second window:
   * slots `spacing` apart, each sent up to this much late, put at most `perSecond` requests in any
   * second. Later than that (a wait for the database's write lock between reading the clock and
   * reserving, a timer firing late on a busy event loop) the slot is given up and a new one taken.
   */
  static lateToleranceMs(rule: ThrottleRule): number {
    const spacing = ProviderThrottle.spacingMs(rule);
    if (rule.perSecond < 1) return Math.floor(spacing * 0.05);
    return Math.max(0, spacing * Math.floor(rule.perSecond) - 1000 - 1);
  }

  async acquire(service: ExternalService, accountKey: string, endpointClass: string, rule: ThrottleRule): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      const nowMs = this.clock.now().getTime();
      const pausedUntilMs = await this.pausedUntil(accountKey);
      if (pausedUntilMs > nowMs) {
        throw new RateLimitedError(`${service} account is paused after a rate-limit response`, {
          service,
          retryAfterMs: pausedUntilMs - nowMs,
        });
      }
      const slotStartMs = await this.#reserve(service, accountKey, endpointClass, rule, nowMs);
      const waitMs = slotStartMs - this.clock.now().getTime();
      if (waitMs > 0) await (this.options.sleep ?? defaultSleep)(waitMs);
      const lateMs = this.clock.now().getTime() - slotStartMs;
      if (lateMs <= ProviderThrottle.lateToleranceMs(rule)) return;
      if (attempt >= MAX_RESERVATIONS) {
        throw new RateLimitedError(`${service} request slots for ${endpointClass} kept passing before they could be used`, {
          service,
          retryAfterMs: ProviderThrottle.spacingMs(rule),
        });
      }
    }
  }

  /** Reserves the next free slot of the account's endpoint class; returns when it starts (epoch ms). */
  async #reserve(service: ExternalService, accountKey: string, endpointClass: string, rule: ThrottleRule, nowMs: number): Promise<number> {
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
    return Number(rows[0]!.nextSlotAtMs) - spacing;
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
