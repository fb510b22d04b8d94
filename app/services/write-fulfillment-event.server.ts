import { ShopifyAdminClient } from "~/adapters/shopify-admin/client.server";
import {
  fulfillmentGid,
  milestoneKeepsCurrentStatus,
  MILESTONES_KEEPING_STATUS,
  shopifyDateTime,
  shopifyEventStatusFor,
  ShopifyFulfillmentEvents,
  type FulfillmentEventStatus,
  type ShopifyFulfillmentEvent,
} from "~/adapters/shopify-admin/fulfillment-events.server";
import { decideFailure } from "~/jobs/retry-policy";
import type { ServiceContext } from "./context.server";

/**
 * Writes one recorded milestone (a FulfillmentEventWrite row) to Shopify as a fulfillment event,
 * so the order in Shopify admin and Shopify's order status page show the carrier's progress.
 *
 * Exactly once: the row's state says whether it was written; a run first claims the row (a
 * concurrent duplicate job backs off), and before creating anything it looks at the events
 * Shopify already has, adopting one with the same status and time. That covers a crash between
 * Shopify accepting the event and our commit: the retry finds the event instead of adding a twin.
 */

export type WriteFulfillmentEventResult =
  | "WRITTEN"
  | "ADOPTED"
  | "ALREADY_SETTLED"
  | "IN_PROGRESS_ELSEWHERE"
  | "SKIPPED"
  | "FAILED"
  | "MISSING";

export interface WriteFulfillmentEventOutcome {
  result: WriteFulfillmentEventResult;
  /** Why a write was skipped or failed, as recorded on the row. */
  reason?: string;
}

/** Reasons recorded on skipped rows; the shipment page shows them. */
export const WRITE_BACK_SKIP_REASONS = {
  disabled: "write-back switched off for this shop",
  uninstalled: "app uninstalled from the shop",
  noShopifyStatus: "no Shopify status for this milestone",
  superseded: "a later milestone was already written to Shopify",
  deliveredInShopify: "Shopify already shows this fulfillment as delivered",
  otherParcelsUndelivered: "other parcels of this fulfillment are still on their way",
} as const;

const MESSAGE_MAX_LENGTH = 255;

/** The job's attempt, so a failure the queue will not retry is recorded on the row instead of leaving it queued. */
export interface WriteAttempt {
  attempts: number;
  maxAttempts: number;
}

export async function writeFulfillmentEvent(ctx: ServiceContext, writeId: string, attempt: WriteAttempt): Promise<WriteFulfillmentEventOutcome> {
  const prisma = ctx.db.prisma;
  const write = await prisma.fulfillmentEventWrite.findUnique({
    where: { id: writeId },
    include: { shop: true, fulfillment: true, shipment: true },
  });
  if (!write) return { result: "MISSING" };
  if (write.state !== "queued") return { result: "ALREADY_SETTLED" };

  // One run at a time per row: the attempt counter doubles as the claim, so a duplicate job that
  // read the same row loses the race instead of creating a second event.
  const claimed = await prisma.fulfillmentEventWrite.updateMany({
    where: { id: write.id, state: "queued", attempts: write.attempts },
    data: { attempts: { increment: 1 } },
  });
  if (claimed.count === 0) return { result: "IN_PROGRESS_ELSEWHERE" };

  const skip = async (reason: string): Promise<WriteFulfillmentEventOutcome> => {
    await settle(ctx, write.id, { state: "skipped", reason });
    return { result: "SKIPPED", reason };
  };

  if (write.shop.uninstalledAt) return skip(WRITE_BACK_SKIP_REASONS.uninstalled);
  const settings = await prisma.shopNotificationSettings.findUnique({ where: { shopId: write.shopId }, select: { shopifyWriteBack: true } });
  // No settings row yet means the defaults, and write-back is on by default.
  if (settings && !settings.shopifyWriteBack) return skip(WRITE_BACK_SKIP_REASONS.disabled);
  const mappedStatus = shopifyEventStatusFor(write.milestone);
  if (!mappedStatus) return skip(WRITE_BACK_SKIP_REASONS.noShopifyStatus);
  if (await laterMilestoneWritten(ctx, write)) return skip(WRITE_BACK_SKIP_REASONS.superseded);
  // Shopify shows one status per fulfillment: "Delivered" waits for the last of its parcels, whose own row writes it.
  if (write.milestone === "delivered" && (await otherParcelsOnTheWay(ctx, write.fulfillmentId, write.shipmentId)) > 0) {
    return skip(WRITE_BACK_SKIP_REASONS.otherParcelsUndelivered);
  }

  const fulfillmentId = fulfillmentGid(write.fulfillment.shopifyFulfillmentId);
  try {
    const events = new ShopifyFulfillmentEvents(new ShopifyAdminClient(await ctx.shopifyAdmin(write.shop.domain)));
    const existing = await events.recentEvents(fulfillmentId);
    if (!existing) {
      const reason = `Shopify does not know fulfillment ${fulfillmentId}`;
      await settle(ctx, write.id, { state: "failed", reason, lastError: reason });
      return { result: "FAILED", reason };
    }
    const delivered = existing.some((event) => event.status === "DELIVERED");
    if (delivered && mappedStatus !== "DELIVERED") return skip(WRITE_BACK_SKIP_REASONS.deliveredInShopify);

    const status = milestoneKeepsCurrentStatus(write.milestone) ? (latestStatus(existing) ?? mappedStatus) : mappedStatus;
    const adopted = existing.find((event) => event.status === status && sameSecond(event.happenedAt, write.happenedAt));
    if (adopted) {
      await settle(ctx, write.id, { state: "written", shopifyEventId: adopted.id, reason: "adopted an event Shopify already had" });
      return { result: "ADOPTED" };
    }

    const location = await locationAt(ctx, write.shipmentId, write.happenedAt);
    const created = await events.create({
      fulfillmentId,
      status,
      happenedAt: write.happenedAt,
      // An estimate means nothing once the parcel has arrived.
      estimatedDeliveryAt: status === "DELIVERED" ? null : write.shipment.estimatedDeliveryAt,
      ...location,
    });
    await settle(ctx, write.id, { state: "written", shopifyEventId: created.id, reason: null });
    return { result: "WRITTEN" };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    // The queue's own policy says whether this job will run again: userErrors, a missing scope or the
    // last attempt end here, and the row says why; throttling, 5xx and network errors leave it queued.
    if (decideFailure(error, attempt.attempts, attempt.maxAttempts).kind === "dead") {
      await settle(ctx, write.id, { state: "failed", reason: message, lastError: message });
      return { result: "FAILED", reason: message };
    }
    await prisma.fulfillmentEventWrite.update({ where: { id: write.id }, data: { lastError: message } });
    throw error;
  }
}

