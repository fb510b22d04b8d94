import type { ProviderId, TrackingEventInput, TrackingObservation } from "~/domain/tracking-observation";
import { parseProviderDate, parseProviderInstant } from "../shared/provider-dates";
import type { V2Tracking, V4Tracking } from "./schemas";
import { mapTrackingMoreStatus, TRACKINGMORE_SUBSTATUSES, type SubstatusTable } from "./status-codes";

function eventsFrom<T>(lists: Array<T[] | null | undefined>, toEvent: (checkpoint: T) => TrackingEventInput | null): TrackingEventInput[] {
  const events: TrackingEventInput[] = [];
  for (const list of lists) {
    for (const checkpoint of list ?? []) {
      const event = toEvent(checkpoint);
      if (event) events.push(event);
    }
  }
  return events;
}

function countryCode(value: string | null): string | null {
  return value && /^[A-Za-z]{2}$/.test(value) ? value.toUpperCase() : null;
}

export function observationFromV4(tracking: V4Tracking): TrackingObservation {
  const mapped = mapTrackingMoreStatus(tracking.delivery_status, tracking.substatus);
  const events = eventsFrom(
    [tracking.origin_info?.trackinfo, tracking.destination_info?.trackinfo],
    (checkpoint): TrackingEventInput | null => {
      const when = parseProviderInstant(checkpoint.checkpoint_date);
      if (!when) return null;
      const status = mapTrackingMoreStatus(checkpoint.checkpoint_delivery_status, checkpoint.checkpoint_delivery_substatus);
      return {
        occurredAt: when.date,
        zoneKnown: when.zoneKnown,
        status: status?.status ?? null,
        substatus: status?.substatus ?? null,
        description: checkpoint.tracking_detail ?? checkpoint.raw_status ?? "",
        location: checkpoint.location,
        city: checkpoint.city,
        state: checkpoint.state,
        countryCode: countryCode(checkpoint.country_iso2),
        postalCode: checkpoint.zip,
        rawStatus: checkpoint.raw_status ?? status?.raw ?? null,
      };
    },
  );
  const scheduled = parseProviderDate(tracking.scheduled_delivery_date);
  const deliveredAt =
    parseProviderInstant(tracking.destination_info?.milestone_date?.delivery_date)?.date ??
    parseProviderInstant(tracking.origin_info?.milestone_date?.delivery_date)?.date ??
    null;
  return {
    provider: "trackingmore",
    trackingNumber: tracking.tracking_number,
    carrierCode: tracking.courier_code,
    providerTrackingId: tracking.id,
    status: mapped?.status ?? null,
    substatus: mapped?.substatus ?? null,
    rawStatus: mapped?.raw ?? null,
    asOf: parseProviderInstant(tracking.latest_checkpoint_time)?.date ?? null,
    events,
    ...(scheduled ? { estimatedDelivery: { start: scheduled, end: null } } : {}),
    deliveredAt: mapped?.status === "delivered" ? deliveredAt : null,
    signedBy: tracking.signed_by,
    destinationCountry: countryCode(tracking.destination_country),
  };
}

/** TrackingMore v2 and Tracktry items share this shape; `provider` says whose it is, `substatuses` how it spells them. */
export function observationFromV2(tracking: V2Tracking, provider: ProviderId, substatuses: SubstatusTable = TRACKINGMORE_SUBSTATUSES): TrackingObservation {
  const mapped = mapTrackingMoreStatus(tracking.status, tracking.substatus, substatuses);
  const events = eventsFrom([tracking.origin_info?.trackinfo, tracking.destination_info?.trackinfo], (checkpoint) => {
    const when = parseProviderInstant(checkpoint.Date);
    if (!when) return null;
    const status = mapTrackingMoreStatus(checkpoint.checkpoint_status, checkpoint.substatus, substatuses);
    return {
      occurredAt: when.date,
      zoneKnown: when.zoneKnown,
      status: status?.status ?? null,
      substatus: status?.substatus ?? null,
      description: checkpoint.StatusDescription ?? "",
      location: checkpoint.Details,
      city: null,
      state: null,
      countryCode: null,
      postalCode: null,
      rawStatus: status?.raw ?? null,
    };
  });
  return {
    provider,
    trackingNumber: tracking.tracking_number,
    carrierCode: tracking.carrier_code,
    providerTrackingId: tracking.id,
    status: mapped?.status ?? null,
    substatus: mapped?.substatus ?? null,
    rawStatus: mapped?.raw ?? null,
    asOf: parseProviderInstant(tracking.lastUpdateTime)?.date ?? null,
    events,
    destinationCountry: null,
  };
}
