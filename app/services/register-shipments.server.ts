import { randomUUID } from "node:crypto";
import { FINAL_STATUSES } from "~/domain/shipment-status";
import { BatchTooLargeError, isExternalServiceError, QuotaExhaustedError } from "~/domain/errors";
import type { RegistrationOutcome, TrackingProvider, TrackingRegistration } from "~/domain/ports";
import { PROVIDER_IDS, type ProviderId } from "~/domain/tracking-observation";
import { JOB_TYPES } from "~/jobs/job-types";
import { enqueueJob } from "~/jobs/queue.server";
import { enqueueStopAtProvider } from "./stop-provider-tracking.server";
import { applyTrackingObservation } from "./apply-tracking-update.server";
import type { ServiceContext } from "./context.server";
import {
  blockProviderAccount,
  blockReasonFor,
  buildTrackingProvider,
  loadProviderAccount,
  recordProviderSuccess,
  type ProviderAccountWithCredentials,
} from "./provider-accounts.server";

/**
 * Register a shop's waiting shipments with its provider, in batches as large as the provider
 * allows, so 10,000 new numbers cost ⌈10,000 / 40⌉ calls. Each batch is first claimed with a
 * lease (so two workers never send the same number) and settled afterwards; if the process dies
 * in between, the lease runs out and the batch is sent again, where the provider's "already
 * exists" answer counts as registered. Nothing is registered twice.
 */

export type RegisterResult =
  | { result: "SKIPPED_SHOP_INACTIVE" | "SKIPPED_NO_PROVIDER" | "SKIPPED_PROVIDER_BLOCKED" }
  | { result: "BLOCKED_NOW"; reason: string }
  | { result: "DONE" | "MORE_PENDING"; registered: number; rejected: number; calls: number };

interface ClaimedShipment {
  id: string;
  trackingNumber: string;
  carrierCode: string | null;
  destinationCountry: string | null;
  orderName: string | null;
}

export async function registerPendingShipments(ctx: ServiceContext, shopId: string, options: { maxBatches?: number } = {}): Promise<RegisterResult> {
  const shop = await ctx.db.prisma.shop.findUnique({ where: { id: shopId } });
  if (!shop || shop.uninstalledAt) return { result: "SKIPPED_SHOP_INACTIVE" };
  // A shop's shipments may be routed to several providers (UPS numbers to Track Alert, the rest
  // to TrackingMore); each provider's waiting shipments go in its own batches.
  // One seek per provider (there are three) rather than a group-by that reads every shipment of the shop.
  const waiting: ProviderId[] = [];
  for (const provider of PROVIDER_IDS) {
    if (await hasClaimableShipments(ctx, shopId, provider)) waiting.push(provider);
  }
  const providers = waiting.length > 0 ? waiting : [shop.trackingProvider as ProviderId];
  const results: RegisterResult[] = [];
  for (const provider of providers) results.push(await registerWithProvider(ctx, shopId, provider, options.maxBatches ?? 25));
  return results.length === 1 ? results[0]! : combine(results);
}

/** Several providers' results as one: work left anywhere means come back; counts add up. */
function combine(results: RegisterResult[]): RegisterResult {
  const totals = { registered: 0, rejected: 0, calls: 0 };
  let morePending = false;
  for (const result of results) {
    if (result.result === "MORE_PENDING") morePending = true;
    if (result.result === "MORE_PENDING" || result.result === "DONE") {
      totals.registered += result.registered;
      totals.rejected += result.rejected;
      totals.calls += result.calls;
    }
  }
  return { result: morePending ? "MORE_PENDING" : "DONE", ...totals };
}

