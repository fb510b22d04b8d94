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

/**
 * A stored value (a status, substatus, state…) in the merchant's words from the catalogue group
 * `group`; a value the catalogue does not know yet is shown as stored rather than as a key.
 */
export function catalogueLabel(t: Translate, group: string, value: string): string {
  const key = `${group}.${value}`;
  const label = t(key as MessageKey);
  return label === key ? value : label;
}

export function statusLabel(t: Translate, status: string): string {
  return catalogueLabel(t, "status", status);
}

export function providerLabel(provider: string): string {
  return (PROVIDER_LABELS as Record<string, string>)[provider] ?? provider;
}
