import { FINAL_STATUSES } from "~/domain/shipment-status";
import type { ProviderId } from "~/domain/tracking-observation";
import { isExternalServiceError } from "~/domain/errors";
import { applyTrackingObservation } from "./apply-tracking-update.server";
import type { ServiceContext } from "./context.server";
import { blockProviderAccount, blockReasonFor, buildTrackingProvider, loadProviderAccount } from "./provider-accounts.server";

/**
 * The fallback for missed pushes. Shipments that have heard nothing for the shop's polling
 * interval are refreshed through the provider's list endpoint, as many per call as it allows
 * (40 numbers per TrackingMore v4 call; for the v2 family, one page of up to 2,000 trackings
 * changed since the last poll) — never one call per shipment.
 */

export type PollResult =
  | { result: "SKIPPED_SHOP_INACTIVE" | "SKIPPED_NO_PROVIDER" | "SKIPPED_PROVIDER_BLOCKED" | "NOT_DUE" }
  | { result: "BLOCKED_NOW"; reason: string }
  | { result: "POLLED"; checked: number; updated: number; calls: number };

/** Upper bound per job run; the scheduler comes back for the rest. */
const MAX_SHIPMENTS_PER_RUN = 2_000;
/** Overlap between consecutive "updated since" windows, against clock skew at the provider. */
const WATERMARK_OVERLAP_MS = 10 * 60_000;

export async function pollStaleShipments(ctx: ServiceContext, shopId: string): Promise<PollResult> {
  const shop = await ctx.db.prisma.shop.findUnique({ where: { id: shopId }, include: { providerAccounts: { select: { provider: true } } } });
  if (!shop || shop.uninstalledAt) return { result: "SKIPPED_SHOP_INACTIVE" };
  if (shop.providerAccounts.length === 0) return { result: "SKIPPED_NO_PROVIDER" };
  // Each connected provider is polled for the shipments it tracks.
  const results: PollResult[] = [];
  for (const { provider } of shop.providerAccounts) {
    results.push(await pollProvider(ctx, shopId, provider as ProviderId, shop.pollIntervalMinutes));
  }
  return results.length === 1 ? results[0]! : combine(results);
}

function combine(results: PollResult[]): PollResult {
  const polled = results.filter((result): result is Extract<PollResult, { result: "POLLED" }> => result.result === "POLLED");
  if (polled.length === 0) return results.find((result) => result.result === "BLOCKED_NOW") ?? results[0]!;
  return {
    result: "POLLED",
    checked: polled.reduce((sum, result) => sum + result.checked, 0),
    updated: polled.reduce((sum, result) => sum + result.updated, 0),
    calls: polled.reduce((sum, result) => sum + result.calls, 0),
  };
}

async function pollProvider(ctx: ServiceContext, shopId: string, providerId: ProviderId, pollIntervalMinutes: number): Promise<PollResult> {
  const account = await loadProviderAccount(ctx, shopId, providerId);
  if (!account) return { result: "SKIPPED_NO_PROVIDER" };
  if (account.blockedReason) return { result: "SKIPPED_PROVIDER_BLOCKED" };
  const provider = await buildTrackingProvider(ctx, account);
  const now = ctx.clock.now();
  const staleBefore = new Date(now.getTime() - pollIntervalMinutes * 60_000);

  try {
    if (provider.pollStrategy.kind === "by_numbers") {
      const stale = await ctx.db.prisma.shipment.findMany({
        where: {
          shopId,
          provider: account.provider,
          registrationState: "registered",
          status: { notIn: [...FINAL_STATUSES] },
          OR: [
            { lastCheckedAt: { lt: staleBefore } },
            // Never heard of: due once the provider had an interval to report, or at once when
            // registering brought no history (UPS), which is how that history is read.
            provider.registrationBringsHistory ? { lastCheckedAt: null, registeredAt: { lt: staleBefore } } : { lastCheckedAt: null },
          ],
        },
        orderBy: { lastCheckedAt: { sort: "asc", nulls: "first" } },
        take: MAX_SHIPMENTS_PER_RUN,
        select: { id: true, trackingNumber: true, carrierCode: true, providerTrackingId: true },
      });
      if (stale.length === 0) return { result: "NOT_DUE" };
      let updated = 0;
      let calls = 0;
      const perCall = provider.pollStrategy.maxNumbersPerFetch;
      for (let start = 0; start < stale.length; start += perCall) {
        const chunk = stale.slice(start, start + perCall);
        calls++;
        const observations = await provider.fetch(chunk.map((s) => ({ trackingNumber: s.trackingNumber, carrierCode: s.carrierCode ?? "", providerTrackingId: s.providerTrackingId })));
        for (const observation of observations) {
          const applied = await applyTrackingObservation(ctx, shopId, observation);
          if (applied.result === "UPDATED") updated++;
        }
        // Asked and answered, even when nothing changed: do not ask again before the next interval.
        await ctx.db.prisma.shipment.updateMany({ where: { id: { in: chunk.map((s) => s.id) } }, data: { lastCheckedAt: now } });
      }
      return { result: "POLLED", checked: stale.length, updated, calls };
    }

    const accountRow = await ctx.db.prisma.providerAccount.findUniqueOrThrow({ where: { id: account.id } });
    const resuming = accountRow.pollPassStartedAt !== null;
    if (!resuming && accountRow.pollWatermark && accountRow.pollWatermark > staleBefore) return { result: "NOT_DUE" };
    const passStartedAt = accountRow.pollPassStartedAt ?? now;
    if (!resuming) await ctx.db.prisma.providerAccount.update({ where: { id: account.id }, data: { pollPassStartedAt: passStartedAt } });
    let cursor = new Date((accountRow.pollWatermark ?? new Date(now.getTime() - 30 * 24 * 60 * 60_000)).getTime() - WATERMARK_OVERLAP_MS);
    let page = 1;
    let checked = 0;
    let updated = 0;
    let calls = 0;
    for (;;) {
      calls++;
      const result = await provider.fetchUpdatedSince!(cursor, page);
      for (const observation of result.observations) {
        checked++;
        const applied = await applyTrackingObservation(ctx, shopId, observation);
        if (applied.result === "UPDATED") updated++;
      }
      if (result.nextPage === null) break;
      // Page by time, not by offset: a tracking that changes during the pass moves to the end of
      // the list, and with offsets the one after it would slide onto a page already read.
      // Items at the cursor's own second come again; applying them twice is harmless.
      const movedOn = result.latestUpdate && Math.floor(result.latestUpdate.getTime() / 1000) > Math.floor(cursor.getTime() / 1000);
      if (movedOn) {
        cursor = result.latestUpdate!;
        page = 1;
        // Progress survives a crash: a restarted pass continues from here (minus the overlap).
        await ctx.db.prisma.providerAccount.update({ where: { id: account.id }, data: { pollWatermark: new Date(cursor.getTime() + WATERMARK_OVERLAP_MS) } });
      } else {
        page = result.nextPage;
      }
    }
    // A complete pass covers everything up to the moment it (first) started.
    await ctx.db.prisma.providerAccount.update({ where: { id: account.id }, data: { pollWatermark: passStartedAt, pollPassStartedAt: null } });
    return { result: "POLLED", checked, updated, calls };
  } catch (error) {
    const reason = blockReasonFor(error);
    if (reason && isExternalServiceError(error)) {
      await blockProviderAccount(ctx, account.id, reason, error);
      return { result: "BLOCKED_NOW", reason };
    }
    throw error;
  }
}
