import { V2FamilyProvider, type RemainingQuota } from "~/adapters/trackingmore/v2-family-client.server";
import { carrierByCode } from "~/domain/carriers/registry";
import type { ProviderId } from "~/domain/tracking-observation";
import { performanceByCarrier, type TransitStats } from "~/domain/delivery-performance";
import type { Prisma } from "~/generated/prisma-sqlite/client";
import { accountFromRow, buildTrackingProvider } from "./provider-accounts.server";
import { problemFor, type ConnectionProblem } from "./provider-connection.server";
import { attentionThresholds, type AttentionReason } from "./shipment-index.server";
import { shopOverview, type ShopOverview } from "./overview.server";
import type { ServiceContext } from "./context.server";

/**
 * The home page: the overview (status counts kept by the pipeline), what needs the merchant's
 * attention, how each carrier performed lately, when provider data last arrived, and a first-run
 * checklist. Every query is a count over an index range that starts with the shop id, capped, or a
 * bounded read: the page costs the same for a shop with 1,000 shipments and one with 1,000,000.
 */

const DAY_MS = 24 * 60 * 60_000;
/** Attention counts above this show as "10,000+": counting further would cost as much as the shop is large. */
export const ATTENTION_COUNT_CAP = 10_000;
/** Delivery performance looks at deliveries of the last this many days… */
export const PERFORMANCE_WINDOW_DAYS = 90;
/** …and at most this many of them (the most recent), so that a large shop's page stays fast. */
export const PERFORMANCE_SAMPLE_LIMIT = 5_000;

export interface AttentionCount {
  reason: AttentionReason;
  count: number;
  /** True when there are more than `count` (the cap). */
  capped: boolean;
  /** The shipments index, filtered to (a superset of) these shipments. */
  href: string;
}

export interface CarrierPerformance extends TransitStats {
  carrierCode: string;
  carrierName: string;
}

export interface ShopDashboard extends ShopOverview {
  attention: AttentionCount[];
  performance: { windowDays: number; timeZone: string; carriers: CarrierPerformance[]; sampled: number; sampleLimited: boolean };
  sync: { lastProviderSuccessAt: string | null; lastDataReceivedAt: string | null };
  checklist: {
    visible: boolean;
    providerConnected: boolean;
    themeEditorUrl: string;
    dismissed: boolean;
  };
}

export async function shopDashboard(ctx: ServiceContext, shopDomain: string): Promise<ShopDashboard> {
  const overview = await shopOverview(ctx, shopDomain);
  const shop = await ctx.db.prisma.shop.findUnique({
    where: { domain: shopDomain },
    select: {
      id: true,
      stuckAfterDays: true,
      pendingTooLongDays: true,
      ianaTimezone: true,
      checklistDismissedAt: true,
      providerAccounts: { select: { lastSuccessAt: true } },
    },
  });
  const themeEditorUrl = `https://${shopDomain}/admin/themes/current/editor?context=apps`;
  const timeZone = validTimeZone(shop?.ianaTimezone);
  if (!shop) {
    return {
      ...overview,
      attention: [],
      performance: { windowDays: PERFORMANCE_WINDOW_DAYS, timeZone, carriers: [], sampled: 0, sampleLimited: false },
      sync: { lastProviderSuccessAt: null, lastDataReceivedAt: null },
      checklist: { visible: true, providerConnected: false, themeEditorUrl, dismissed: false },
    };
  }

  const now = ctx.clock.now();
  // The same thresholds and rules as the index's "needs attention" filter (attentionReasons).
  const { stuckBefore, pendingBefore } = attentionThresholds(now, shop);
  const capped = (where: Prisma.ShipmentWhereInput) =>
    ctx.db.prisma.shipment.count({ where, take: ATTENTION_COUNT_CAP + 1 });
  const [stuck, pendingTooLong, delivered, lastChecked] = await Promise.all([
    // Index (shopId, status, lastEventAt, createdAt): two ranges.
    capped({
      shopId: shop.id,
      status: "transit",
      OR: [{ lastEventAt: { lt: stuckBefore } }, { lastEventAt: null, createdAt: { lt: stuckBefore } }],
    }),
    // Index (shopId, status, createdAt, id).
    capped({ shopId: shop.id, status: { in: ["pending", "notfound"] }, createdAt: { lt: pendingBefore } }),
    // Index (shopId, status, deliveredAt): the most recent deliveries, bounded.
    ctx.db.prisma.shipment.findMany({
      where: { shopId: shop.id, status: "delivered", deliveredAt: { gte: new Date(now.getTime() - PERFORMANCE_WINDOW_DAYS * DAY_MS) } },
      orderBy: { deliveredAt: "desc" },
      take: PERFORMANCE_SAMPLE_LIMIT,
      select: { carrierCode: true, destinationCountry: true, shippedAt: true, deliveredAt: true, estimatedDeliveryAt: true },
    }),
    // Index (shopId, lastCheckedAt): one row.
    ctx.db.prisma.shipment.findFirst({
      where: { shopId: shop.id, lastCheckedAt: { not: null } },
      orderBy: { lastCheckedAt: "desc" },
      select: { lastCheckedAt: true },
    }),
  ]);

  const count = (value: number) => ({ count: Math.min(value, ATTENTION_COUNT_CAP), capped: value > ATTENTION_COUNT_CAP });
  const attention: AttentionCount[] = [
    { reason: "exception", ...count(overview.countsByStatus.exception), href: "/app/shipments?attention=1&status=exception" },
    { reason: "failed_attempt", ...count(overview.countsByStatus.undelivered), href: "/app/shipments?attention=1&status=undelivered" },
    { reason: "stuck", ...count(stuck), href: "/app/shipments?attention=1&status=transit" },
    { reason: "pending_too_long", ...count(pendingTooLong), href: "/app/shipments?attention=1&status=pending" },
    { reason: "registration_failed", ...count(overview.registration.failed), href: "/app/shipments?attention=1" },
  ];

  const history = delivered.flatMap((row) =>
    row.shippedAt && row.deliveredAt
      ? [{ carrierCode: row.carrierCode, destinationCountry: row.destinationCountry, shippedAt: row.shippedAt, deliveredAt: row.deliveredAt, estimatedDeliveryAt: row.estimatedDeliveryAt }]
      : [],
  );
  const carriers = performanceByCarrier(history, timeZone).map((stats) => ({
    ...stats,
    carrierName: carrierByCode(stats.carrierCode)?.name ?? stats.carrierCode,
  }));

  const successes = shop.providerAccounts.map((account) => account.lastSuccessAt).filter((at): at is Date => at !== null);
  const lastProviderSuccessAt = successes.length ? new Date(Math.max(...successes.map((at) => at.getTime()))) : null;
  const providerConnected = shop.providerAccounts.length > 0;
  const dismissed = shop.checklistDismissedAt !== null;
  return {
    ...overview,
    attention,
    performance: {
      windowDays: PERFORMANCE_WINDOW_DAYS,
      timeZone,
      carriers,
      sampled: history.length,
      sampleLimited: delivered.length >= PERFORMANCE_SAMPLE_LIMIT,
    },
    // Quota left needs a provider call: `providerQuotas`, loaded by the page after it renders.
    sync: { lastProviderSuccessAt: lastProviderSuccessAt?.toISOString() ?? null, lastDataReceivedAt: lastChecked?.lastCheckedAt?.toISOString() ?? null },
    checklist: { visible: !(providerConnected && dismissed), providerConnected, themeEditorUrl, dismissed },
  };
}

