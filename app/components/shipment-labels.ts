import type { ShipmentStatus } from "~/domain/shipment-status";
import type { ProviderId } from "~/domain/tracking-observation";

/** How the admin pages name and colour statuses and providers (the shipments list and a shipment's page alike). */
export const STATUS_LABELS: Readonly<Record<ShipmentStatus, string>> = {
  pending: "Pending",
  notfound: "Not found",
  inforeceived: "Info received",
  transit: "In transit",
  pickup: "Out for delivery",
  undelivered: "Failed attempt",
  delivered: "Delivered",
  exception: "Exception",
  expired: "Expired",
};

export const STATUS_TONE: Readonly<Record<string, "success" | "critical" | "warning" | "info" | "attention" | undefined>> = {
  delivered: "success",
  exception: "critical",
  undelivered: "warning",
  pickup: "info",
  transit: "info",
  expired: "attention",
};

export const PROVIDER_LABELS: Readonly<Record<ProviderId, string>> = { trackingmore: "TrackingMore", tracktry: "Tracktry", ups: "UPS Track Alert" };

/** A stored value in words; a value the page does not know is shown as stored. */
export function statusLabel(status: string): string {
  return (STATUS_LABELS as Record<string, string>)[status] ?? status;
}

export function providerLabel(provider: string): string {
  return (PROVIDER_LABELS as Record<string, string>)[provider] ?? provider;
}
