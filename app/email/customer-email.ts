/**
 * The customer e-mail for one milestone of one shipment: subject, responsive HTML and a plain-text
 * part, in the customer's language. The status wording (headline, what to do, estimate, timeline)
 * is the tracking page's own (`buildTrackingPageShipment`), so the e-mail and the page never
 * disagree. Pure: the sender loads the rows; the admin preview passes `SAMPLE_EMAIL_INPUT`.
 *
 * HTML for mail clients: nested tables, inline styles, a 600 px column that shrinks on phones,
 * a "bulletproof" table-cell button (Outlook ignores padding on links), no external CSS or
 * scripts. Everything that comes from a carrier, the merchant or the customer is escaped, and
 * only https images and http(s) links are used.
 */
import { escapeHtml } from "~/lib/escape-html";
import { buildTrackingPageShipment, type TrackingPageShipmentInput } from "~/domain/tracking-page";
import type { Milestone, MilestoneSetting } from "~/domain/notification-milestones";
import type { StorefrontLocale, TrackingPageShipment } from "~/domain/tracking-page-contract";
import { customerEmailLocale, customerEmailTranslator, type CustomerEmailTranslate } from "./catalogue";

export interface CustomerEmailBranding {
  /** Shown as the sender and in the footer. */
  shopName: string;
  logoUrl: string | null;
  /** "#RRGGBB" or "#RGB"; anything else falls back to the default. */
  accentColor: string | null;
  /** The shop's IANA zone: days and times are the shop's, like on the tracking page. */
  timeZone: string;
}

export interface CustomerEmailInput {
  milestone: Milestone;
  /** Order.locale ("fr-CA"); null → English. */
  orderLocale: string | null;
  branding: CustomerEmailBranding;
  /** The merchant's own subject/intro for this milestone (placeholders allowed); null → defaults. */
  texts: Pick<MilestoneSetting, "subject" | "intro"> | null;
  customerFirstName: string | null;
  orderName: string | null;
  /** The shipment as the tracking page reads it, with the items of this shipment's fulfillments. */
  shipment: TrackingPageShipmentInput;
  now: Date;
  /** The signed per-order tracking page link. */
  trackingUrl: string;
  /** One-click unsubscribe page; null in previews and test e-mails. */
  unsubscribeUrl: string | null;
}

export interface RenderedEmail {
  locale: StorefrontLocale;
  subject: string;
  html: string;
  text: string;
}

export const DEFAULT_ACCENT_COLOR = "#1f5fa6";

/** Placeholders merchants may use in their own subject and intro. */
export const EMAIL_PLACEHOLDERS = ["first_name", "order_name", "shop_name", "tracking_number"] as const;

export function renderCustomerEmail(input: CustomerEmailInput): RenderedEmail {
  const locale = customerEmailLocale(input.orderLocale);
  const t = customerEmailTranslator(locale);
  const page = buildTrackingPageShipment(input.shipment, { locale, timeZone: input.branding.timeZone, now: input.now });
  const params = {
    first_name: input.customerFirstName?.trim() ?? "",
    order_name: input.orderName ?? "",
    shop_name: input.branding.shopName,
    tracking_number: input.shipment.trackingNumber,
  };
  const subject = oneLine(fillPlaceholders(input.texts?.subject?.trim() || t(`milestone.${input.milestone}.subject`), params));
  const intro = fillPlaceholders(input.texts?.intro?.trim() || t(`milestone.${input.milestone}.intro`), params);
  const content = emailContent(page, input, t, intro, params);
  return { locale, subject, html: renderHtml(content, input, locale), text: renderText(content, input) };
}

/** `{name}` → value for the known placeholders; unknown ones stay as typed so the merchant sees them in the preview. */
export function fillPlaceholders(template: string, params: Record<(typeof EMAIL_PLACEHOLDERS)[number], string>): string {
  return template
    .replace(/\{(\w+)\}/g, (whole, name: string) => (Object.hasOwn(params, name) ? params[name as keyof typeof params] : whole))
    .replace(/[ \t]+([,.!?:;])/g, "$1")
    .replace(/[ \t]{2,}/g, " ")
    .replace(/^[\s,.;:]+/, "")
    .trim();
}

function oneLine(text: string): string {
  // A header must not carry line breaks (header injection) and mail clients cut long subjects anyway.
  return text.replace(/[\r\n]+/g, " ").slice(0, 250);
}

