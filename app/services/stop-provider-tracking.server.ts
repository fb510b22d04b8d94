import type { TransactionClient } from "~/db/database.server";
import type { ProviderId } from "~/domain/tracking-observation";
import { JOB_TYPES } from "~/jobs/job-types";
import { enqueueJob } from "~/jobs/queue.server";
import type { ServiceContext } from "./context.server";
import { buildTrackingProvider, loadProviderAccount } from "./provider-accounts.server";

export type StopResult = "STOPPED_AT_PROVIDER" | "SKIPPED_RESUMED" | "SKIPPED_UNKNOWN" | "SKIPPED_NO_PROVIDER";

/** Which provider should forget which number: fixed when the stop is decided, because routing may move the shipment on. */
export interface StopRequest {
  shopId: string;
  shipmentId: string;
  provider: ProviderId;
  trackingNumber: string;
  carrierCode: string | null;
  providerTrackingId: string | null;
}

export async function enqueueStopAtProvider(tx: TransactionClient, now: Date, request: StopRequest): Promise<void> {
  await enqueueJob(tx, now, JOB_TYPES.stopProviderTracking, request, {
    shopId: request.shopId,
    dedupeKey: `stop:${request.shipmentId}:${request.provider}:${now.getTime()}`,
  });
}

/** A shipment as it was before it stopped or moved: the provider, carrier and id it is known by there. */
export interface ShipmentAtProvider {
  id: string;
  shopId: string;
  provider: string;
  trackingNumber: string;
  carrierCode: string | null;
  providerTrackingId: string | null;
  registrationState: string;
  registeredAt: Date | null;
}

/**
 * Queue a stop at the provider the shipment was registered with, if it ever was (a renewal in
 * the queue keeps `registeredAt`). A registration still in flight is stopped by its own
 * settlement, which finds its claim gone. Returns whether a stop was queued.
 */
export async function enqueueStopForShipment(tx: TransactionClient, now: Date, shipment: ShipmentAtProvider): Promise<boolean> {
  const knownThere = shipment.registrationState === "registered" || shipment.registeredAt !== null || shipment.providerTrackingId !== null;
  if (!knownThere) return false;
  await enqueueStopAtProvider(tx, now, {
    shopId: shipment.shopId,
    shipmentId: shipment.id,
    provider: shipment.provider as ProviderId,
    trackingNumber: shipment.trackingNumber,
    carrierCode: shipment.carrierCode,
    providerTrackingId: shipment.providerTrackingId,
  });
  return true;
}

/**
 * Tell a provider to stop tracking a number we no longer track there (no fulfillment carries it
 * any more, or the shop routed it to another provider), so it stops pushing updates and counting
 * it. If the number came back to that provider meanwhile, leave it alone.
 */
export async function stopTrackingAtProvider(ctx: ServiceContext, request: StopRequest): Promise<StopResult> {
  const shipment = await ctx.db.prisma.shipment.findUnique({ where: { id: request.shipmentId } });
  if (!shipment) return "SKIPPED_UNKNOWN";
  // Under another carrier (the merchant corrected it) the provider holds a different tracking: stop the old one.
  const stillTrackedThere =
    shipment.provider === request.provider && shipment.registrationState !== "stopped" && (shipment.carrierCode ?? null) === (request.carrierCode ?? null);
  if (stillTrackedThere) return "SKIPPED_RESUMED";
  const account = await loadProviderAccount(ctx, request.shopId, request.provider);
  if (!account) return "SKIPPED_NO_PROVIDER";
  const provider = await buildTrackingProvider(ctx, account);
  await provider.stopTracking({ trackingNumber: request.trackingNumber, carrierCode: request.carrierCode ?? "", providerTrackingId: request.providerTrackingId });
  if (shipment.provider === request.provider && shipment.registrationState === "stopped") {
    // Forget the provider's id: if the number is ever re-added it must be registered afresh.
    await ctx.db.prisma.shipment.updateMany({
      where: { id: shipment.id, provider: request.provider, registrationState: "stopped" },
      data: { providerTrackingId: null, registeredAt: null, subscriptionExpiresAt: null, version: { increment: 1 } },
    });
  }
  return "STOPPED_AT_PROVIDER";
}
