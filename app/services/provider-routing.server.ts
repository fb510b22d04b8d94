import { z } from "zod";
import type { PrismaClient, TransactionClient } from "~/db/database.server";
import { chooseProvider, parseRouting, providerSupports, type ProviderRouting, type RoutableShipment } from "~/domain/routing";
import { FINAL_STATUSES } from "~/domain/shipment-status";
import { PROVIDER_IDS, type ProviderId } from "~/domain/tracking-observation";
import { JOB_TYPES } from "~/jobs/job-types";
import { enqueueJob } from "~/jobs/queue.server";
import type { ServiceContext } from "./context.server";
import { enqueueStopForShipment } from "./stop-provider-tracking.server";

/**
 * Which provider tracks each of a shop's shipments, and moving open shipments when that changes
 * (a provider connected or removed, the merchant's rules edited). A moved shipment is stopped at
 * the provider it leaves and registered once at the one it joins.
 */

export interface ShopRouting {
  routing: ProviderRouting;
  connected: ReadonlySet<ProviderId>;
}

export async function loadShopRouting(client: PrismaClient | TransactionClient, shopId: string): Promise<ShopRouting> {
  const shop = await client.shop.findUniqueOrThrow({
    where: { id: shopId },
    select: { trackingProvider: true, carrierProviders: true, providerAccounts: { select: { provider: true } } },
  });
  return {
    routing: parseRouting(shop.trackingProvider, shop.carrierProviders, PROVIDER_IDS),
    connected: new Set(shop.providerAccounts.map((account) => account.provider as ProviderId)),
  };
}

export function providerFor(shopRouting: ShopRouting, shipment: RoutableShipment): ProviderId {
  return chooseProvider(shopRouting.routing, shipment, shopRouting.connected);
}

export const routingRulesSchema = z
  .object({
    defaultProvider: z.enum(PROVIDER_IDS),
    /** Carrier code → provider. */
    carrierProviders: z.record(z.string().trim().min(1).max(64), z.enum(PROVIDER_IDS)),
  })
  .superRefine((rules, issues) => {
    for (const [carrier, provider] of Object.entries(rules.carrierProviders)) {
      // Probe with a number of the provider's own shape: the question is whether it tracks this carrier at all.
      if (provider === "ups" && !providerSupports("ups", { carrierCode: carrier, trackingNumber: "1Z999AA10123456784" })) {
        issues.addIssue({ code: "custom", path: ["carrierProviders", carrier], message: "UPS Track Alert only tracks UPS numbers" });
      }
    }
  });
export type RoutingRules = z.infer<typeof routingRulesSchema>;

/** Save the merchant's routing rules and move open shipments to match. */
export async function updateRoutingRules(ctx: ServiceContext, shopId: string, input: unknown): Promise<RoutingRules> {
  const rules = routingRulesSchema.parse(input);
  await ctx.db.prisma.$transaction(async (tx) => {
    await tx.shop.update({
      where: { id: shopId },
      data: { trackingProvider: rules.defaultProvider, carrierProviders: JSON.stringify(rules.carrierProviders) },
    });
    await enqueueJob(tx, ctx.clock.now(), JOB_TYPES.applyShopRouting, { shopId }, { shopId, singletonKey: `routing:${shopId}` });
  });
  return rules;
}

export type ApplyRoutingResult =
  | { result: "SKIPPED_SHOP_INACTIVE" }
  /** `conflicts`: shipments that changed while we moved them; the job comes back for them. */
  | { result: "APPLIED"; moved: number; stopsQueued: number; conflicts: number };

const PAGE_SIZE = 500;

/**
 * Move every open shipment (not stopped, not delivered or expired) whose provider differs from
 * what the shop's routing now says. Idempotent: a second run finds nothing to move.
 */
export async function applyShopRouting(ctx: ServiceContext, shopId: string): Promise<ApplyRoutingResult> {
  const shop = await ctx.db.prisma.shop.findUnique({ where: { id: shopId }, select: { uninstalledAt: true } });
  if (!shop || shop.uninstalledAt) return { result: "SKIPPED_SHOP_INACTIVE" };
  const shopRouting = await loadShopRouting(ctx.db.prisma, shopId);
  const totals = { moved: 0, stopsQueued: 0, conflicts: 0 };
  let cursor: string | undefined;
  for (;;) {
    const page = await ctx.db.prisma.shipment.findMany({
      where: { shopId, registrationState: { not: "stopped" }, status: { notIn: [...FINAL_STATUSES] }, ...(cursor ? { id: { gt: cursor } } : {}) },
      orderBy: { id: "asc" },
      take: PAGE_SIZE,
      select: {
        id: true,
        version: true,
        trackingNumber: true,
        carrierCode: true,
        provider: true,
        providerTrackingId: true,
        registrationState: true,
        registrationClaim: true,
        registeredAt: true,
      },
    });
    if (page.length === 0) break;
    cursor = page.at(-1)!.id;
    const moving = page.filter((shipment) => providerFor(shopRouting, shipment) !== shipment.provider);
    if (moving.length === 0) continue;
    const now = ctx.clock.now();
    await ctx.db.prisma.$transaction(async (tx) => {
      for (const shipment of moving) {
        const target = providerFor(shopRouting, shipment);
        const moved = await tx.shipment.updateMany({
          where: { id: shipment.id, version: shipment.version },
          data: {
            provider: target,
            registrationState: "pending",
            registrationClaim: null,
            registrationLeaseUntil: null,
            registrationError: null,
            registeredAt: null,
            providerTrackingId: null,
            subscriptionExpiresAt: null,
            version: { increment: 1 },
          },
        });
        if (moved.count === 0) {
          totals.conflicts++;
          continue;
        }
        totals.moved++;
        if (await enqueueStopForShipment(tx, now, { ...shipment, shopId })) totals.stopsQueued++;
      }
      await enqueueJob(tx, now, JOB_TYPES.registerShipments, { shopId }, { shopId, singletonKey: `register:${shopId}` });
    });
  }
  if (totals.moved > 0) ctx.log.info({ shopId, ...totals }, "shipments re-routed to another provider");
  return { result: "APPLIED", ...totals };
}