async function registerWithProvider(ctx: ServiceContext, shopId: string, providerId: ProviderId, maxBatches: number): Promise<RegisterResult> {
  const account = await loadProviderAccount(ctx, shopId, providerId);
  if (!account) return { result: "SKIPPED_NO_PROVIDER" };
  if (account.blockedReason) return { result: "SKIPPED_PROVIDER_BLOCKED" };
  const provider = await buildTrackingProvider(ctx, account);

  const totals = { registered: 0, rejected: 0, calls: 0 };
  for (let batch = 0; batch < maxBatches; batch++) {
    const claimToken = randomUUID();
    const claimed = await claimShipments(ctx, shopId, account.provider, claimToken, provider.maxBatchSize);
    if (claimed.length === 0) return { result: "DONE", ...totals };
    try {
      const items = await withCarriers(ctx, provider, claimed, claimToken, totals);
      if (items.length === 0) continue;
      const outcomes = await registerSplittingOversizedBatches(provider, items, totals);
      const settled = await settleOutcomes(ctx, shopId, provider, claimToken, outcomes);
      totals.registered += settled.registered;
      totals.rejected += settled.rejected;
      await fetchAlreadyRegistered(ctx, shopId, provider, settled.alreadyRegistered);
      await recordProviderSuccess(ctx, account.id);
      if (settled.quotaRanOut) {
        await blockForQuota(ctx, account);
        return { result: "BLOCKED_NOW", reason: "quota_exhausted" };
      }
    } catch (error) {
      await releaseClaim(ctx, claimToken);
      const reason = blockReasonFor(error);
      if (reason && isExternalServiceError(error)) {
        await blockProviderAccount(ctx, account.id, reason, error);
        return { result: "BLOCKED_NOW", reason };
      }
      throw error;
    }
  }
  const remaining = await ctx.db.prisma.shipment.count({ where: { shopId, provider: providerId, registrationState: "pending" } });
  return { result: remaining > 0 ? "MORE_PENDING" : "DONE", ...totals };
}

/** Numbers no batch has taken yet. */
function waitingWhere(shopId: string, provider: string) {
  return { shopId, provider, registrationState: "pending" };
}

/** Numbers whose batch's worker died: the lease it held ran out. */
function lapsedWhere(shopId: string, provider: string, now: Date) {
  return { shopId, provider, registrationState: "registering", registrationLeaseUntil: { lt: now } };
}

// Each kind is its own seek (index `(shopId, provider, registrationState, createdAt)`): one OR
// ordered by age makes the database walk every shipment the shop has registered to reach them.
async function hasClaimableShipments(ctx: ServiceContext, shopId: string, provider: ProviderId): Promise<boolean> {
  const select = { id: true } as const;
  if (await ctx.db.prisma.shipment.findFirst({ where: waitingWhere(shopId, provider), select })) return true;
  return (await ctx.db.prisma.shipment.findFirst({ where: lapsedWhere(shopId, provider, ctx.clock.now()), select })) !== null;
}

async function claimShipments(ctx: ServiceContext, shopId: string, provider: string, claimToken: string, limit: number): Promise<ClaimedShipment[]> {
  const now = ctx.clock.now();
  const claimable = { OR: [waitingWhere(shopId, provider), lapsedWhere(shopId, provider, now)] };
  return ctx.db.prisma.$transaction(async (tx) => {
    // Lapsed leases (a crashed batch) go first, then the oldest waiting numbers.
    const oldestFirst = { orderBy: { createdAt: "asc" }, select: { id: true } } as const;
    const lapsed = await tx.shipment.findMany({ where: lapsedWhere(shopId, provider, now), take: limit, ...oldestFirst });
    const waiting = lapsed.length < limit ? await tx.shipment.findMany({ where: waitingWhere(shopId, provider), take: limit - lapsed.length, ...oldestFirst }) : [];
    const candidates = [...lapsed, ...waiting];
    if (candidates.length === 0) return [];
    // The condition is repeated so that, on PostgreSQL, a concurrent claimer that got there first wins the row.
    await tx.shipment.updateMany({
      where: { ...claimable, id: { in: candidates.map((candidate) => candidate.id) } },
      data: {
        registrationState: "registering",
        registrationClaim: claimToken,
        registrationLeaseUntil: new Date(now.getTime() + ctx.settings.registrationLeaseMs),
        registrationAttempts: { increment: 1 },
      },
    });
    const rows = await tx.shipment.findMany({
      where: { registrationClaim: claimToken },
      select: {
        id: true,
        trackingNumber: true,
        carrierCode: true,
        destinationCountry: true,
        fulfillments: { take: 1, select: { fulfillment: { select: { order: { select: { name: true } } } } } },
      },
    });
    return rows.map((row) => ({
      id: row.id,
      trackingNumber: row.trackingNumber,
      carrierCode: row.carrierCode,
      destinationCountry: row.destinationCountry,
      orderName: row.fulfillments[0]?.fulfillment.order.name ?? null,
    }));
  });
}

