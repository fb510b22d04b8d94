import type { ProviderId } from "~/domain/tracking-observation";
import type { MessageKey, Translate } from "~/i18n/catalogue";

/** How the admin pages colour statuses and name providers (the shipments list and a shipment's page alike). */
export const STATUS_TONE: Readonly<Record<string, "success" | "critical" | "warning" | "info" | "attention" | undefined>> = {
  delivered: "success",
  exception: "critical",
  undelivered: "warning",
  pickup: "info",
  transit: "info",
  expired: "attention",
};

/** Product names, the same in every language. */
export const PROVIDER_LABELS: Readonly<Record<ProviderId, string>> = { trackingmore: "TrackingMore", tracktry: "Tracktry", ups: "UPS Track Alert" };

/** A stored status in the merchant's words; a value the catalogue does not know is shown as stored. */
export function statusLabel(t: Translate, status: string): string {
  const key = `status.${status}`;
  const label = t(key as MessageKey);
  return label === key ? status : label;
}

export function providerLabel(provider: string): string {
  return (PROVIDER_LABELS as Record<string, string>)[provider] ?? provider;
}
