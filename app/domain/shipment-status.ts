/**
 * The one status model every provider is normalised into. The vocabulary is TrackingMore's
 * (see docs/decisions/0004-normalized-status-model.md) because it is the richest of our providers
 * and the one merchants already know; substatuses are our own, provider-neutral names.
 */

export const SHIPMENT_STATUSES = [
  "pending",
  "notfound",
  "inforeceived",
  "transit",
  "pickup",
  "undelivered",
  "delivered",
  "exception",
  "expired",
] as const;

export type ShipmentStatus = (typeof SHIPMENT_STATUSES)[number];

export function isShipmentStatus(value: unknown): value is ShipmentStatus {
  return typeof value === "string" && (SHIPMENT_STATUSES as readonly string[]).includes(value);
}

/**
 * Provider-neutral substatus. `pickup` covers two very different situations for a customer
 * (a driver is on the way vs. the parcel waits at a counter), so they are kept apart here.
 */
export const SHIPMENT_SUBSTATUSES = {
  notfound: ["no_information"],
  inforeceived: ["label_created", "manifest_voided"],
  transit: [
    "in_transit",
    "arrived_at_hub",
    "arrived_at_delivery_facility",
    "arrived_in_destination_country",
    "customs_cleared",
    "dispatched",
    "departed",
  ],
  pickup: ["out_for_delivery", "ready_for_collection", "delivery_being_arranged"],
  undelivered: ["address_issue", "recipient_not_home", "business_closed", "other"],
  delivered: ["delivered", "collected_by_recipient", "signed_for", "left_at_door"],
  exception: [
    "unclaimed",
    "other",
    "customs_hold",
    "damaged_or_lost",
    "cancelled",
    "refused",
    "returned_to_sender",
    "returning_to_sender",
    "manifest_voided",
    "delayed",
  ],
  expired: ["no_updates"],
  pending: [],
} as const satisfies Record<ShipmentStatus, readonly string[]>;

export type ShipmentSubstatus = (typeof SHIPMENT_SUBSTATUSES)[ShipmentStatus][number];

/** Statuses after which nothing more is expected from the carrier, so polling stops. */
export const FINAL_STATUSES: ReadonlySet<ShipmentStatus> = new Set(["delivered", "expired"]);

export function isFinalStatus(status: ShipmentStatus): boolean {
  return FINAL_STATUSES.has(status);
}

/**
 * How far along the journey a status is. Used only to refuse regressions when two
 * observations carry no usable timestamps; see `status-transition.ts`.
 * Exception and failed attempts sit level with out-for-delivery: they are neither
 * progress nor regress compared to it.
 */
export const STATUS_PROGRESS_RANK: Readonly<Record<ShipmentStatus, number>> = {
  pending: 0,
  notfound: 1,
  inforeceived: 2,
  expired: 2,
  transit: 3,
  pickup: 4,
  undelivered: 4,
  exception: 4,
  delivered: 6,
};

/** Substatuses of `exception` that mean the parcel is going back: the only status change allowed after "delivered". */
export const RETURN_SUBSTATUSES: ReadonlySet<string> = new Set(["returned_to_sender", "returning_to_sender", "refused"]);