interface Settlement {
  state: "written" | "failed" | "skipped";
  reason?: string | null;
  shopifyEventId?: string;
  lastError?: string;
}

async function settle(ctx: ServiceContext, writeId: string, settlement: Settlement): Promise<void> {
  await ctx.db.prisma.fulfillmentEventWrite.update({
    where: { id: writeId },
    data: {
      state: settlement.state,
      reason: settlement.reason ?? null,
      ...(settlement.shopifyEventId ? { shopifyEventId: settlement.shopifyEventId, writtenAt: ctx.clock.now() } : {}),
      ...(settlement.lastError ? { lastError: settlement.lastError } : {}),
    },
  });
}

/**
 * Shopify shows the latest event, so writing an older milestone after a newer one would move the
 * order backwards (carrier events arrive out of order). Delivered is final whatever the times say.
 */
async function laterMilestoneWritten(ctx: ServiceContext, write: { id: string; fulfillmentId: string; happenedAt: Date; milestone: string }): Promise<boolean> {
  const later = await ctx.db.prisma.fulfillmentEventWrite.findFirst({
    where: {
      fulfillmentId: write.fulfillmentId,
      state: "written",
      id: { not: write.id },
      // A new estimate keeps whatever status Shopify shows and is stamped when we saw it, not when
      // the carrier scanned: it must not make a carrier milestone from before it look stale.
      milestone: { notIn: [...MILESTONES_KEEPING_STATUS] },
      OR: [{ happenedAt: { gt: write.happenedAt } }, { milestone: "delivered" }],
    },
    select: { id: true },
  });
  return later !== null;
}

async function otherParcelsOnTheWay(ctx: ServiceContext, fulfillmentId: string, deliveredShipmentId: string): Promise<number> {
  return ctx.db.prisma.shipmentFulfillment.count({
    where: { fulfillmentId, shipmentId: { not: deliveredShipmentId }, shipment: { status: { not: "delivered" }, registrationState: { not: "stopped" } } },
  });
}

function latestStatus(events: ShopifyFulfillmentEvent[]): FulfillmentEventStatus | null {
  let latest: ShopifyFulfillmentEvent | null = null;
  for (const event of events) if (!latest || event.happenedAt >= latest.happenedAt) latest = event;
  return (latest?.status as FulfillmentEventStatus | undefined) ?? null;
}

/** Shopify keeps DateTime to the second. */
function sameSecond(a: Date, b: Date): boolean {
  return shopifyDateTime(a) === shopifyDateTime(b);
}

const countryNames = new Intl.DisplayNames(["en"], { type: "region" });

/** Where the parcel was at the milestone: the carrier's latest scan up to then (or the latest at all). */
async function locationAt(ctx: ServiceContext, shipmentId: string, at: Date) {
  const select = { description: true, city: true, state: true, countryCode: true, postalCode: true } as const;
  const event =
    (await ctx.db.prisma.trackingEvent.findFirst({ where: { shipmentId, occurredAt: { lte: at } }, orderBy: { occurredAt: "desc" }, select })) ??
    (await ctx.db.prisma.trackingEvent.findFirst({ where: { shipmentId }, orderBy: { occurredAt: "desc" }, select }));
  if (!event) return {};
  return {
    message: event.description ? event.description.slice(0, MESSAGE_MAX_LENGTH) : null,
    city: event.city,
    province: event.state,
    country: event.countryCode ? countryName(event.countryCode) : null,
    zip: event.postalCode,
  };
}

function countryName(code: string): string {
  try {
    return countryNames.of(code.toUpperCase()) ?? code;
  } catch {
    return code;
  }
}
