import type { EstimatedDelivery, TrackingEventInput, TrackingObservation } from "~/domain/tracking-observation";
import type { TrackAlertEvent, TrackPackage } from "./schemas";
import { mapUpsStatus } from "./status-codes";

/** "20240423" + "095004" (UPS drops a leading zero now and then: "74700") → a Date read as UTC. */
export function upsDateTime(date: string | null, time: string | null): Date | null {
  if (!date || !/^\d{8}$/.test(date)) return null;
  const clock = (time ?? "").replace(/\D/g, "").padStart(6, "0").slice(-6);
  const value = new Date(Date.UTC(Number(date.slice(0, 4)), Number(date.slice(4, 6)) - 1, Number(date.slice(6, 8)), Number(clock.slice(0, 2)), Number(clock.slice(2, 4)), Number(clock.slice(4, 6))));
  return Number.isNaN(value.getTime()) ? null : value;
}

function eventTime(gmtDate: string | null, gmtTime: string | null, localDate: string | null, localTime: string | null) {
  const gmt = upsDateTime(gmtDate, gmtTime);
  if (gmt) return { occurredAt: gmt, zoneKnown: true };
  const local = upsDateTime(localDate, localTime);
  return local ? { occurredAt: local, zoneKnown: false } : null;
}

function locationText(city: string | null, state: string | null, country: string | null): string | null {
  const parts = [city, state, country].filter(Boolean);
  return parts.length ? parts.join(", ") : null;
}

/** A delivery window on the scheduled date, in the destination's local time (read as UTC, like all wall-clock times). */
function estimate(date: string | null, start: string | null, end: string | null): EstimatedDelivery | undefined {
  const day = upsDateTime(date, "000000");
  if (!day) return undefined;
  return {
    start: start ? (upsDateTime(date, start) ?? day) : day,
    end: end ? upsDateTime(date, end) : null,
  };
}

export function observationFromTrackAlert(event: TrackAlertEvent): TrackingObservation {
  const type = event.activityStatus?.type ?? null;
  const code = event.activityStatus?.code ?? null;
  const mapped = mapUpsStatus(type, code);
  const when = eventTime(event.gmtActivityDate, event.gmtActivityTime, event.localActivityDate, event.localActivityTime);
  const location = event.activityLocation;
  const events: TrackingEventInput[] = when
    ? [
        {
          ...when,
          status: mapped?.status ?? null,
          substatus: mapped?.substatus ?? null,
          description: event.activityStatus?.description ?? event.deliveryTimeDescription ?? "",
          location: locationText(location?.city ?? null, location?.stateProvince ?? null, location?.country ?? null),
          city: location?.city ?? null,
          state: location?.stateProvince ?? null,
          countryCode: location?.country ?? null,
          postalCode: location?.postalCode ?? null,
          rawStatus: [type, code].filter(Boolean).join("/") || null,
        },
      ]
    : [];
  // actualDeliveryDate/Time are local wall-clock; the delivery event's own GMT time is the instant.
  const deliveredAt =
    mapped?.status === "delivered" ? (when?.zoneKnown ? when.occurredAt : (upsDateTime(event.actualDeliveryDate, event.actualDeliveryTime) ?? when?.occurredAt ?? null)) : null;
  const window = estimate(event.scheduledDeliveryDate, event.deliveryStartTime, event.deliveryEndTime);
  return {
    provider: "ups",
    trackingNumber: event.trackingNumber,
    carrierCode: "ups",
    providerTrackingId: null,
    // U (a new delivery date) maps to no status: it changes only the estimate.
    status: mapped?.status ?? null,
    substatus: mapped?.substatus ?? null,
    rawStatus: [type, code].filter(Boolean).join("/") || null,
    asOf: when?.occurredAt ?? null,
    events,
    ...(window ? { estimatedDelivery: window } : {}),
    deliveredAt,
  };
}

export function observationFromTrackPackage(pkg: TrackPackage): TrackingObservation {
  const events: TrackingEventInput[] = [];
  for (const activity of pkg.activity ?? []) {
    const when = eventTime(activity.gmtDate, activity.gmtTime, activity.date, activity.time);
    if (!when) continue;
    const mapped = mapUpsStatus(activity.status?.type ?? null, activity.status?.code ?? null);
    const address = activity.location?.address;
    events.push({
      ...when,
      status: mapped?.status ?? null,
      substatus: mapped?.substatus ?? null,
      description: activity.status?.description ?? "",
      location: locationText(address?.city ?? null, address?.stateProvince ?? null, address?.countryCode ?? address?.country ?? null),
      city: address?.city ?? null,
      state: address?.stateProvince ?? null,
      countryCode: address?.countryCode ?? address?.country ?? null,
      postalCode: address?.postalCode ?? null,
      rawStatus: [activity.status?.type, activity.status?.code].filter(Boolean).join("/") || null,
    });
  }
  const current = mapUpsStatus(pkg.currentStatus?.type ?? null, pkg.currentStatus?.code ?? null);
  const newest = events.reduce<Date | null>((latest, event) => (!latest || event.occurredAt > latest ? event.occurredAt : latest), null);
  const delivered = pkg.deliveryDate?.find((entry) => entry.type === "DEL");
  // DEL's date and time are local wall-clock; the newest delivery scan's GMT time is the instant.
  const deliveryScan = events.filter((event) => event.status === "delivered").reduce<TrackingEventInput | null>((latest, event) => (!latest || event.occurredAt > latest.occurredAt ? event : latest), null);
  const delTime = pkg.deliveryTime?.type === "DEL" ? (pkg.deliveryTime.endTime ?? null) : null;
  const scheduled = pkg.deliveryDate?.find((entry) => entry.type === "RDD") ?? pkg.deliveryDate?.find((entry) => entry.type === "SDD");
  const window = scheduled ? estimate(scheduled.date, pkg.deliveryTime?.startTime ?? null, pkg.deliveryTime?.endTime ?? null) : undefined;
  return {
    provider: "ups",
    trackingNumber: pkg.trackingNumber.trim(),
    carrierCode: "ups",
    providerTrackingId: null,
    status: current?.status ?? null,
    substatus: current?.substatus ?? null,
    rawStatus: [pkg.currentStatus?.type, pkg.currentStatus?.code].filter(Boolean).join("/") || null,
    asOf: newest,
    events,
    ...(window ? { estimatedDelivery: window } : {}),
    deliveredAt: current?.status !== "delivered" ? null : deliveryScan?.zoneKnown ? deliveryScan.occurredAt : delivered ? upsDateTime(delivered.date, delTime) : null,
  };
}
