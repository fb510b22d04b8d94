import type { ShipmentStatus, ShipmentSubstatus } from "./shipment-status";

export const PROVIDER_IDS = ["trackingmore", "tracktry", "ups"] as const;
export type ProviderId = (typeof PROVIDER_IDS)[number];

/** One carrier checkpoint, already normalised by the provider's mapper. */
export interface TrackingEventInput {
  /** The instant it happened. When the carrier gave no time zone, the wall-clock time read as UTC. */
  occurredAt: Date;
  /** True when `occurredAt` came with an offset; false when it is carrier local time read as UTC. */
  zoneKnown: boolean;
  status: ShipmentStatus | null;
  substatus: ShipmentSubstatus | null;
  description: string;
  location: string | null;
  city: string | null;
  state: string | null;
  countryCode: string | null;
  postalCode: string | null;
  /** The provider's own status text/code for this checkpoint, kept verbatim. */
  rawStatus: string | null;
}

export interface EstimatedDelivery {
  start: Date;
  /** End of a delivery window, when the carrier gives one. */
  end: Date | null;
}

/**
 * Everything a provider told us about one tracking number at one moment: the result of a
 * webhook, a poll or a registration. The pipeline folds observations into the stored shipment
 * with `applyObservation`, whatever order they arrive in.
 */
export interface TrackingObservation {
  provider: ProviderId;
  trackingNumber: string;
  carrierCode: string | null;
  providerTrackingId: string | null;
  /** The provider's current status, or null when this observation makes no statement about it. */
  status: ShipmentStatus | null;
  substatus: ShipmentSubstatus | null;
  /** The provider's raw status (e.g. `transit/transit002`), kept for the merchant and for support. */
  rawStatus: string | null;
  /** When the provider says this status became true, if it says (its latest checkpoint time). */
  asOf: Date | null;
  events: TrackingEventInput[];
  /** Undefined: the provider did not mention one. A value replaces the stored estimate. */
  estimatedDelivery?: EstimatedDelivery;
  deliveredAt?: Date | null;
  signedBy?: string | null;
  destinationCountry?: string | null;
}
