import { randomUUID } from "node:crypto";
import { configuredMailTransport, type MailTransport } from "~/adapters/email/smtp-transport.server";
import { isExternalServiceError } from "~/domain/errors";
import { MILESTONES, type Milestone } from "~/domain/notification-milestones";
import type { TrackingPageShipmentInput } from "~/domain/tracking-page";
import { renderCustomerEmail, SAMPLE_EMAIL_INPUT, type CustomerEmailInput, type RenderedEmail } from "~/email/customer-email";
import type { ServiceContext } from "./context.server";
import { loadNotificationSettings, notificationSettingsInputSchema, type NotificationSettings } from "./notification-settings.server";
import { consumeRateLimit } from "./rate-limit.server";

/**
 * The Notifications page's preview and test e-mail: the customer e-mail of a milestone for a sample
 * order, rendered with the shop's settings as they stand on the page (saved or not). A field the
 * merchant is still typing (an invalid colour, half a URL) keeps its saved value in the preview;
 * saving is what reports it. Test e-mails go through the real transport to an address the merchant
 * types, a few per window per shop, so the page cannot be used to send mail in bulk.
 */

export const TEST_EMAILS_PER_WINDOW = 5;
export const TEST_EMAIL_WINDOW_MS = 10 * 60_000;

export type TestEmailOutcome =
  | { ok: true; to: string }
  | { ok: false; reason: "rate_limited"; retryAfterMs: number }
  | { ok: false; reason: "not_configured" }
  | { ok: false; reason: "smtp_failed"; message: string };

export function testEmailRateLimitKey(shopId: string): string {
  return `test-email:${shopId}`;
}

/** The saved settings with every valid field the page sent laid over them. */
export function settingsWithChanges(saved: NotificationSettings, changes: unknown): NotificationSettings {
  const raw = changes && typeof changes === "object" && !Array.isArray(changes) ? (changes as Record<string, unknown>) : {};
  const shape = notificationSettingsInputSchema.shape;
  const merged: NotificationSettings = { ...saved, milestones: { ...saved.milestones } };
  for (const key of ["senderName", "replyTo", "logoUrl", "accentColor"] as const) {
    const parsed = shape[key].safeParse(raw[key]);
    if (parsed.success && parsed.data !== undefined) merged[key] = parsed.data;
  }
  const milestones = raw.milestones && typeof raw.milestones === "object" ? (raw.milestones as Record<string, unknown>) : {};
  for (const milestone of MILESTONES) {
    const fields = milestones[milestone] && typeof milestones[milestone] === "object" ? (milestones[milestone] as Record<string, unknown>) : {};
    const current = { ...merged.milestones[milestone] };
    for (const field of ["subject", "intro"] as const) {
      const parsed = shape.milestones.safeParse({ [milestone]: { [field]: fields[field] } });
      const value = parsed.success ? parsed.data?.[milestone]?.[field] : undefined;
      if (value !== undefined) current[field] = value;
    }
    merged.milestones[milestone] = current;
  }
  return merged;
}

/** The sample parcel at the moment each milestone stands for (the sample order is out for delivery). */
function sampleShipment(milestone: Milestone): TrackingPageShipmentInput {
  const base = SAMPLE_EMAIL_INPUT.shipment;
  const [pickedUp, atDepot] = base.events;
  const withEvent = (status: string, substatus: string, description: string, extra: Partial<TrackingPageShipmentInput> = {}): TrackingPageShipmentInput => {
    const occurredAt = new Date("2026-11-24T10:15:00Z");
    return {
      ...base,
      status,
      substatus,
      lastEventAt: occurredAt,
      lastEventDescription: description,
      events: [...base.events, { occurredAt, zoneKnown: true, status, substatus, description, city: "London", state: null, countryCode: "GB" }],
      ...extra,
    };
  };
  switch (milestone) {
    case "shipped":
      return { ...base, status: "transit", substatus: "in_transit", events: [pickedUp!], lastEventAt: pickedUp!.occurredAt, lastEventDescription: pickedUp!.description };
    case "new_delivery_date":
      return {
        ...base,
        status: "transit",
        substatus: "arrived_at_delivery_facility",
        events: [pickedUp!, atDepot!],
        lastEventAt: atDepot!.occurredAt,
        lastEventDescription: atDepot!.description,
        estimatedDeliveryAt: new Date("2026-11-26T00:00:00Z"),
      };
    case "delivered":
      return withEvent("delivered", "left_at_door", "Delivered, left at the front door", { deliveredAt: new Date("2026-11-24T10:15:00Z") });
    case "failed_attempt":
      return withEvent("undelivered", "recipient_not_home", "Delivery attempted: nobody at home");
    case "exception":
      return withEvent("exception", "address_issue", "The carrier could not find the address");
    case "available_for_pickup":
      return withEvent("pickup", "ready_for_collection", "Ready for collection at the local access point");
    case "out_for_delivery":
      return base;
  }
}

