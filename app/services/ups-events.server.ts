import { parseTrackAlertEvent } from "~/adapters/ups/webhook";
import { applyTrackingObservation } from "./apply-tracking-update.server";
import type { ServiceContext } from "./context.server";
import { countIgnoredEvent } from "./receive-webhooks.server";

export type UpsEventResult =
  | { result: "INVALID_EVENT"; reason: string }
  | { result: "IGNORED_SHOP_INACTIVE" | "IGNORED_UNKNOWN_TRACKING" | "UPDATED" | "NO_CHANGE" };

/**
 * Apply one stored Track Alert event. Events for numbers the shop does not track with UPS (never
 * added, removed from the order, or routed elsewhere since) are counted on the UPS account and
 * dropped: UPS keeps pushing until the subscription lapses, and there is no unsubscribe.
 */
export async function applyUpsTrackAlertEvent(ctx: ServiceContext, shopId: string, rawBody: string): Promise<UpsEventResult> {
  const parsed = parseTrackAlertEvent(rawBody);
  if (!parsed.ok) return { result: "INVALID_EVENT", reason: parsed.reason };
  const shop = await ctx.db.prisma.shop.findUnique({ where: { id: shopId }, select: { uninstalledAt: true } });
  if (!shop || shop.uninstalledAt) return { result: "IGNORED_SHOP_INACTIVE" };
  const applied = await applyTrackingObservation(ctx, shopId, parsed.observation);
  if (applied.result === "UPDATED" || applied.result === "NO_CHANGE") return { result: applied.result };
  const account = await ctx.db.prisma.providerAccount.findUnique({ where: { shopId_provider: { shopId, provider: "ups" } }, select: { id: true } });
  if (account) await countIgnoredEvent(ctx, account.id);
  return { result: "IGNORED_UNKNOWN_TRACKING" };
}
