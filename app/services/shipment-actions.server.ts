import { z } from "zod";
import type { TransactionClient } from "~/db/database.server";
import { resolveCarrier } from "~/domain/carriers/detect";
import { carrierByCode, trackingUrlFor } from "~/domain/carriers/registry";
import { FINAL_STATUSES } from "~/domain/shipment-status";
import { JOB_TYPES } from "~/jobs/job-types";
import { enqueueJob } from "~/jobs/queue.server";
import type { ServiceContext } from "./context.server";
import { loadShopRouting, providerFor, type ShopRouting } from "./provider-routing.server";
import { enqueueStopForShipment } from "./stop-provider-tracking.server";

/**
 * What the merchant can do to shipments from the admin: refresh now, stop tracking, resume, and
 * re-detect or change the carrier. Every action takes the shop id from the session and only ever
 * touches that shop's shipments: ids of another shop's shipments are skipped like unknown ids.
 * The work itself is the pipeline's (poll job, stop-at-provider job, registration job).
 */

export const SHIPMENT_BULK_ACTIONS = ["refresh", "stop", "resume", "redetect"] as const;
export type ShipmentBulkAction = (typeof SHIPMENT_BULK_ACTIONS)[number];
/** Most ids one request may act on (a selected page and then some). */
export const MAX_IDS_PER_ACTION = 250;

export const shipmentIdsSchema = z.array(z.string().min(1).max(64)).min(1).max(MAX_IDS_PER_ACTION);

export interface ActionOutcome {
  /** Shipments the action changed or queued work for. */
  affected: number;
  /** Ids that were unknown, another shop's, or not in a state the action applies to. */
  skipped: number;
}

export async function runBulkAction(ctx: ServiceContext, shopId: string, action: ShipmentBulkAction, ids: readonly string[]): Promise<ActionOutcome> {
  switch (action) {
    case "refresh":
      return refreshShipments(ctx, shopId, ids);
    case "stop":
      return stopTracking(ctx, shopId, ids);
    case "resume":
      return resumeTracking(ctx, shopId, ids);
    case "redetect":
      return redetectCarriers(ctx, shopId, ids);
  }
}

/**
 * Ask the provider again now: the shipments become due for polling (as if their interval had
 * passed) and the shop's poll job is queued, which fetches them first. Providers polled by
 * "updated since" (TrackingMore v2, Tracktry) are not asked about single numbers: for them the
 * next pass (everything changed since the last one) starts now instead of after the interval.
 * Only registered, open shipments are polled; others have nothing to ask the provider about yet.
 */
export async function refreshShipments(ctx: ServiceContext, shopId: string, ids: readonly string[]): Promise<ActionOutcome> {
  const unique = [...new Set(shipmentIdsSchema.parse(ids))];
  const now = ctx.clock.now();
  const updated = await ctx.db.prisma.$transaction(async (tx) => {
    const where = { shopId, id: { in: unique }, registrationState: "registered", status: { notIn: [...FINAL_STATUSES] } };
    const providers = (await tx.shipment.findMany({ where, select: { provider: true }, distinct: ["provider"] })).map((row) => row.provider);
    const result = await tx.shipment.updateMany({ where, data: { lastCheckedAt: new Date(0) } });
    if (result.count > 0) {
      await tx.providerAccount.updateMany({
        where: {
          shopId,
          provider: { in: providers },
          pollPassStartedAt: null,
          OR: [{ provider: "tracktry" }, { provider: "trackingmore", apiVersion: "v2" }],
        },
        data: { pollPassStartedAt: now },
      });
      await enqueueJob(tx, now, JOB_TYPES.pollShipments, { shopId }, { shopId, singletonKey: `poll:${shopId}` });
    }
    return result.count;
  });
  return { affected: updated, skipped: unique.length - updated };
}

/** Stop tracking: the shipment keeps its history, the provider is told to forget the number. */
export async function stopTracking(ctx: ServiceContext, shopId: string, ids: readonly string[]): Promise<ActionOutcome> {
  const unique = [...new Set(shipmentIdsSchema.parse(ids))];
  const now = ctx.clock.now();
  const affected = await ctx.db.prisma.$transaction(async (tx) => {
    const shipments = await tx.shipment.findMany({ where: { shopId, id: { in: unique }, registrationState: { not: "stopped" } } });
    let count = 0;
    for (const shipment of shipments) {
      const changed = await tx.shipment.updateMany({
        where: { id: shipment.id, shopId, version: shipment.version },
        data: {
          registrationState: "stopped",
          stoppedAt: now,
          stopReason: "stopped_by_merchant",
          registrationClaim: null,
          registrationLeaseUntil: null,
          version: { increment: 1 },
        },
      });
      if (changed.count === 0) continue;
      count++;
      await enqueueStopForShipment(tx, now, shipment);
    }
    return count;
  });
  return { affected, skipped: unique.length - affected };
}

/** Track stopped shipments again, at the provider the shop's routing names now (registered afresh unless still known there). */
export async function resumeTracking(ctx: ServiceContext, shopId: string, ids: readonly string[]): Promise<ActionOutcome> {
  const unique = [...new Set(shipmentIdsSchema.parse(ids))];
  const now = ctx.clock.now();
  const affected = await ctx.db.prisma.$transaction(async (tx) => {
    const shipments = await tx.shipment.findMany({ where: { shopId, id: { in: unique }, registrationState: "stopped" } });
    if (shipments.length === 0) return 0;
    const routing = await loadShopRouting(tx, shopId);
    let count = 0;
    let needsRegistration = false;
    for (const shipment of shipments) {
      const provider = providerFor(routing, shipment);
      const resumesRegistration = provider === shipment.provider && shipment.providerTrackingId !== null;
      const changed = await tx.shipment.updateMany({
        where: { id: shipment.id, shopId, version: shipment.version, registrationState: "stopped" },
        data: {
          registrationState: resumesRegistration ? "registered" : "pending",
          stoppedAt: null,
          stopReason: null,
          registrationError: null,
          registrationAttempts: 0,
          ...(resumesRegistration ? {} : { provider, providerTrackingId: null, registeredAt: null, subscriptionExpiresAt: null }),
          version: { increment: 1 },
        },
      });
      if (changed.count === 0) continue;
      count++;
      needsRegistration ||= !resumesRegistration;
    }
    if (needsRegistration) await enqueueRegistration(tx, now, shopId);
    return count;
  });
  return { affected, skipped: unique.length - affected };
}

