import type { ProviderId } from "~/domain/tracking-observation";
import type { ServiceContext } from "./context.server";
import { buildTrackingProvider, loadProviderAccount } from "./provider-accounts.server";

export type StopResult = "STOPPED_AT_PROVIDER" | "SKIPPED_RESUMED" | "SKIPPED_UNKNOWN" | "SKIPPED_NO_PROVIDER";

/**
 * Tell the provider to stop tracking a number no fulfillment carries any more, so it stops
 * pushing updates (and counting it). If the number came back meanwhile, leave it alone.
 */
export async function stopTrackingAtProvider(ctx: ServiceContext, shopId: string, shipmentId: string): Promise<StopResult> {
  const shipment = await ctx.db.prisma.shipment.findUnique({ where: { id: shipmentId } });
  if (!shipment) return "SKIPPED_UNKNOWN";
  if (shipment.registrationState !== "stopped") return "SKIPPED_RESUMED";
  const account = await loadProviderAccount(ctx, shopId, shipment.provider as ProviderId);
  if (!account) return "SKIPPED_NO_PROVIDER";
  await buildTrackingProvider(ctx, account).stopTracking({
    trackingNumber: shipment.trackingNumber,
    carrierCode: shipment.carrierCode ?? "",
    providerTrackingId: shipment.providerTrackingId,
  });
  // Forget the provider's id: if the number is ever re-added it must be registered afresh.
  await ctx.db.prisma.shipment.updateMany({
    where: { id: shipmentId, registrationState: "stopped" },
    data: { providerTrackingId: null, registeredAt: null, version: { increment: 1 } },
  });
  return "STOPPED_AT_PROVIDER";
}
