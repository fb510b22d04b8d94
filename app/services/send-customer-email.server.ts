import { configuredMailTransport, type MailTransport } from "~/adapters/email/smtp-transport.server";
import { isExternalServiceError } from "~/domain/errors";
import { isMilestone, sendTimeDecision, type Milestone } from "~/domain/notification-milestones";
import { isShipmentStatus } from "~/domain/shipment-status";
import { trackingPageInput, trackingPageItemsFrom } from "~/domain/tracking-page";
import { renderCustomerEmail } from "~/email/customer-email";
import type { ServiceContext } from "./context.server";
import { loadNotificationSettings, type NotificationSettings } from "./notification-settings.server";
import { consumeRateLimit } from "./rate-limit.server";
import { trackingPageUrl } from "./tracking-links.server";
import { emailAddressHash, unsubscribeUrl } from "./unsubscribe-links.server";

/**
 * Sends one outbox row (CustomerNotification) to the customer, at most once. See
 * docs/decisions/0016-customer-email-exactly-once.md.
 *
 * - The row is claimed (queued → sending) by one conditional update, so two workers cannot both
 *   send it; a row left in "sending" by a crashed worker is claimed again once its lease is over
 *   and sent with the SAME Message-ID, fixed from the row's id before the first attempt.
 * - Just before sending everything is checked again: the milestone may have been switched off,
 *   the order may have no address or be unsubscribed, the parcel may have moved on.
 * - Per-shop sending rate: over the limit, the job comes back when the window ends.
 * - A temporary SMTP failure puts the row back to "queued" and throws, so the job is retried with
 *   backoff (retry-policy.ts); a permanent one, or the last attempt, records "failed" with why.
 */

export type SendCustomerEmailResult =
  | "SENT"
  | "SKIPPED"
  | "FAILED"
  | "ALREADY_SETTLED"
  | "IN_PROGRESS_ELSEWHERE"
  | "RATE_LIMITED"
  | "MISSING";

export interface SendCustomerEmailOutcome {
  result: SendCustomerEmailResult;
  reason?: string;
  /** Come back after this long without counting an attempt (rate limit, another worker's lease). */
  retryInMs?: number;
}

/** Words the admin's e-mail log translates. */
export type EmailSkipReason =
  | "disabled"
  | "stale"
  | "superseded"
  | "no_email"
  | "unsubscribed"
  | "uninstalled"
  | "not_configured"
  /** An earlier attempt was cut off (its worker stopped) and is not repeated: it may have reached the customer. */
  | "interrupted";

const MAX_EVENTS_IN_EMAIL = 20;
const RATE_WINDOW_MS = 60_000;

export function customerEmailMessageId(notificationId: string, appUrl: string): string {
  return `<${notificationId}@${new URL(appUrl).hostname}>`;
}

export function customerEmailRateLimitKey(shopId: string): string {
  return `email:${shopId}`;
}

