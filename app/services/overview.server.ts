import { SHIPMENT_STATUSES, type ShipmentStatus } from "~/domain/shipment-status";
import type { ServiceContext } from "./context.server";

export interface ShopOverview {
  installed: boolean;
  provider: { name: string; apiVersion: string | null; connected: boolean; blockedReason: string | null; blockedMessage: string | null } | null;
  countsByStatus: Record<ShipmentStatus, number>;
  registration: { pending: number; failed: number };
  latestBackfill: {
    state: string;
    ordersProcessed: number;
    trackingNumbersFound: number;
    bytesRead: number;
    totalBytes: number | null;
    error: string | null;
  } | null;
  webhookPath: string | null;
}

/** What the merchant sees first: counts kept by the pipeline, never a scan of the shipments table. */
export async function shopOverview(ctx: ServiceContext, shopDomain: string): Promise<ShopOverview> {
  const shop = await ctx.db.prisma.shop.findUnique({
    where: { domain: shopDomain },
    include: { statusCounts: true, providerAccounts: true, backfillRuns: { orderBy: { createdAt: "desc" }, take: 1 } },
  });
  const countsByStatus = Object.fromEntries(SHIPMENT_STATUSES.map((status) => [status, 0])) as Record<ShipmentStatus, number>;
  if (!shop) {
    return { installed: false, provider: null, countsByStatus, registration: { pending: 0, failed: 0 }, latestBackfill: null, webhookPath: null };
  }
  for (const row of shop.statusCounts) countsByStatus[row.status as ShipmentStatus] = row.count;
  const account = shop.providerAccounts.find((candidate) => candidate.provider === shop.trackingProvider) ?? null;
  const [pending, failed] = await Promise.all([
    ctx.db.prisma.shipment.count({ where: { shopId: shop.id, registrationState: { in: ["pending", "registering"] } } }),
    ctx.db.prisma.shipment.count({ where: { shopId: shop.id, registrationState: "failed" } }),
  ]);
  const run = shop.backfillRuns[0];
  return {
    installed: !shop.uninstalledAt,
    provider: {
      name: shop.trackingProvider,
      apiVersion: account?.apiVersion ?? null,
      connected: Boolean(account),
      blockedReason: account?.blockedReason ?? null,
      blockedMessage: account?.blockedMessage ?? null,
    },
    countsByStatus,
    registration: { pending, failed },
    latestBackfill: run
      ? {
          state: run.state,
          ordersProcessed: run.ordersProcessed,
          trackingNumbersFound: run.trackingNumbersFound,
          bytesRead: run.bytesRead,
          totalBytes: run.totalBytes,
          error: run.error,
        }
      : null,
    webhookPath: `/webhooks/trackingmore/${shop.webhookToken}`,
  };
}
