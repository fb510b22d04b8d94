import type { ServiceContext } from "~/services/context.server";
import { queueSubscriptionRenewals } from "~/services/register-shipments.server";
import { requeueOrphanedOutboxRows } from "~/services/milestones.server";
import { DIGEST_LOCAL_HOUR, shopLocalTime } from "~/services/staff-digest.server";
import { JOB_TYPES } from "./job-types";
import { countJobs, enqueueJob } from "./queue.server";

/**
 * Periodic work, enqueued as ordinary jobs so it is durable and runs once however many workers
 * tick: singleton keys make a second enqueue a no-op while one is waiting.
 */
export async function schedulePeriodicWork(ctx: ServiceContext): Promise<{ polls: number; registrations: number }> {
  const now = ctx.clock.now();
  const shops = await ctx.db.prisma.shop.findMany({
    where: { uninstalledAt: null, providerAccounts: { some: { blockedReason: null } } },
    select: { id: true },
  });
  for (const shop of shops) {
    await enqueueJob(ctx.db, now, JOB_TYPES.pollShipments, { shopId: shop.id }, { shopId: shop.id, singletonKey: `poll:${shop.id}` });
    // Delivery predictions of the tracking page: once a day (UTC) per shop.
    await enqueueJob(ctx.db, now, JOB_TYPES.refreshTransitStatistics, { shopId: shop.id }, { shopId: shop.id, dedupeKey: `transit-statistics:${shop.id}:${now.toISOString().slice(0, 10)}` });
  }

  // Subscriptions about to lapse join the registration queue below.
  await queueSubscriptionRenewals(ctx);

  // A registration whose job died (or whose lease ran out in a crash) is picked up again here.
  const waiting = await ctx.db.prisma.shipment.groupBy({
    by: ["shopId"],
    where: {
      shop: { uninstalledAt: null },
      OR: [{ registrationState: "pending" }, { registrationState: "registering", registrationLeaseUntil: { lt: now } }],
    },
  });
  for (const { shopId } of waiting) {
    // A registration job that started (its singleton key is released then) and now waits out a
    // retry's backoff still owns the shop's registrations: a second job would call the failing
    // provider at once and undo the backoff.
    if ((await countJobs(ctx.db, { type: JOB_TYPES.registerShipments, shopId, states: ["queued", "running"] })) > 0) continue;
    await enqueueJob(ctx.db, now, JOB_TYPES.registerShipments, { shopId }, { shopId, singletonKey: `register:${shopId}` });
  }

  // Customer e-mails and Shopify write-backs whose job went missing.
  await requeueOrphanedOutboxRows(ctx);

  // The staff digest: once per shop-local day, from the morning on (lastDigestDate guards a second run).
  const digestShops = await ctx.db.prisma.shopNotificationSettings.findMany({
    where: { staffDigestEnabled: true, staffEmail: { not: null }, shop: { uninstalledAt: null } },
    select: { shopId: true, lastDigestDate: true, shop: { select: { ianaTimezone: true } } },
  });
  for (const settings of digestShops) {
    const local = shopLocalTime(now, settings.shop.ianaTimezone);
    if (local.hour < DIGEST_LOCAL_HOUR || settings.lastDigestDate === local.date) continue;
    await enqueueJob(ctx.db, now, JOB_TYPES.sendStaffDigest, { shopId: settings.shopId }, { shopId: settings.shopId, dedupeKey: `staff-digest:${settings.shopId}:${local.date}` });
  }

  const hour = now.toISOString().slice(0, 13);
  await enqueueJob(ctx.db, now, JOB_TYPES.pruneJobs, {}, { dedupeKey: `prune:${hour}` });
  return { polls: shops.length, registrations: waiting.length };
}
