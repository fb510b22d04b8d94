import type { Courier } from "./couriers";
import type { SimCheckpoint, SimTracking, V4Status } from "./state";
import { firstWhere, latestEventText, latestWhere, transitDays } from "./tracking-facts";
import { isoWithOffset } from "./time";

/** The v4 `Tracking` object, field for field as in the official SDK models (note `update_at`, sic). */

export interface V4Checkpoint {
  checkpoint_date: string;
  checkpoint_delivery_status: V4Status;
  checkpoint_delivery_substatus: string | null;
  tracking_detail: string;
  location: string;
  country_iso2: string;
  state: string;
  city: string;
  zip: string;
  raw_status: string;
}

export interface V4MilestoneDate {
  inforeceived_date: string | null;
  pickup_date: string | null;
  outfordelivery_date: string | null;
  delivery_date: string | null;
  returning_date: string | null;
  returned_date: string | null;
}

export interface V4CarrierInfo {
  courier_code: string;
  courier_phone: string;
  weblink: string;
  reference_number: string | null;
  milestone_date: V4MilestoneDate;
  trackinfo: V4Checkpoint[];
}

export interface V4Tracking {
  id: string;
  tracking_number: string;
  courier_code: string;
  order_number: string | null;
  order_date: string | null;
  created_at: string;
  update_at: string;
  delivery_status: V4Status;
  archived: string;
  updating: boolean;
  destination_country: string | null;
  destination_state: string | null;
  destination_city: string | null;
  origin_country: string | null;
  origin_state: string | null;
  origin_city: string | null;
  tracking_postal_code: string | null;
  tracking_ship_date: string | null;
  tracking_destination_country: string | null;
  tracking_origin_country: string | null;
  tracking_key: string | null;
  tracking_courier_account: string | null;
  customer_name: string | null;
  customer_email: string | null;
  customer_sms: string | null;
  order_id: string | null;
  recipient_postcode: string | null;
  title: string | null;
  logistics_channel: string | null;
  note: string | null;
  label: string | null;
  signed_by: string | null;
  service_code: string | null;
  weight: string | null;
  weight_kg: string | null;
  product_type: string | null;
  pieces: string | null;
  dimension: string | null;
  previously: string | null;
  destination_track_number: string | null;
  exchange_number: string | null;
  scheduled_delivery_date: string | null;
  scheduled_address: string | null;
  substatus: string | null;
  status_info: string | null;
  latest_event: string | null;
  latest_checkpoint_time: string | null;
  transit_time: number;
  origin_info: V4CarrierInfo;
  destination_info: V4CarrierInfo;
}

function checkpointDate(c: SimCheckpoint | undefined): string | null {
  return c ? isoWithOffset(c.at, c.utcOffsetMinutes) : null;
}

function renderCheckpoint(c: SimCheckpoint): V4Checkpoint {
  return {
    checkpoint_date: isoWithOffset(c.at, c.utcOffsetMinutes),
    checkpoint_delivery_status: c.status,
    checkpoint_delivery_substatus: c.substatus,
    tracking_detail: c.description,
    location: c.location,
    country_iso2: c.countryIso2,
    state: c.state,
    city: c.city,
    zip: c.zip,
    raw_status: c.rawStatus,
  };
}

const EMPTY_MILESTONES: V4MilestoneDate = {
  inforeceived_date: null,
  pickup_date: null,
  outfordelivery_date: null,
  delivery_date: null,
  returning_date: null,
  returned_date: null,
};

/**
 * One carrier handles the whole journey in the simulator, so everything is in `origin_info` and
 * `destination_info` is the empty block TrackingMore sends for single-carrier shipments.
 */
export function renderV4Tracking(t: SimTracking, courier: Courier | undefined, now: Date): V4Tracking {
  const latest = t.checkpoints[0];
  const info = t.info;
  const s = (v: string | undefined) => v ?? null;
  return {
    id: t.id,
    tracking_number: t.trackingNumber,
    courier_code: t.courierCode,
    order_number: s(info.order_number),
    order_date: s(info.order_date),
    created_at: isoWithOffset(t.createdAt),
    update_at: isoWithOffset(t.updatedAt),
    delivery_status: t.status,
    // The v4 examples carry `archived` as a string ("false"), unlike v2's boolean.
    archived: String(t.archived),
    updating: false,
    destination_country: t.route.destination.countryIso2,
    destination_state: null,
    destination_city: null,
    origin_country: t.route.origin.countryIso2,
    origin_state: null,
    origin_city: null,
    tracking_postal_code: s(info.tracking_postal_code),
    tracking_ship_date: s(info.tracking_ship_date),
    tracking_destination_country: s(info.tracking_destination_country),
    tracking_origin_country: s(info.tracking_origin_country),
    tracking_key: s(info.tracking_key),
    tracking_courier_account: s(info.tracking_courier_account),
    customer_name: s(info.customer_name),
    customer_email: s(info.customer_email),
    customer_sms: s(info.customer_sms),
    order_id: s(info.order_id),
    recipient_postcode: s(info.recipient_postcode),
    title: s(info.title),
    logistics_channel: s(info.logistics_channel),
    note: s(info.note),
    label: s(info.label),
    signed_by: null,
    service_code: null,
    weight: null,
    weight_kg: null,
    product_type: null,
    pieces: null,
    dimension: null,
    previously: null,
    destination_track_number: null,
    exchange_number: null,
    scheduled_delivery_date: t.scheduledDeliveryDate,
    scheduled_address: null,
    substatus: t.substatus,
    status_info: null,
    latest_event: latestEventText(t),
    latest_checkpoint_time: checkpointDate(latest),
    transit_time: transitDays(t, now) ?? 0,
    origin_info: {
      courier_code: t.courierCode,
      courier_phone: courier?.phone ?? "",
      weblink: courier?.url ?? "",
      reference_number: null,
      milestone_date: {
        inforeceived_date: checkpointDate(firstWhere(t, (c) => c.status === "inforeceived")),
        pickup_date: checkpointDate(firstWhere(t, (c) => c.status === "transit")),
        // The current delivery run: after a failed attempt this moves to the re-delivery.
        outfordelivery_date: checkpointDate(latestWhere(t, (c) => c.status === "pickup")),
        delivery_date: checkpointDate(latestWhere(t, (c) => c.status === "delivered")),
        returning_date: checkpointDate(firstWhere(t, (c) => c.substatus === "exception011")),
        returned_date: checkpointDate(firstWhere(t, (c) => c.substatus === "exception010")),
      },
      trackinfo: t.checkpoints.map(renderCheckpoint),
    },
    destination_info: {
      courier_code: "",
      courier_phone: "",
      weblink: "",
      reference_number: "",
      milestone_date: { ...EMPTY_MILESTONES },
      trackinfo: [],
    },
  };
}
