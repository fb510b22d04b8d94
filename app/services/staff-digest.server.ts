import { configuredMailTransport, type MailTransport } from "~/adapters/email/smtp-transport.server";
import { providerLabel } from "~/components/shipment-labels";
import { isExternalServiceError } from "~/domain/errors";
import { renderStaffDigest, type StaffDigestInput } from "~/email/staff-digest";
import { createTranslator, DEFAULT_LOCALE, type MessageKey } from "~/i18n/catalogue";
import type { ServiceContext } from "./context.server";
import { shopDashboard } from "./dashboard.server";
import { notificationSettingsFromRow } from "./notification-settings.server";
import { attentionThresholds, countShipmentsNeedingAttention, listShipments, SHIPMENT_PAGE_SIZE } from "./shipment-index.server";

/**
 * The daily e-mail to a shop's staff listing what needs attention: the dashboard's counts per
 * reason, the first page of the shipments index's "needs attention" filter (the same rules, never a
 * second copy of them), and tracking providers that stopped (ProviderAccount.blockedReason).
 *
 * At most one per shop-local day: the day is claimed on ShopNotificationSettings.lastDigestDate by
 * one conditional update before anything is sent, so a second run that day (a duplicate job, a
 * second worker) finds it taken. A temporary SMTP failure gives the day back and throws, so the
 * job is retried (so does a failure while gathering it); a permanent one keeps it (tomorrow's
 * digest is the next try). A crash between the claim and the send loses that day's digest rather
 * than risk sending it twice.
 */

export type StaffDigestResult =
  | "SENT"
  | "NOTHING_TO_REPORT"
  | "ALREADY_SENT_TODAY"
  | "DISABLED"
  | "NO_RECIPIENT"
  | "NOT_CONFIGURED"
  | "UNINSTALLED"
  | "FAILED"
  | "MISSING";

/** Shipments listed by name in one digest (the index's page size); the rest are counted. */
export const DIGEST_LISTED_SHIPMENTS = SHIPMENT_PAGE_SIZE;
/** Counting stops here ("more than 10,000"): counting further would cost as much as the shop is large. */
export const DIGEST_COUNT_CAP = 10_000;
/** The scheduler queues the digest from this shop-local hour on, so it arrives in the morning. */
export const DIGEST_LOCAL_HOUR = 8;

