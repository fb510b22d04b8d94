import type { ShipmentStatus, ShipmentSubstatus } from "~/domain/shipment-status";

/**
 * TrackingMore's delivery statuses and substatus codes mapped to ours. Shared by the v4 and v2
 * APIs and by Tracktry, which uses the same vocabulary (carrier-and-shopify-apis.md §A.2, §B).
 * v2 spells some codes with a space ("not found001") and reports "info received" as
 * notfound001; both are handled here so callers can pass what the provider sent.
 */

const STATUS_BY_PROVIDER_CODE: Readonly<Record<string, ShipmentStatus>> = {
  pending: "pending",
  notfound: "notfound",
  inforeceived: "inforeceived",
  transit: "transit",
  pickup: "pickup",
  undelivered: "undelivered",
  delivered: "delivered",
  exception: "exception",
  expired: "expired",
};

export type SubstatusTable = Readonly<Record<string, { status: ShipmentStatus; substatus: ShipmentSubstatus }>>;

/** TrackingMore's substatus codes (v4 and v2). Tracktry's table starts from this one. */
export const TRACKINGMORE_SUBSTATUSES: SubstatusTable = {
  notfound001: { status: "inforeceived", substatus: "label_created" },
  notfound002: { status: "notfound", substatus: "no_information" },
  inforeceived001: { status: "inforeceived", substatus: "label_created" },
  transit001: { status: "transit", substatus: "in_transit" },
  transit002: { status: "transit", substatus: "arrived_at_hub" },
  transit003: { status: "transit", substatus: "arrived_at_delivery_facility" },
  transit004: { status: "transit", substatus: "arrived_in_destination_country" },
  transit005: { status: "transit", substatus: "customs_cleared" },
  transit006: { status: "transit", substatus: "dispatched" },
  transit007: { status: "transit", substatus: "departed" },
  pickup001: { status: "pickup", substatus: "out_for_delivery" },
  pickup002: { status: "pickup", substatus: "ready_for_collection" },
  pickup003: { status: "pickup", substatus: "delivery_being_arranged" },
  undelivered001: { status: "undelivered", substatus: "address_issue" },
  undelivered002: { status: "undelivered", substatus: "recipient_not_home" },
  undelivered003: { status: "undelivered", substatus: "address_issue" },
  undelivered004: { status: "undelivered", substatus: "other" },
  delivered001: { status: "delivered", substatus: "delivered" },
  delivered002: { status: "delivered", substatus: "collected_by_recipient" },
  delivered003: { status: "delivered", substatus: "signed_for" },
  delivered004: { status: "delivered", substatus: "left_at_door" },
  exception001: { status: "exception", substatus: "other" },
  exception002: { status: "exception", substatus: "other" },
  exception003: { status: "exception", substatus: "other" },
  exception004: { status: "exception", substatus: "unclaimed" },
  exception005: { status: "exception", substatus: "other" },
  exception006: { status: "exception", substatus: "customs_hold" },
  exception007: { status: "exception", substatus: "damaged_or_lost" },
  exception008: { status: "exception", substatus: "cancelled" },
  exception009: { status: "exception", substatus: "refused" },
  exception010: { status: "exception", substatus: "returned_to_sender" },
  exception011: { status: "exception", substatus: "returning_to_sender" },
  expired001: { status: "expired", substatus: "no_updates" },
};

/** Substatus we assume when a provider sends a status without one. */
const DEFAULT_SUBSTATUS: Partial<Record<ShipmentStatus, ShipmentSubstatus>> = {
  notfound: "no_information",
  inforeceived: "label_created",
  transit: "in_transit",
  pickup: "out_for_delivery",
  delivered: "delivered",
  exception: "other",
  undelivered: "other",
  expired: "no_updates",
};

function clean(code: string | null | undefined): string {
  return (code ?? "").toLowerCase().replace(/\s+/g, "");
}

export interface MappedStatus {
  status: ShipmentStatus;
  substatus: ShipmentSubstatus | null;
  /** `status/substatus` exactly as the provider sent them. */
  raw: string;
}

/**
 * Map a TrackingMore-family status pair. The substatus wins when it is known, because it is the
 * more precise of the two (v2 sends `notfound` + `notfound001` for info received).
 * Returns null for a status we do not know, so the caller can keep the current one.
 */
export function mapTrackingMoreStatus(
  status: string | null | undefined,
  substatus?: string | null,
  substatuses: SubstatusTable = TRACKINGMORE_SUBSTATUSES,
): MappedStatus | null {
  const raw = [status ?? "", substatus ?? ""].filter(Boolean).join("/");
  const bySubstatus = substatuses[clean(substatus)];
  if (bySubstatus) return { ...bySubstatus, raw };
  const mapped = STATUS_BY_PROVIDER_CODE[clean(status)];
  if (!mapped) return null;
  return { status: mapped, substatus: DEFAULT_SUBSTATUS[mapped] ?? null, raw };
}