interface EmailContent {
  greeting: string;
  intro: string;
  headline: string;
  detail: string | null;
  action: string | null;
  orderLine: string | null;
  estimate: string | null;
  latest: { when: string; description: string; location: string | null } | null;
  items: Array<{ title: string; quantity: string }>;
  carrierLine: string;
  footer: string;
}

function emailContent(
  page: TrackingPageShipment,
  input: CustomerEmailInput,
  t: CustomerEmailTranslate,
  intro: string,
  params: { first_name: string; order_name: string; shop_name: string },
): EmailContent {
  const latestEvent = page.events[0];
  return {
    greeting: params.first_name ? t("greeting", { first_name: params.first_name }) : t("greetingWithoutName"),
    intro,
    headline: page.headline.text,
    detail: page.headline.detail,
    action: page.headline.action,
    orderLine: input.orderName ? t("order", { order_name: input.orderName }) : null,
    estimate: page.estimatedDelivery?.text ?? null,
    latest: latestEvent
      ? {
          when: latestEvent.timeText ? `${latestEvent.dayText}, ${latestEvent.timeText}` : latestEvent.dayText,
          description: latestEvent.description,
          location: latestEvent.location,
        }
      : null,
    items: page.items.map((item) => ({
      title: item.variantTitle ? `${item.title} – ${item.variantTitle}` : item.title,
      quantity: t("quantity", { quantity: item.quantity }),
    })),
    carrierLine: `${page.carrier.name} · ${t("trackingNumber")} ${page.trackingNumber}`,
    footer: t("footer", { shop_name: params.shop_name }),
  };
}

// --- HTML ---------------------------------------------------------------------------------------


function safeUrl(value: string | null, schemes: readonly string[]): string | null {
  if (!value) return null;
  try {
    const url = new URL(value);
    return schemes.includes(url.protocol) ? url.toString() : null;
  } catch {
    return null;
  }
}

function accentColor(value: string | null): string {
  return value && /^#(?:[0-9a-f]{3}|[0-9a-f]{6})$/i.test(value) ? value.toLowerCase() : DEFAULT_ACCENT_COLOR;
}