/** The calendar day (YYYY-MM-DD) and hour at `now` in the shop's zone (UTC when unknown or invalid). */
export function shopLocalTime(now: Date, timeZone: string | null | undefined): { date: string; hour: number } {
  let zone = timeZone || "UTC";
  try {
    new Intl.DateTimeFormat("en", { timeZone: zone });
  } catch {
    zone = "UTC";
  }
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat("en-CA", { timeZone: zone, year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", hourCycle: "h23" })
      .formatToParts(now)
      .map((part) => [part.type, part.value]),
  );
  return { date: `${parts.year}-${parts.month}-${parts.day}`, hour: Number(parts.hour) };
}

/** A page of the embedded app inside Shopify admin (admin opens an app by its client id as well as its handle). */
export function shopifyAdminAppUrl(shopDomain: string, apiKey: string, appPath: string): string {
  const store = shopDomain.replace(/\.myshopify\.com$/, "");
  return `https://admin.shopify.com/store/${encodeURIComponent(store)}/apps/${encodeURIComponent(apiKey)}${appPath}`;
}

export async function sendStaffDigest(
  ctx: ServiceContext,
  shopId: string,
  options: { transport?: MailTransport } = {},
): Promise<{ result: StaffDigestResult; to?: string }> {
  const prisma = ctx.db.prisma;
  const now = ctx.clock.now();
  const shop = await prisma.shop.findUnique({
    where: { id: shopId },
    select: {
      id: true,
      domain: true,
      ianaTimezone: true,
      uninstalledAt: true,
      stuckAfterDays: true,
      pendingTooLongDays: true,
      notificationSettings: true,
      providerAccounts: { select: { provider: true, blockedReason: true, blockedMessage: true }, orderBy: { provider: "asc" } },
    },
  });
  if (!shop) return { result: "MISSING" };
  if (shop.uninstalledAt) return { result: "UNINSTALLED" };
  const settings = notificationSettingsFromRow(shop.notificationSettings);
  if (!settings.staffDigestEnabled) return { result: "DISABLED" };
  const to = settings.staffEmail;
  if (!to) return { result: "NO_RECIPIENT" };
  const today = shopLocalTime(now, shop.ianaTimezone).date;
  if (settings.lastDigestDate === today) return { result: "ALREADY_SENT_TODAY" };
  const transport = options.transport ?? configuredMailTransport(ctx.settings.email);
  if (!transport) return { result: "NOT_CONFIGURED" };

  // The staff e-mail is set, so the settings row exists: claim today on it.
  const claimed = await prisma.shopNotificationSettings.updateMany({
    where: { shopId, OR: [{ lastDigestDate: null }, { lastDigestDate: { not: today } }] },
    data: { lastDigestDate: today },
  });
  if (claimed.count === 0) return { result: "ALREADY_SENT_TODAY" };
  const giveDayBack = () =>
    prisma.shopNotificationSettings.updateMany({ where: { shopId, lastDigestDate: today }, data: { lastDigestDate: settings.lastDigestDate } });

  try {
    const digest = await digestContent(ctx, shop, today);
    if (!digest) return { result: "NOTHING_TO_REPORT" };
    const rendered = renderStaffDigest(digest);
    await transport.send({
      from: { name: "Tracklight", address: ctx.settings.email.fromAddress },
      to,
      subject: rendered.subject,
      html: rendered.html,
      text: rendered.text,
      messageId: `<digest.${shop.id}.${today}@${new URL(ctx.settings.appUrl).hostname}>`,
      headers: { "Auto-Submitted": "auto-generated" },
    });
  } catch (error) {
    // Refused for good (a bad address): tomorrow's digest is the next try. Anything else: the job retries today's.
    if (isExternalServiceError(error) && !error.retryable) {
      ctx.log.warn({ shopId, error: error.message }, "staff digest refused by the mail server");
      return { result: "FAILED" };
    }
    await giveDayBack();
    throw error;
  }
  return { result: "SENT", to };
}

type DigestShop = {
  id: string;
  domain: string;
  stuckAfterDays: number;
  pendingTooLongDays: number;
  providerAccounts: Array<{ provider: string; blockedReason: string | null; blockedMessage: string | null }>;
};

/** What the digest says, or null when nothing needs attention. */
async function digestContent(ctx: ServiceContext, shop: DigestShop, localDate: string): Promise<StaffDigestInput | null> {
  const t = createTranslator(DEFAULT_LOCALE);
  const providerProblems = shop.providerAccounts.flatMap((account) => {
    if (!account.blockedReason) return [];
    const key = `providerProblems.${account.blockedReason}` as MessageKey;
    const known = t(key);
    return [{ provider: providerLabel(account.provider), problem: known === key ? (account.blockedMessage ?? account.blockedReason) : known }];
  });
  const thresholds = attentionThresholds(ctx.clock.now(), shop);
  const total = await countShipmentsNeedingAttention(ctx, shop.id, thresholds, DIGEST_COUNT_CAP);
  if (total === 0 && providerProblems.length === 0) return null;

  const appUrl = (path: string) => shopifyAdminAppUrl(shop.domain, ctx.settings.shopifyApiKey, path);
  const [dashboard, page] = await Promise.all([shopDashboard(ctx, shop.domain), listShipments(ctx, shop.id, { attention: true, sort: "last_update" })]);
  return {
    shopName: shop.domain.replace(/\.myshopify\.com$/, ""),
    localDate,
    stuckAfterDays: shop.stuckAfterDays,
    pendingTooLongDays: shop.pendingTooLongDays,
    providerProblems,
    reasonCounts: dashboard.attention.filter((entry) => entry.count > 0).map((entry) => ({ reason: entry.reason, count: entry.count, capped: entry.capped, url: appUrl(entry.href) })),
    shipments: page.rows.slice(0, DIGEST_LISTED_SHIPMENTS).map((row) => ({
      trackingNumber: row.trackingNumber,
      carrierName: row.carrierName,
      orderName: row.orderName,
      reasons: row.attention,
      lastEventAt: row.lastEventAt ? new Date(row.lastEventAt) : null,
      url: appUrl(`/app/shipments/${row.id}`),
    })),
    total: Math.min(total, DIGEST_COUNT_CAP),
    totalCapped: total > DIGEST_COUNT_CAP,
    allUrl: appUrl("/app/shipments?attention=1"),
  };
}

