import { normalizeTrackingNumber } from "~/domain/carriers/detect";
import { applyObservation, CARRIER_SCAN_STATUSES, firstCarrierScanAt, trackingEventIdentity, type ShipmentTrackingState, type TransitionResult } from "~/domain/status-transition";
import type { ShipmentStatus, ShipmentSubstatus } from "~/domain/shipment-status";
import type { TrackingEventInput, TrackingObservation } from "~/domain/tracking-observation";
import { moveStatusCount } from "~/models/shipment-status-counts.server";
import { recordShipmentMilestones } from "./milestones.server";
import type { ServiceContext } from "./context.server";

/**
 * Fold one provider observation (push, poll or registration answer) into a stored shipment:
 * new checkpoints are added once each, and the status moves only as the domain rules allow.
 * Everything happens in one transaction guarded by the shipment's version, so two workers
 * applying observations of the same shipment at once cannot overwrite each other.
 */

export type ApplyResult =
  | { result: "UNKNOWN_SHIPMENT" | "STOPPED" | "OTHER_PROVIDER" }
  | { result: "UPDATED" | "NO_CHANGE"; shipmentId: string; newEvents: number; transition: TransitionResult; previousStatus: ShipmentStatus };

class ConcurrentShipmentUpdate extends Error {
  override readonly name = "ConcurrentShipmentUpdate";
}

const MAX_VERSION_RETRIES = 5;

export async function applyTrackingObservation(ctx: ServiceContext, shopId: string, observation: TrackingObservation): Promise<ApplyResult> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await applyOnce(ctx, shopId, observation);
    } catch (error) {
      // P2002: another transaction inserted the same checkpoint first (PostgreSQL); re-reading resolves it.
      const retryable = error instanceof ConcurrentShipmentUpdate || (error as { code?: string }).code === "P2002";
      if (!retryable || attempt >= MAX_VERSION_RETRIES) throw error;
    }
  }
}

function dedupeWithinObservation(events: readonly TrackingEventInput[]): Map<string, TrackingEventInput> {
  const byIdentity = new Map<string, TrackingEventInput>();
  for (const event of events) {
    const identity = trackingEventIdentity(event);
    if (!byIdentity.has(identity)) byIdentity.set(identity, event);
  }
  return byIdentity;
}

async function applyOnce(ctx: ServiceContext, shopId: string, observation: TrackingObservation): Promise<ApplyResult> {
  const now = ctx.clock.now();
  const trackingNumber = normalizeTrackingNumber(observation.trackingNumber);
  return ctx.db.prisma.$transaction(async (tx) => {
    const shipment = await tx.shipment.findUnique({ where: { shopId_trackingNumber: { shopId, trackingNumber } } });
    if (!shipment) return { result: "UNKNOWN_SHIPMENT" };
    if (shipment.registrationState === "stopped") return { result: "STOPPED" };
    if (shipment.provider !== observation.provider) return { result: "OTHER_PROVIDER" };

    const incoming = dedupeWithinObservation(observation.events);
    const known = incoming.size
      ? await tx.trackingEvent.findMany({
          where: { shipmentId: shipment.id, identity: { in: [...incoming.keys()] } },
          select: { identity: true },
        })
      : [];
    const knownIdentities = new Set(known.map((row) => row.identity));
    const fresh = [...incoming].filter(([identity]) => !knownIdentities.has(identity));
    if (fresh.length > 0) {
      // After a switch of provider, the new one reports the whole history in its own words;
      // keeping the old provider's copies would show every scan twice.
      await tx.trackingEvent.deleteMany({ where: { shipmentId: shipment.id, source: { not: observation.provider } } });
      await tx.trackingEvent.createMany({
        data: fresh.map(([identity, event]) => ({
          shipmentId: shipment.id,
          identity,
          occurredAt: event.occurredAt,
          zoneKnown: event.zoneKnown,
          status: event.status,
          substatus: event.substatus,
          description: event.description,
          location: event.location,
          city: event.city,
          state: event.state,
          countryCode: event.countryCode,
          postalCode: event.postalCode,
          rawStatus: event.rawStatus,
          source: observation.provider,
          receivedAt: now,
        })),
      });
    }

    const current: ShipmentTrackingState = {
      status: shipment.status as ShipmentStatus,
      substatus: shipment.substatus as ShipmentSubstatus | null,
      rawStatus: shipment.rawStatus,
      statusAsOf: shipment.statusAsOf,
      deliveredAt: shipment.deliveredAt,
      estimatedDeliveryAt: shipment.estimatedDeliveryAt,
      estimatedDeliveryEndAt: shipment.estimatedDeliveryEndAt,
      lastEventAt: shipment.lastEventAt,
    };
    const transition = applyObservation(current, observation);
    const { next } = transition;

    // First carrier scan: from the stored events the first time (they may predate this
    // observation, e.g. after a provider switch), then only ever earlier.
    const storedFirstScan =
      shipment.shippedAt ??
      (
        await tx.trackingEvent.findFirst({
          where: { shipmentId: shipment.id, status: { in: [...CARRIER_SCAN_STATUSES] } },
          orderBy: { occurredAt: "asc" },
          select: { occurredAt: true },
        })
      )?.occurredAt ??
      null;
    const shippedAt = firstCarrierScanAt(storedFirstScan, observation.events);

    const newest = newestEvent(observation.events);
    const newestIsLatest = newest && (!shipment.lastEventAt || newest.occurredAt >= shipment.lastEventAt);
    const updated = await tx.shipment.updateMany({
      where: { id: shipment.id, version: shipment.version },
      data: {
        status: next.status,
        substatus: next.substatus,
        rawStatus: next.rawStatus,
        statusAsOf: next.statusAsOf,
        deliveredAt: next.deliveredAt,
        estimatedDeliveryAt: next.estimatedDeliveryAt,
        estimatedDeliveryEndAt: next.estimatedDeliveryEndAt,
        lastEventAt: next.lastEventAt,
        shippedAt,
        ...(newestIsLatest ? { lastEventDescription: newest.description, lastEventLocation: newest.location ?? newest.city } : {}),
        lastCheckedAt: now,
        ...(transition.statusChanged ? { statusChangedAt: now } : {}),
        ...(!shipment.providerTrackingId && observation.providerTrackingId ? { providerTrackingId: observation.providerTrackingId } : {}),
        ...(!shipment.destinationCountry && observation.destinationCountry ? { destinationCountry: observation.destinationCountry } : {}),
        version: { increment: 1 },
      },
    });
    if (updated.count === 0) throw new ConcurrentShipmentUpdate(`shipment ${shipment.id} changed while we applied an update`);
    // Customer e-mails and Shopify write-back commit with the change that earned them (outbox).
    await recordShipmentMilestones(tx, { shopId, shipmentId: shipment.id, now, previous: { ...current, shippedAt: shipment.shippedAt }, next: { ...next, shippedAt } });
    // Last: every status change of the shop writes these rows, so they stay locked only until the commit.
    await moveStatusCount(tx, shopId, current.status, next.status);

    const changed = transition.statusChanged || fresh.length > 0 || next.estimatedDeliveryAt?.getTime() !== current.estimatedDeliveryAt?.getTime();
    return {
      result: changed ? "UPDATED" : "NO_CHANGE",
      shipmentId: shipment.id,
      newEvents: fresh.length,
      transition,
      previousStatus: current.status,
    };
  });
}

function newestEvent(events: readonly TrackingEventInput[]): TrackingEventInput | null {
  let newest: TrackingEventInput | null = null;
  for (const event of events) {
    if (!newest || event.occurredAt > newest.occurredAt) newest = event;
  }
  return newest;
}