/** White or near-black text on the accent colour, whichever reads better (WCAG relative luminance). */
export function buttonTextColor(background: string): string {
  const hex = background.length === 4 ? background.replace(/^#(.)(.)(.)$/, "#$1$1$2$2$3$3") : background;
  const channels = [1, 3, 5].map((start) => parseInt(hex.slice(start, start + 2), 16) / 255);
  const [r, g, b] = channels.map((c) => (c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4)) as [number, number, number];
  const luminance = 0.2126 * r + 0.7152 * g + 0.0722 * b;
  return luminance > 0.179 ? "#111111" : "#ffffff";
}

const FONT = "font-family:-apple-system,BlinkMacSystemFont,'Segoe UI',Roboto,Helvetica,Arial,sans-serif;";

function renderHtml(content: EmailContent, input: CustomerEmailInput, locale: StorefrontLocale): string {
  const e = escapeHtml;
  const accent = accentColor(input.branding.accentColor);
  const buttonText = buttonTextColor(accent);
  const trackingUrl = safeUrl(input.trackingUrl, ["https:", "http:"]);
  const logoUrl = safeUrl(input.branding.logoUrl, ["https:"]);
  const unsubscribeUrl = safeUrl(input.unsubscribeUrl, ["https:", "http:"]);
  const t = customerEmailTranslator(locale);

  const paragraph = (text: string, style = "") =>
    `<p style="margin:0 0 16px 0;${FONT}font-size:16px;line-height:24px;color:#202223;${style}">${e(text)}</p>`;
  const label = (text: string) =>
    `<p style="margin:0 0 4px 0;${FONT}font-size:12px;line-height:16px;color:#6d7175;text-transform:uppercase;letter-spacing:0.5px;">${e(text)}</p>`;

  const header = logoUrl
    ? `<img src="${e(logoUrl)}" alt="${e(input.branding.shopName)}" height="48" style="display:block;border:0;outline:none;height:48px;width:auto;max-width:240px;">`
    : `<span style="${FONT}font-size:20px;line-height:28px;font-weight:bold;color:#202223;">${e(input.branding.shopName)}</span>`;

  const statusBlock = [
    `<h1 style="margin:0 0 8px 0;${FONT}font-size:24px;line-height:32px;font-weight:bold;color:${accent};">${e(content.headline)}</h1>`,
    content.detail ? paragraph(content.detail, "margin-bottom:8px;") : "",
    content.action ? paragraph(content.action, "font-weight:bold;") : "",
  ].join("");

  const facts = [
    content.estimate ? `<tr><td style="padding:0 0 16px 0;">${label(t("estimatedDelivery"))}${paragraph(content.estimate, "margin:0;")}</td></tr>` : "",
    content.latest
      ? `<tr><td style="padding:0 0 16px 0;">${label(t("latestUpdate"))}${paragraph(
          [content.latest.description, content.latest.location].filter(Boolean).join(" – "),
          "margin:0;",
        )}<p style="margin:0;${FONT}font-size:14px;line-height:20px;color:#6d7175;">${e(content.latest.when)}</p></td></tr>`
      : "",
  ].join("");

  const button = trackingUrl
    ? `<table role="presentation" border="0" cellpadding="0" cellspacing="0" style="margin:8px 0 24px 0;">
<tr><td align="center" bgcolor="${accent}" style="border-radius:6px;background-color:${accent};">
<a href="${e(trackingUrl)}" target="_blank" style="display:inline-block;padding:14px 28px;${FONT}font-size:16px;line-height:20px;font-weight:bold;color:${buttonText};text-decoration:none;border-radius:6px;">${e(t("trackButton"))}</a>
</td></tr></table>
<p style="margin:0 0 24px 0;${FONT}font-size:12px;line-height:18px;color:#6d7175;">${e(t("linkFallback"))}<br><a href="${e(trackingUrl)}" style="color:${accent};word-break:break-all;">${e(trackingUrl)}</a></p>`
    : "";

  const items = content.items.length
    ? `<tr><td style="padding:16px 0 0 0;border-top:1px solid #e1e3e5;">${label(t("items"))}
<table role="presentation" width="100%" border="0" cellpadding="0" cellspacing="0">${content.items
        .map(
          (item) =>
            `<tr><td style="padding:4px 0;${FONT}font-size:15px;line-height:22px;color:#202223;">${e(item.title)}</td><td align="right" style="padding:4px 0 4px 12px;${FONT}font-size:14px;line-height:22px;color:#6d7175;white-space:nowrap;">${e(item.quantity)}</td></tr>`,
        )
        .join("")}</table></td></tr>`
    : "";

  const footer = [
    `<p style="margin:0 0 8px 0;${FONT}font-size:12px;line-height:18px;color:#6d7175;">${e(content.footer)}</p>`,
    unsubscribeUrl ? `<p style="margin:0;${FONT}font-size:12px;line-height:18px;"><a href="${e(unsubscribeUrl)}" style="color:#6d7175;text-decoration:underline;">${e(t("unsubscribe"))}</a></p>` : "",
  ].join("");

  return `<!DOCTYPE html>
<html lang="${locale}" xmlns="http://www.w3.org/1999/xhtml">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<meta name="x-apple-disable-message-reformatting">
<meta name="color-scheme" content="light">
<title>${e(content.headline)}</title>
</head>
<body style="margin:0;padding:0;background-color:#f4f6f8;">
<div style="display:none;max-height:0;overflow:hidden;mso-hide:all;">${e(content.intro)}</div>
<table role="presentation" width="100%" border="0" cellpadding="0" cellspacing="0" style="background-color:#f4f6f8;">
<tr><td align="center" style="padding:24px 12px;">
<!--[if mso]><table role="presentation" width="600" border="0" cellpadding="0" cellspacing="0"><tr><td><![endif]-->
<table role="presentation" width="100%" border="0" cellpadding="0" cellspacing="0" style="max-width:600px;width:100%;background-color:#ffffff;border-radius:8px;">
<tr><td style="padding:24px 32px 8px 32px;border-top:4px solid ${accent};border-radius:8px 8px 0 0;">${header}</td></tr>
<tr><td style="padding:16px 32px 0 32px;">
${paragraph(content.greeting)}${paragraph(content.intro)}${content.orderLine ? paragraph(content.orderLine, "font-weight:bold;") : ""}
${statusBlock}
<table role="presentation" width="100%" border="0" cellpadding="0" cellspacing="0">${facts}</table>
${button}
<table role="presentation" width="100%" border="0" cellpadding="0" cellspacing="0">${items}
<tr><td style="padding:16px 0 24px 0;${FONT}font-size:13px;line-height:20px;color:#6d7175;">${e(content.carrierLine)}</td></tr></table>
</td></tr>
<tr><td style="padding:16px 32px 24px 32px;background-color:#fafbfb;border-top:1px solid #e1e3e5;border-radius:0 0 8px 8px;">${footer}</td></tr>
</table>
<!--[if mso]></td></tr></table><![endif]-->
</td></tr>
</table>
</body>
</html>`;
}

// --- Plain text ---------------------------------------------------------------------------------

function renderText(content: EmailContent, input: CustomerEmailInput): string {
  const t = customerEmailTranslator(customerEmailLocale(input.orderLocale));
  const lines: string[] = [content.greeting, "", content.intro, ""];
  if (content.orderLine) lines.push(content.orderLine, "");
  lines.push(content.headline.toUpperCase());
  if (content.detail) lines.push(content.detail);
  if (content.action) lines.push(content.action);
  lines.push("");
  if (content.estimate) lines.push(`${t("estimatedDelivery")}: ${content.estimate}`);
  if (content.latest) {
    lines.push(`${t("latestUpdate")}: ${[content.latest.description, content.latest.location].filter(Boolean).join(" – ")} (${content.latest.when})`);
  }
  if (content.estimate || content.latest) lines.push("");
  lines.push(`${t("trackButton")}: ${input.trackingUrl}`, "");
  if (content.items.length) {
    lines.push(`${t("items")}:`);
    for (const item of content.items) lines.push(`- ${item.title} (${item.quantity})`);
    lines.push("");
  }
  lines.push(content.carrierLine, "", "--", content.footer);
  if (input.unsubscribeUrl) lines.push(`${t("unsubscribe")}: ${input.unsubscribeUrl}`);
  return `${lines.join("\n")}\n`;
}

// --- Sample data --------------------------------------------------------------------------------

/** A realistic "out for delivery" e-mail for previews and the "send test e-mail" button. */
export const SAMPLE_EMAIL_INPUT: CustomerEmailInput = {
  milestone: "out_for_delivery",
  orderLocale: "en",
  branding: { shopName: "Sample Shop", logoUrl: null, accentColor: DEFAULT_ACCENT_COLOR, timeZone: "Europe/London" },
  texts: null,
  customerFirstName: "Ada",
  orderName: "#1001",
  now: new Date("2026-11-24T10:30:00Z"),
  trackingUrl: "https://sample-shop.myshopify.com/apps/track?token=sample",
  unsubscribeUrl: null,
  shipment: {
    trackingNumber: "1Z999AA10123456784",
    status: "pickup",
    substatus: "out_for_delivery",
    carrierCode: "ups",
    trackingCompany: "UPS",
    trackingUrl: null,
    shippedAt: new Date("2026-11-21T16:05:00Z"),
    deliveredAt: null,
    estimatedDeliveryAt: new Date("2026-11-24T00:00:00Z"),
    estimatedDeliveryEndAt: null,
    lastEventAt: new Date("2026-11-24T07:42:00Z"),
    lastEventDescription: "Out for delivery",
    orderCreatedAt: new Date("2026-11-20T12:00:00Z"),
    events: [
      { occurredAt: new Date("2026-11-21T16:05:00Z"), zoneKnown: true, status: "transit", substatus: "in_transit", description: "Picked up by the carrier", city: "Leeds", state: null, countryCode: "GB" },
      { occurredAt: new Date("2026-11-23T21:10:00Z"), zoneKnown: true, status: "transit", substatus: "arrived_at_delivery_facility", description: "Arrived at the delivery facility", city: "London", state: null, countryCode: "GB" },
      { occurredAt: new Date("2026-11-24T07:42:00Z"), zoneKnown: true, status: "pickup", substatus: "out_for_delivery", description: "Out for delivery", city: "London", state: null, countryCode: "GB" },
    ],
    items: [
      { title: "Linen shirt", variantTitle: "M / Sand", quantity: 1, imageUrl: null },
      { title: "Wool socks", variantTitle: null, quantity: 2, imageUrl: null },
    ],
  },
};