/** The merchant hid the first-run checklist; it stays hidden once a provider is connected. */
export async function dismissChecklist(ctx: ServiceContext, shopDomain: string): Promise<void> {
  await ctx.db.prisma.shop.updateMany({ where: { domain: shopDomain, checklistDismissedAt: null }, data: { checklistDismissedAt: ctx.clock.now() } });
}

function validTimeZone(zone: string | null | undefined): string {
  if (!zone) return "UTC";
  try {
    new Intl.DateTimeFormat("en", { timeZone: zone });
    return zone;
  } catch {
    return "UTC";
  }
}

/**
 * Quota left at each connected provider, for the dashboard's fetcher (never in the page's own
 * loader: a slow provider must not hold up the page). Only the v2 family (TrackingMore v2,
 * Tracktry) has an account endpoint; TrackingMore v4 and UPS document none, so they say
 * "not reported" without a call. A blocked account is not asked either: the page's banner already
 * tells the merchant what to do. Answers are kept per provider account (shops sharing a key share
 * it) for QUOTA_CACHE_MS, and one call serves everyone asking at once, so reloading the dashboard
 * does not spend the account's 1 request/s that tracking needs.
 */
export type ProviderQuota =
  | { provider: ProviderId; state: "remaining"; remaining: number }
  | { provider: ProviderId; state: "not_reported" }
  | { provider: ProviderId; state: "blocked" }
  | { provider: ProviderId; state: "unavailable"; problem: ConnectionProblem };

export const QUOTA_CACHE_MS = 5 * 60_000;
/** Failures are kept for less time: a provider that was busy should get another chance soon. */
export const QUOTA_FAILURE_CACHE_MS = 60_000;

const quotaCache = new Map<string, { expiresAt: number; answer: Promise<ProviderQuota> }>();

/** Empties the per-process quota cache (tests that reuse an account across cases). */
export function forgetProviderQuotas(): void {
  quotaCache.clear();
}

export async function providerQuotas(ctx: ServiceContext, shopDomain: string): Promise<ProviderQuota[]> {
  const rows = await ctx.db.prisma.providerAccount.findMany({
    where: { shop: { domain: shopDomain } },
    orderBy: { provider: "asc" },
  });
  return Promise.all(
    rows.map(async (row): Promise<ProviderQuota> => {
      const provider = row.provider as ProviderId;
      if (row.blockedReason) return { provider, state: "blocked" };
      const reportsQuota = provider === "tracktry" || (provider === "trackingmore" && row.apiVersion === "v2");
      if (!reportsQuota) return { provider, state: "not_reported" };
      const key = `${provider}:${row.accountFingerprint}`;
      const now = ctx.clock.now().getTime();
      const cached = quotaCache.get(key);
      if (cached && cached.expiresAt > now) return cached.answer;
      const answer = askForQuota(ctx, row).then((result) => {
        if (result.state === "unavailable") quotaCache.set(key, { expiresAt: now + QUOTA_FAILURE_CACHE_MS, answer });
        return result;
      });
      quotaCache.set(key, { expiresAt: now + QUOTA_CACHE_MS, answer });
      return answer;
    }),
  );
}

async function askForQuota(ctx: ServiceContext, row: Parameters<typeof accountFromRow>[1]): Promise<ProviderQuota> {
  const provider = row.provider as ProviderId;
  try {
    const client = await buildTrackingProvider(ctx, accountFromRow(ctx, row));
    const quota: RemainingQuota = client instanceof V2FamilyProvider ? await client.quota() : null;
    return quota ? { provider, state: "remaining", remaining: quota.remaining } : { provider, state: "not_reported" };
  } catch (error) {
    const problem = problemFor(error);
    ctx.log.warn({ provider, problem, error: error instanceof Error ? error.message : String(error) }, "provider quota not available");
    return { provider, state: "unavailable", problem };
  }
}