async function releaseClaim(ctx: ServiceContext, claimToken: string): Promise<void> {
  await ctx.db.prisma.shipment.updateMany({
    where: { registrationClaim: claimToken, registrationState: "registering" },
    data: { registrationState: "pending", registrationClaim: null, registrationLeaseUntil: null },
  });
}

/** Shipments whose carrier neither Shopify nor local detection could name are asked of the provider, one by one. */
async function withCarriers(
  ctx: ServiceContext,
  provider: TrackingProvider,
  claimed: ClaimedShipment[],
  claimToken: string,
  totals: { calls: number; rejected: number },
): Promise<TrackingRegistration[]> {
  const items: TrackingRegistration[] = [];
  for (const shipment of claimed) {
    let carrierCode = shipment.carrierCode;
    if (!carrierCode) {
      totals.calls++;
      const [detected] = await provider.detectCarrier(shipment.trackingNumber);
      if (detected) {
        carrierCode = detected;
        await ctx.db.prisma.shipment.updateMany({
          where: { id: shipment.id, registrationClaim: claimToken },
          data: { carrierCode, carrierSource: "provider" },
        });
      } else {
        totals.rejected++;
        await ctx.db.prisma.shipment.updateMany({
          where: { id: shipment.id, registrationClaim: claimToken },
          data: {
            registrationState: "failed",
            registrationClaim: null,
            registrationLeaseUntil: null,
            registrationError: "carrier_unknown: neither Shopify, the number format nor the provider could tell the carrier",
          },
        });
        continue;
      }
    }
    items.push({
      trackingNumber: shipment.trackingNumber,
      carrierCode,
      orderName: shipment.orderName,
      destinationCountry: shipment.destinationCountry,
    });
  }
  return items;
}

/** A "batch too large" answer (the provider's limit may be lower than documented) splits the batch in halves. */
async function registerSplittingOversizedBatches(
  provider: TrackingProvider,
  items: TrackingRegistration[],
  totals: { calls: number },
): Promise<RegistrationOutcome[]> {
  totals.calls++;
  try {
    return await provider.register(items);
  } catch (error) {
    if (!(error instanceof BatchTooLargeError) || items.length < 2) throw error;
    const middle = Math.ceil(items.length / 2);
    const first = await registerSplittingOversizedBatches(provider, items.slice(0, middle), totals);
    const second = await registerSplittingOversizedBatches(provider, items.slice(middle), totals);
    return [...first, ...second];
  }
}

interface Settled {
  registered: number;
  rejected: number;
  quotaRanOut: boolean;
  /** Registered with no data in the answer: nothing is known about these yet. */
  neverChecked: number;
  alreadyRegistered: Array<{ trackingNumber: string; carrierCode: string; providerTrackingId: string | null }>;
}

