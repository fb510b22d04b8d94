/**
 * What the storefront tracking page shows for one lookup: the JSON of `GET /proxy/api/track`, and
 * the input of the one HTML renderer used by the proxy's Liquid page and the block's script.
 * Every text here is already localised (the customer's language, the shop's time zone) and is
 * plain text: renderers escape it. No street address, phone or e-mail ever appears here.
 */
import type { ShipmentStatus } from "./shipment-status";

export type StorefrontLocale = "en" | "fr" | "de" | "es";

export type HeadlineKind =
  | "pending" // label created / not yet scanned by the carrier
  | "arriving" // in transit, with or without a date
  | "out_for_delivery"
  | "available_for_pickup"
  | "failed_attempt"
  | "exception"
  | "returning"
  | "delivered"
  | "expired";

export interface TrackingHeadline {
  kind: HeadlineKind;
  /** "Arriving Thursday, 26 November" / "Out for delivery today" / "Delivered Tuesday at 14:02". */
  text: string;
  /** A second line: "left at front door", the latest event, … */
  detail: string | null;
  /** What the customer should do (exceptions, failed attempts, pickups); null when nothing. */
  action: string | null;
}

export interface EstimatedDelivery {
  /** "carrier": the carrier's date or window; "prediction": from this shop's delivered history. */
  source: "carrier" | "prediction";
  /** Shop-local calendar dates (YYYY-MM-DD). `latest` is null for a single day. */
  earliest: string;
  latest: string | null;
  /** Most likely day, for predictions (the median); equals `earliest` for a carrier's single date. */
  expected: string;
  /** "Thursday, 26 November" or "26–28 November"; predictions say they are estimates. */
  text: string;
  /** Predictions only: how many past deliveries the estimate rests on… */
  sampleSize: number | null;
  /** …and that said in words ("Based on 48 deliveries from this shop"); null for the carrier's date. */
  basisText?: string | null;
}

export type ProgressStepKey = "ordered" | "shipped" | "in_transit" | "out_for_delivery" | "delivered";

export interface ProgressStep {
  key: ProgressStepKey;
  label: string;
  /** "problem": the journey stopped here (exception, failed attempt). */
  state: "done" | "current" | "upcoming" | "problem";
  /** ISO instant the step was reached, and its localised day ("Tue 24 Nov"); null when not reached. */
  at: string | null;
  dateText: string | null;
}

export interface TrackingProgress {
  steps: ProgressStep[];
  /** Shown on the bar when the journey is interrupted. */
  problem: { kind: "exception" | "failed_attempt" | "returning"; label: string } | null;
}

export interface TrackingPageEvent {
  /** ISO instant. */
  occurredAt: string;
  /** Shop-local calendar day (YYYY-MM-DD) and its heading ("Tuesday, 24 November"): events are grouped by it. */
  day: string;
  dayText: string;
  /** Shop-local time ("14:02", or "2:02 PM" where the language says so); null when the carrier gave no time. */
  timeText: string | null;
  status: ShipmentStatus | null;
  description: string;
  location: string | null;
}

export interface TrackingPageItem {
  title: string;
  variantTitle: string | null;
  quantity: number;
  imageUrl: string | null;
}

export interface TrackingPageShipment {
  trackingNumber: string;
  carrier: { code: string | null; name: string; trackingUrl: string | null };
  status: ShipmentStatus;
  substatus: string | null;
  headline: TrackingHeadline;
  estimatedDelivery: EstimatedDelivery | null;
  progress: TrackingProgress;
  /** Newest first. */
  events: TrackingPageEvent[];
  /** Empty for a lookup by tracking number (order details hidden). */
  items: TrackingPageItem[];
  /** A map search for the latest event's place (city/region/country only), or null. */
  mapUrl: string | null;
}

export interface TrackingPageOrder {
  /** "#1001"; null for a lookup by tracking number. */
  name: string | null;
  shipments: TrackingPageShipment[];
}

/** The body of `GET /proxy/api/track`. */
export interface TrackingLookupResponse {
  locale: StorefrontLocale;
  /** One order for order/token/number lookups; a logged-in customer's recent orders otherwise. */
  orders: TrackingPageOrder[];
  /** Every shipment of `orders`, flattened, as the contract names it. */
  shipments: TrackingPageShipment[];
}