export async function sendCustomerEmail(
  ctx: ServiceContext,
  notificationId: string,
  options: { finalAttempt: boolean; transport?: MailTransport },
): Promise<SendCustomerEmailOutcome> {
  const prisma = ctx.db.prisma;
  const now = ctx.clock.now();
  const row = await prisma.customerNotification.findUnique({ where: { id: notificationId } });
  if (!row) return { result: "MISSING" };
  if (row.state !== "queued" && row.state !== "sending") return { result: "ALREADY_SETTLED" };
  const leaseMs = ctx.settings.email.sendingLeaseMs;
  if (row.state === "sending" && row.sendingStartedAt && now.getTime() - row.sendingStartedAt.getTime() < leaseMs) {
    return { result: "IN_PROGRESS_ELSEWHERE", retryInMs: leaseMs - (now.getTime() - row.sendingStartedAt.getTime()) };
  }

  const context = await loadSendContext(ctx, row.shipmentId);
  const settings = await loadNotificationSettings(ctx, row.shopId);
  const skip = async (why: EmailSkipReason): Promise<SendCustomerEmailOutcome> => {
    // A row still "sending" had an attempt whose worker stopped before recording its outcome: the
    // server may have accepted that message. The log must not claim it was never sent.
    const reason: EmailSkipReason = row.state === "sending" ? "interrupted" : why;
    await prisma.customerNotification.updateMany({
      where: { id: row.id, state: row.state, attempts: row.attempts },
      data: { state: "skipped", reason, lastError: reason === why ? row.lastError : `not repeated: ${why}`, updatedAt: now },
    });
    return { result: "SKIPPED", reason };
  };

  if (!context || context.shop.uninstalledAt) return skip("uninstalled");
  const { shipment, order, shop } = context;
  if (!order?.email || order.redactedAt) return skip("no_email");
  if (!isMilestone(row.milestone)) return skip("disabled");
  const milestone: Milestone = row.milestone;
  if (await isSuppressed(ctx, shop.id, order.id, order.email)) return skip("unsubscribed");
  const sent = shipment.customerNotifications.filter((other) => other.id !== row.id);
  const decision = sendTimeDecision({
    milestone,
    occurredAt: row.occurredAt,
    enabled: settings.milestones[milestone].enabled,
    current: { status: isShipmentStatus(shipment.status) ? shipment.status : "pending" },
    alreadySent: sent.flatMap((other) => (isMilestone(other.milestone) ? [{ milestone: other.milestone, occurredAt: other.occurredAt }] : [])),
  });
  if (!decision.send) return skip(decision.reason);
  // No SMTP server configured (SMTP_URL unset): this installation sends no e-mails.
  const transport = options.transport ?? configuredMailTransport(ctx.settings.email);
  if (!transport) return skip("not_configured");

  const rate = await consumeRateLimit(ctx.db, { key: customerEmailRateLimitKey(shop.id), limit: settings.emailsPerMinute, windowMs: RATE_WINDOW_MS, now });
  if (!rate.allowed) return { result: "RATE_LIMITED", retryInMs: rate.retryAfterMs };

  const messageId = row.messageId ?? customerEmailMessageId(row.id, ctx.settings.appUrl);
  const claimed = await prisma.customerNotification.updateMany({
    where: { id: row.id, state: row.state, attempts: row.attempts },
    data: { state: "sending", sendingStartedAt: now, attempts: { increment: 1 }, messageId, updatedAt: now },
  });
  if (claimed.count === 0) return { result: "IN_PROGRESS_ELSEWHERE" };

  const email = composeEmail(ctx, { row: { ...row, milestone }, context: { shipment, order: { ...order, email: order.email }, shop }, settings, messageId, now });
  try {
    await transport.send(email);
  } catch (error) {
    const message = error instanceof Error ? error.message.slice(0, 1_000) : String(error);
    const permanent = isExternalServiceError(error) && !error.retryable;
    if (permanent || options.finalAttempt) {
      const reason = permanent ? "rejected" : "gave_up";
      await prisma.customerNotification.updateMany({
        where: { id: row.id, state: "sending" },
        data: { state: "failed", reason, lastError: message, updatedAt: ctx.clock.now() },
      });
      return { result: "FAILED", reason };
    }
    await prisma.customerNotification.updateMany({
      where: { id: row.id, state: "sending" },
      data: { state: "queued", sendingStartedAt: null, lastError: message, updatedAt: ctx.clock.now() },
    });
    throw error;
  }
  await prisma.customerNotification.updateMany({
    where: { id: row.id, state: "sending" },
    data: { state: "sent", sentAt: ctx.clock.now(), lastError: null, reason: null, updatedAt: ctx.clock.now() },
  });
  return { result: "SENT" };
}