function sampleEmailInput(milestone: Milestone, settings: NotificationSettings, shopDomain: string, timeZone: string | null): CustomerEmailInput {
  const texts = settings.milestones[milestone];
  return {
    ...SAMPLE_EMAIL_INPUT,
    milestone,
    branding: {
      shopName: settings.senderName ?? shopDomain.replace(/\.myshopify\.com$/, ""),
      logoUrl: settings.logoUrl,
      accentColor: settings.accentColor,
      timeZone: timeZone ?? SAMPLE_EMAIL_INPUT.branding.timeZone,
    },
    texts: { subject: texts.subject ?? undefined, intro: texts.intro ?? undefined },
    trackingUrl: `https://${shopDomain}/apps/track`,
    shipment: sampleShipment(milestone),
  };
}

async function shopForPreview(ctx: ServiceContext, shopId: string) {
  return ctx.db.prisma.shop.findUniqueOrThrow({ where: { id: shopId }, select: { domain: true, ianaTimezone: true } });
}

export async function previewCustomerEmail(ctx: ServiceContext, shopId: string, input: { milestone: Milestone; changes: unknown }): Promise<RenderedEmail> {
  const shop = await shopForPreview(ctx, shopId);
  const settings = settingsWithChanges(await loadNotificationSettings(ctx, shopId), input.changes);
  return renderCustomerEmail(sampleEmailInput(input.milestone, settings, shop.domain, shop.ianaTimezone));
}

/** Sends the previewed e-mail to `to` (an address the caller validated), marked as a test. */
export async function sendTestEmail(
  ctx: ServiceContext,
  shopId: string,
  input: { to: string; milestone: Milestone; changes: unknown },
  options: { transport?: MailTransport } = {},
): Promise<TestEmailOutcome> {
  const { fromAddress } = ctx.settings.email;
  const transport = options.transport ?? configuredMailTransport(ctx.settings.email);
  if (!transport) return { ok: false, reason: "not_configured" };
  const rate = await consumeRateLimit(ctx.db, { key: testEmailRateLimitKey(shopId), limit: TEST_EMAILS_PER_WINDOW, windowMs: TEST_EMAIL_WINDOW_MS, now: ctx.clock.now() });
  if (!rate.allowed) return { ok: false, reason: "rate_limited", retryAfterMs: rate.retryAfterMs };

  const shop = await shopForPreview(ctx, shopId);
  const settings = settingsWithChanges(await loadNotificationSettings(ctx, shopId), input.changes);
  const emailInput = sampleEmailInput(input.milestone, settings, shop.domain, shop.ianaTimezone);
  const rendered = renderCustomerEmail(emailInput);
  try {
    await transport.send({
      from: { name: emailInput.branding.shopName, address: fromAddress },
      to: input.to,
      replyTo: settings.replyTo,
      subject: `[Test] ${rendered.subject}`,
      html: rendered.html,
      text: rendered.text,
      messageId: `<test.${randomUUID()}@${new URL(ctx.settings.appUrl).hostname}>`,
      headers: { "Auto-Submitted": "auto-generated" },
    });
  } catch (error) {
    if (isExternalServiceError(error)) return { ok: false, reason: "smtp_failed", message: error.message };
    throw error;
  }
  return { ok: true, to: input.to };
}