async function settleOutcomes(
  ctx: ServiceContext,
  shopId: string,
  { id: providerId, registrationBringsHistory }: Pick<TrackingProvider, "id" | "registrationBringsHistory">,
  claimToken: string,
  outcomes: RegistrationOutcome[],
): Promise<Settled> {
  const now = ctx.clock.now();
  const settled: Settled = { registered: 0, rejected: 0, quotaRanOut: false, alreadyRegistered: [], neverChecked: 0 };
  await ctx.db.prisma.$transaction(async (tx) => {
    for (const outcome of outcomes) {
      const mine = { shopId, trackingNumber: outcome.trackingNumber, registrationClaim: claimToken };
      if (outcome.kind === "rejected" && outcome.reason === "quota_exhausted") {
        settled.quotaRanOut = true;
        await tx.shipment.updateMany({ where: mine, data: { registrationState: "pending", registrationClaim: null, registrationLeaseUntil: null } });
        continue;
      }
      if (outcome.kind === "rejected") {
        settled.rejected++;
        await tx.shipment.updateMany({
          where: mine,
          data: {
            registrationState: "failed",
            registrationClaim: null,
            registrationLeaseUntil: null,
            registrationError: `${outcome.reason} (${outcome.code}): ${outcome.message}`,
          },
        });
        continue;
      }
      const updated = await tx.shipment.updateMany({
        where: mine,
        data: {
          registrationState: "registered",
          registrationClaim: null,
          registrationLeaseUntil: null,
          registrationError: null,
          registeredAt: now,
          subscriptionExpiresAt: outcome.kind === "registered" ? (outcome.subscriptionExpiresAt ?? null) : null,
          ...(outcome.providerTrackingId ? { providerTrackingId: outcome.providerTrackingId } : {}),
        },
      });
      if (updated.count === 0) {
        // The claim was lost while we registered: the number was removed from its fulfillment, or
        // the shop routed it to another provider. The provider we just told must forget it again.
        const shipment = await tx.shipment.findUnique({ where: { shopId_trackingNumber: { shopId, trackingNumber: outcome.trackingNumber } } });
        if (shipment && (shipment.registrationState === "stopped" || shipment.provider !== providerId)) {
          await enqueueStopAtProvider(tx, now, {
            shopId,
            shipmentId: shipment.id,
            provider: providerId,
            trackingNumber: shipment.trackingNumber,
            carrierCode: outcome.carrierCode,
            providerTrackingId: outcome.providerTrackingId,
          });
        }
        continue;
      }
      settled.registered++;
      if (outcome.kind === "already_registered") settled.alreadyRegistered.push(outcome);
      else if (!outcome.observation && !registrationBringsHistory) settled.neverChecked++;
    }
    // Anything the provider did not mention goes back to the queue rather than hanging in "registering".
    await tx.shipment.updateMany({
      where: { shopId, registrationClaim: claimToken, registrationState: "registering" },
      data: { registrationState: "pending", registrationClaim: null, registrationLeaseUntil: null },
    });
  });
  for (const outcome of outcomes) {
    if (outcome.kind === "registered" && outcome.observation) {
      await applyTrackingObservation(ctx, shopId, outcome.observation);
    }
  }
  if (settled.neverChecked > 0) {
    // UPS Track Alert forwards only new scans: the poller reads each new number's history now.
    await enqueueJob(ctx.db, now, JOB_TYPES.pollShipments, { shopId }, { shopId, singletonKey: `poll:${shopId}` });
  }
  return settled;
}

/** A number the provider already had (our earlier attempt got through before a crash, or another app added it): fetch what it knows. */
async function fetchAlreadyRegistered(
  ctx: ServiceContext,
  shopId: string,
  provider: TrackingProvider,
  items: Settled["alreadyRegistered"],
): Promise<void> {
  if (items.length === 0) return;
  const observations = await provider.fetch(items);
  for (const observation of observations) {
    await applyTrackingObservation(ctx, shopId, observation);
  }
}

async function blockForQuota(ctx: ServiceContext, account: ProviderAccountWithCredentials): Promise<void> {
  await blockProviderAccount(
    ctx,
    account.id,
    "quota_exhausted",
    new QuotaExhaustedError("the provider ran out of quota part-way through a batch", { service: account.provider }),
  );
}

/** Renew this long before a subscription lapses: two days of margin survive a worker outage over a weekend night. */
export const RENEWAL_MARGIN_MS = 48 * 60 * 60_000;

/**
 * Registrations that lapse (UPS Track Alert subscriptions last 14 days) go back to the queue
 * before they do, for shipments still on their way. Delivered or expired shipments, stopped ones
 * and uninstalled shops' are left to lapse. Returns the shops that now have renewals waiting.
 */
export async function queueSubscriptionRenewals(ctx: ServiceContext): Promise<string[]> {
  const now = ctx.clock.now();
  const due = {
    registrationState: "registered",
    subscriptionExpiresAt: { lt: new Date(now.getTime() + RENEWAL_MARGIN_MS) },
    status: { notIn: [...FINAL_STATUSES] },
    shop: { uninstalledAt: null },
  };
  const shops = await ctx.db.prisma.shipment.groupBy({ by: ["shopId"], where: due });
  if (shops.length === 0) return [];
  // `registeredAt` stays: it is what tells a renewal from a first registration.
  await ctx.db.prisma.shipment.updateMany({ where: due, data: { registrationState: "pending", version: { increment: 1 } } });
  return shops.map((group) => group.shopId);
}