async function isSuppressed(ctx: ServiceContext, shopId: string, orderId: string, email: string): Promise<boolean> {
  const found = await ctx.db.prisma.emailSuppression.findFirst({
    where: {
      shopId,
      OR: [
        { scope: "order", subject: orderId },
        { scope: "customer", subject: emailAddressHash(email) },
      ],
    },
    select: { id: true },
  });
  return found !== null;
}

async function loadSendContext(ctx: ServiceContext, shipmentId: string) {
  const shipment = await ctx.db.prisma.shipment.findUnique({
    where: { id: shipmentId },
    include: {
      shop: { select: { id: true, domain: true, ianaTimezone: true, uninstalledAt: true } },
      customerNotifications: { where: { state: "sent" }, select: { id: true, milestone: true, occurredAt: true } },
      events: {
        orderBy: { occurredAt: "desc" },
        take: MAX_EVENTS_IN_EMAIL,
        select: { occurredAt: true, zoneKnown: true, status: true, substatus: true, description: true, city: true, state: true, countryCode: true },
      },
      fulfillments: {
        orderBy: { createdAt: "asc" },
        select: {
          fulfillment: {
            select: {
              lineItems: true,
              order: { select: { id: true, name: true, email: true, customerFirstName: true, locale: true, createdAt: true, redactedAt: true } },
            },
          },
        },
      },
    },
  });
  if (!shipment) return null;
  return { shipment, shop: shipment.shop, order: shipment.fulfillments[0]?.fulfillment.order ?? null };
}

type SendContext = NonNullable<Awaited<ReturnType<typeof loadSendContext>>>;

function parseJson(value: string | null): unknown {
  if (!value) return null;
  try {
    return JSON.parse(value);
  } catch {
    return null;
  }
}

function shopDisplayName(settings: NotificationSettings, shopDomain: string): string {
  return settings.senderName ?? shopDomain.replace(/\.myshopify\.com$/, "");
}

function composeEmail(
  ctx: ServiceContext,
  input: {
    row: { id: string; milestone: Milestone };
    context: { shipment: SendContext["shipment"]; order: NonNullable<SendContext["order"]> & { email: string }; shop: SendContext["shop"] };
    settings: NotificationSettings;
    messageId: string;
    now: Date;
  },
) {
  const { shipment, order, shop } = input.context;
  const { settings } = input;
  const secret = ctx.settings.shopifyApiSecret;
  const shopName = shopDisplayName(settings, shop.domain);
  const unsubscribe = unsubscribeUrl(ctx.settings.appUrl, secret, shop.domain, order.id, order.email);
  const page = trackingPageInput(
    shipment,
    order,
    shipment.fulfillments.flatMap(({ fulfillment }) => trackingPageItemsFrom(parseJson(fulfillment.lineItems))),
  );
  const milestoneSettings = settings.milestones[input.row.milestone];
  const rendered = renderCustomerEmail({
    milestone: input.row.milestone,
    orderLocale: order.locale,
    branding: { shopName, logoUrl: settings.logoUrl, accentColor: settings.accentColor, timeZone: shop.ianaTimezone ?? "UTC" },
    texts: { subject: milestoneSettings.subject ?? undefined, intro: milestoneSettings.intro ?? undefined },
    customerFirstName: order.customerFirstName,
    orderName: order.name,
    shipment: page,
    now: input.now,
    trackingUrl: trackingPageUrl(secret, shop.domain, order.id),
    unsubscribeUrl: unsubscribe,
  });
  const fromAddress = ctx.settings.email.fromAddress;
  return {
    from: { name: shopName, address: fromAddress },
    to: order.email,
    replyTo: settings.replyTo,
    subject: rendered.subject,
    html: rendered.html,
    text: rendered.text,
    messageId: input.messageId,
    headers: {
      // RFC 2369 and RFC 8058: mail clients show an unsubscribe button that POSTs to the https address.
      "List-Unsubscribe": `<${unsubscribe}>, <mailto:${fromAddress}?subject=unsubscribe>`,
      "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
      "Auto-Submitted": "auto-generated",
    },
  };
}
