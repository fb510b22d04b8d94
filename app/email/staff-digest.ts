/**
 * The daily staff digest: the shipments of one shop that need attention, as an HTML e-mail and its
 * plain-text part, in the admin's words (app/i18n/locales/en.ts, `emails.digest`). Pure: the
 * service (app/services/staff-digest.server.ts) gathers the rows and links. Carrier, order and
 * provider text is escaped; links are the service's own admin URLs.
 */
import { createTranslator, DEFAULT_LOCALE } from "~/i18n/catalogue";
import { escapeHtml } from "~/lib/escape-html";

export type DigestAttentionReason = "exception" | "failed_attempt" | "stuck" | "pending_too_long" | "registration_failed";

export interface StaffDigestInput {
  shopName: string;
  /** The shop-local day the digest is for (YYYY-MM-DD). */
  localDate: string;
  stuckAfterDays: number;
  pendingTooLongDays: number;
  providerProblems: Array<{ provider: string; problem: string }>;
  /** The dashboard's counts per reason (only reasons with shipments), each linking to the filtered index. */
  reasonCounts: Array<{ reason: DigestAttentionReason; count: number; capped: boolean; url: string }>;
  shipments: Array<{
    trackingNumber: string;
    carrierName: string | null;
    orderName: string | null;
    reasons: DigestAttentionReason[];
    lastEventAt: Date | null;
    url: string;
  }>;
  /** Shipments needing attention in all; `totalCapped` when there are more than `total`. */
  total: number;
  totalCapped: boolean;
  allUrl: string;
}

export interface RenderedStaffDigest {
  subject: string;
  html: string;
  text: string;
}

const FONT = "font-family:-apple-system,BlinkMacSystemFont,'Segoe UI',Roboto,Helvetica,Arial,sans-serif;";

export function renderStaffDigest(input: StaffDigestInput): RenderedStaffDigest {
  const t = createTranslator(DEFAULT_LOCALE);
  const reasonText = (reason: DigestAttentionReason) =>
    t(`emails.digest.reasons.${reason}`, { days: reason === "stuck" ? input.stuckAfterDays : input.pendingTooLongDays });
  const subject =
    input.total > 0
      ? t("emails.digest.subject", { shop: input.shopName, count: input.total })
      : t("emails.digest.subjectProvidersOnly", { shop: input.shopName });
  const intro = t("emails.digest.intro", { shop: input.shopName, date: input.localDate });
  const remaining = input.total - input.shipments.length;
  const moreText = input.totalCapped
    ? t("emails.digest.moreCapped", { count: input.total - input.shipments.length })
    : remaining > 0
      ? t("emails.digest.more", { count: remaining })
      : null;
  const shipmentLine = (shipment: StaffDigestInput["shipments"][number]) =>
    [
      shipment.orderName ?? t("emails.digest.noOrder"),
      shipment.carrierName,
      shipment.reasons.map(reasonText).join(", "),
      shipment.lastEventAt ? t("emails.digest.lastUpdate", { date: shipment.lastEventAt.toISOString().slice(0, 10) }) : t("emails.digest.noUpdate"),
    ]
      .filter(Boolean)
      .join(" · ");

  // --- plain text ---
  const lines: string[] = [t("emails.digest.heading"), "", intro, ""];
  if (input.providerProblems.length) {
    lines.push(t("emails.digest.providerHeading"));
    for (const problem of input.providerProblems) lines.push(`- ${t("emails.digest.provider", problem)}`);
    lines.push("");
  }
  if (input.reasonCounts.length) {
    lines.push(t("emails.digest.countsHeading"));
    for (const count of input.reasonCounts) lines.push(`- ${reasonText(count.reason)}: ${count.count}${count.capped ? "+" : ""}`);
    lines.push("");
  }
  if (input.shipments.length) {
    lines.push(t("emails.digest.listHeading"));
    for (const shipment of input.shipments) lines.push(`- ${shipment.trackingNumber}: ${shipmentLine(shipment)}`, `  ${shipment.url}`);
    if (moreText) lines.push(moreText);
    lines.push("", `${t("emails.digest.viewAll")}: ${input.allUrl}`, "");
  }
  lines.push("--", t("emails.digest.footer"));
  const text = lines.join("\n");

  // --- HTML ---
  const e = escapeHtml;
  const paragraph = (content: string, style = "") => `<p style="margin:0 0 12px 0;${FONT}font-size:15px;line-height:22px;color:#202223;${style}">${content}</p>`;
  const heading = (content: string) => `<h2 style="margin:20px 0 8px 0;${FONT}font-size:17px;line-height:24px;color:#202223;">${e(content)}</h2>`;
  const link = (url: string, content: string) => `<a href="${e(url)}" style="color:#1f5fa6;">${e(content)}</a>`;
  const list = (items: string[]) => `<ul style="margin:0 0 12px 0;padding-left:20px;${FONT}font-size:15px;line-height:22px;color:#202223;">${items.map((item) => `<li style="margin:0 0 6px 0;">${item}</li>`).join("")}</ul>`;

  const sections = [
    input.providerProblems.length ? heading(t("emails.digest.providerHeading")) + list(input.providerProblems.map((problem) => e(t("emails.digest.provider", problem)))) : "",
    input.reasonCounts.length
      ? heading(t("emails.digest.countsHeading")) + list(input.reasonCounts.map((count) => `${link(count.url, reasonText(count.reason))}: ${count.count}${count.capped ? "+" : ""}`))
      : "",
    input.shipments.length
      ? heading(t("emails.digest.listHeading")) +
        list(
          input.shipments.map(
            (shipment) =>
              `<a href="${e(shipment.url)}" style="color:#1f5fa6;font-weight:bold;" aria-label="${e(t("emails.digest.openShipment", { trackingNumber: shipment.trackingNumber }))}">${e(shipment.trackingNumber)}</a><br><span style="color:#6d7175;font-size:14px;">${e(shipmentLine(shipment))}</span>`,
          ),
        ) +
        (moreText ? paragraph(e(moreText)) : "") +
        paragraph(link(input.allUrl, t("emails.digest.viewAll")), "font-weight:bold;")
      : "",
  ].join("");

  const html = `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<title>${e(subject)}</title>
</head>
<body style="margin:0;padding:0;background-color:#f4f6f8;">
<table role="presentation" width="100%" border="0" cellpadding="0" cellspacing="0" style="background-color:#f4f6f8;">
<tr><td align="center" style="padding:24px 12px;">
<table role="presentation" width="100%" border="0" cellpadding="0" cellspacing="0" style="max-width:640px;width:100%;background-color:#ffffff;border-radius:8px;">
<tr><td style="padding:24px 32px;">
<h1 style="margin:0 0 8px 0;${FONT}font-size:22px;line-height:30px;color:#202223;">${e(t("emails.digest.heading"))}</h1>
${paragraph(e(intro))}
${sections}
</td></tr>
<tr><td style="padding:16px 32px;background-color:#fafbfb;border-top:1px solid #e1e3e5;border-radius:0 0 8px 8px;"><p style="margin:0;${FONT}font-size:12px;line-height:18px;color:#6d7175;">${e(t("emails.digest.footer"))}</p></td></tr>
</table>
</td></tr>
</table>
</body>
</html>`;
  return { subject, html, text };
}
