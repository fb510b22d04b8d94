import { randomToken } from "~/lib/crypto.server";
import { JOB_TYPES } from "~/jobs/job-types";
import { cancelQueuedJobsForShop, enqueueJob } from "~/jobs/queue.server";
import type { ServiceContext } from "./context.server";

/** Install and uninstall. Data stays after an uninstall until shop/redact (48 h later) so a quick reinstall loses nothing. */

export async function ensureShop(ctx: ServiceContext, domain: string) {
  const existing = await ctx.db.prisma.shop.findUnique({ where: { domain } });
  if (existing) {
    if (!existing.uninstalledAt) return existing;
    return ctx.db.prisma.shop.update({ where: { id: existing.id }, data: { uninstalledAt: null, installedAt: ctx.clock.now() } });
  }
  return ctx.db.prisma.shop.upsert({
    where: { domain },
    create: { domain, webhookToken: randomToken(24) },
    update: {},
  });
}

export type InstallResult = "BACKFILL_QUEUED" | "BACKFILL_ALREADY_QUEUED";

/** After OAuth / token exchange: make sure the shop exists and read its recent fulfillments once. */
export async function onShopInstalled(ctx: ServiceContext, domain: string): Promise<InstallResult> {
  const shop = await ensureShop(ctx, domain);
  const started = await requestBackfill(ctx, shop.id, shop.backfillDays, { onlyIfNeverRun: true });
  return started ? "BACKFILL_QUEUED" : "BACKFILL_ALREADY_QUEUED";
}

/** Start a backfill of the last `days` days. Returns the run id, or null when one is already queued or running. */
export async function requestBackfill(
  ctx: ServiceContext,
  shopId: string,
  days: number,
  options: { onlyIfNeverRun?: boolean } = {},
): Promise<string | null> {
  const now = ctx.clock.now();
  return ctx.db.prisma.$transaction(async (tx) => {
    const latest = await tx.backfillRun.findFirst({ where: { shopId }, orderBy: { createdAt: "desc" } });
    if (latest && options.onlyIfNeverRun) return null;
    if (latest && !["completed", "failed"].includes(latest.state)) return null;
    const run = await tx.backfillRun.create({
      data: { shopId, sinceDate: new Date(now.getTime() - days * 24 * 60 * 60_000), state: "queued" },
    });
    await enqueueJob(tx, now, JOB_TYPES.backfillShop, { shopId, runId: run.id }, { shopId, dedupeKey: `backfill:${run.id}` });
    return run.id;
  });
}

export type UninstallResult = "UNINSTALLED" | "UNKNOWN_SHOP";

/** app/uninstalled: stop all work for the shop. Sessions are deleted so nothing can act for it any more. */
export async function markShopUninstalled(ctx: ServiceContext, domain: string): Promise<UninstallResult> {
  const now = ctx.clock.now();
  return ctx.db.prisma.$transaction(async (tx) => {
    await tx.session.deleteMany({ where: { shop: domain } });
    const shop = await tx.shop.findUnique({ where: { domain } });
    if (!shop) return "UNKNOWN_SHOP";
    await tx.shop.update({ where: { id: shop.id }, data: { uninstalledAt: now } });
    await cancelQueuedJobsForShop(tx, shop.id, now);
    // Its job is cancelled: the run must not look "in progress" forever (and block the next one after a reinstall).
    await tx.backfillRun.updateMany({
      where: { shopId: shop.id, state: { notIn: ["completed", "failed"] } },
      data: { state: "failed", error: "the app was uninstalled", finishedAt: now },
    });
    return "UNINSTALLED";
  });
}