/** Detect each carrier again from the number and Shopify's company; shipments whose carrier changes are registered again. */
export async function redetectCarriers(ctx: ServiceContext, shopId: string, ids: readonly string[]): Promise<ActionOutcome> {
  const unique = [...new Set(shipmentIdsSchema.parse(ids))];
  const now = ctx.clock.now();
  const affected = await ctx.db.prisma.$transaction(async (tx) => {
    const shipments = await tx.shipment.findMany({ where: { shopId, id: { in: unique } } });
    if (shipments.length === 0) return 0;
    const routing = await loadShopRouting(tx, shopId);
    let count = 0;
    let needsRegistration = false;
    for (const shipment of shipments) {
      const resolution = resolveCarrier({ trackingNumber: shipment.trackingNumber, shopifyCompany: shipment.trackingCompany });
      const carrierCode = resolution.kind === "resolved" ? resolution.carrierCode : null;
      const carrierSource = resolution.kind === "resolved" ? resolution.source : null;
      const outcome = await setCarrier(tx, now, routing, shipment, carrierCode, carrierSource);
      if (outcome === "conflict" || outcome === "unchanged") continue;
      count++;
      needsRegistration ||= outcome === "reregister";
    }
    if (needsRegistration) await enqueueRegistration(tx, now, shopId);
    return count;
  });
  return { affected, skipped: unique.length - affected };
}

export const changeCarrierSchema = z.object({
  carrierCode: z
    .string()
    .trim()
    .min(1)
    .max(64)
    .refine((code) => carrierByCode(code) !== undefined, { message: "Choose a carrier from the list" }),
});

export type ChangeCarrierResult = { result: "CHANGED" | "UNCHANGED" } | { result: "NOT_FOUND" };

/** The merchant names the carrier; it is kept (source "merchant") and the number is registered again with it. */
export async function changeCarrier(ctx: ServiceContext, shopId: string, shipmentId: string, input: unknown): Promise<ChangeCarrierResult> {
  const { carrierCode } = changeCarrierSchema.parse(input);
  const now = ctx.clock.now();
  return ctx.db.prisma.$transaction(async (tx) => {
    const shipment = await tx.shipment.findFirst({ where: { id: shipmentId, shopId } });
    if (!shipment) return { result: "NOT_FOUND" as const };
    const routing = await loadShopRouting(tx, shopId);
    const outcome = await setCarrier(tx, now, routing, shipment, carrierCode, "merchant");
    if (outcome === "reregister") await enqueueRegistration(tx, now, shopId);
    return { result: outcome === "unchanged" ? ("UNCHANGED" as const) : ("CHANGED" as const) };
  });
}

type ShipmentRow = NonNullable<Awaited<ReturnType<TransactionClient["shipment"]["findFirst"]>>>;

/**
 * Change a shipment's carrier. A shipment the provider knows under the old carrier is stopped
 * there and registered again (at the provider the routing names for the new carrier); a stopped
 * shipment only records the new carrier.
 */
async function setCarrier(
  tx: TransactionClient,
  now: Date,
  routing: ShopRouting,
  shipment: ShipmentRow,
  carrierCode: string | null,
  carrierSource: string | null,
): Promise<"unchanged" | "updated" | "reregister" | "conflict"> {
  if (carrierCode === shipment.carrierCode) {
    if (carrierSource === shipment.carrierSource) return "unchanged";
    const changed = await tx.shipment.updateMany({
      where: { id: shipment.id, version: shipment.version },
      data: { carrierSource, version: { increment: 1 } },
    });
    return changed.count === 0 ? "conflict" : "updated";
  }
  const trackingUrl = (carrierCode ? trackingUrlFor(carrierCode, shipment.trackingNumber) : null) ?? shipment.trackingUrl;
  const carrierData = { carrierCode, carrierSource, trackingUrl };
  if (shipment.registrationState === "stopped") {
    const changed = await tx.shipment.updateMany({ where: { id: shipment.id, version: shipment.version }, data: { ...carrierData, version: { increment: 1 } } });
    return changed.count === 0 ? "conflict" : "updated";
  }
  const provider = providerFor(routing, { trackingNumber: shipment.trackingNumber, carrierCode });
  const changed = await tx.shipment.updateMany({
    where: { id: shipment.id, version: shipment.version },
    data: {
      ...carrierData,
      provider,
      registrationState: "pending",
      registrationClaim: null,
      registrationLeaseUntil: null,
      registrationError: null,
      registrationAttempts: 0,
      registeredAt: null,
      providerTrackingId: null,
      subscriptionExpiresAt: null,
      version: { increment: 1 },
    },
  });
  if (changed.count === 0) return "conflict";
  await enqueueStopForShipment(tx, now, shipment);
  return "reregister";
}

async function enqueueRegistration(tx: TransactionClient, now: Date, shopId: string): Promise<void> {
  await enqueueJob(tx, now, JOB_TYPES.registerShipments, { shopId }, { shopId, singletonKey: `register:${shopId}` });
}
