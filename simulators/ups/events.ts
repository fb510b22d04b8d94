import {
  appendActivity,
  checkWindow,
  type DeliveryWindow,
  effectiveScheduledDate,
  rescheduleByOneDay,
  type SimLocation,
  type StoredActivity,
  type StoredPackage,
  storeActivity,
} from "./packages";
import { PREPARING_FOR_DELIVERY, STATUS_PRESETS, type StatusPreset, type UpsStatus } from "./statuses";
import { DAY_MS, dotOffset, toUpsDate, wallClock } from "./time";

/**
 * Track Alert events: applying one to a package and rendering the v1 webhook body
 * (`TrackingEventRequest`). Every body field is a string, blank when unknown; the rules that make
 * fields blank are the ones the documented examples show:
 *   - `activityLocation.postalCode` is blank until the delivery event ("blank until the delivery event occurs");
 *   - `scheduledDeliveryDate` and `deliveryTimeDescription` are blank on the delivery event (example 7) and
 *     before any date is known (example 1); otherwise the description is "end of day", or
 *     "estimated delivery window" with start/end times when a window is known (the FAQ's two examples);
 *   - `actualDeliveryDate/Time` are filled only on the delivery event;
 *   - `deliveryPhoto` is blank (it is an enhanced-subscription field).
 */

export interface SimTrackAlertEvent {
  status: UpsStatus | StatusPreset;
  /** Default: the simulator clock. */
  at?: Date;
  /** Default -240. */
  utcOffsetMinutes?: number;
  location?: SimLocation;
  /** Sets the package's scheduled delivery date (`YYYYMMDD` or `YYYY-MM-DD`); null clears it. */
  scheduledDeliveryDate?: string | null;
  /** Sets (null clears) the estimated delivery window. */
  deliveryWindow?: DeliveryWindow | null;
}

export type PushEventInput = SimTrackAlertEvent | { preset: StatusPreset };

export interface TrackingEventRequest {
  trackingNumber: string;
  localActivityDate: string;
  localActivityTime: string;
  activityLocation: { city: string; stateProvince: string; postalCode: string; country: string };
  activityStatus: { type: string; code: string; description: string; descriptionCode: string };
  scheduledDeliveryDate: string;
  actualDeliveryDate: string;
  actualDeliveryTime: string;
  gmtActivityDate: string;
  gmtActivityTime: string;
  gmtOffset: string;
  deliveryStartTime: string;
  deliveryEndTime: string;
  deliveryTimeDescription: string;
  deliveryPhoto: string;
}

/** Render after the activity was applied, so the body reflects the package as UPS saw it at that scan. */
export function renderEventBody(trackingNumber: string, pkg: StoredPackage, a: StoredActivity, options: { leadingSpace?: boolean } = {}): TrackingEventRequest {
  const local = wallClock(a.at, a.offset);
  const gmt = wallClock(a.at, 0);
  const delivered = a.status.type === "D";
  const scheduled = delivered ? "" : (effectiveScheduledDate(pkg) ?? "");
  const window = delivered ? null : pkg.deliveryWindow;
  return {
    trackingNumber: `${options.leadingSpace ? " " : ""}${trackingNumber}`,
    localActivityDate: local.date,
    localActivityTime: local.time,
    activityLocation: {
      city: a.location.city,
      stateProvince: a.location.stateProvince,
      postalCode: delivered ? a.location.postalCode : "",
      country: a.location.country,
    },
    activityStatus: { type: a.status.type, code: a.status.code, description: a.status.description, descriptionCode: a.status.statusCode },
    scheduledDeliveryDate: scheduled,
    actualDeliveryDate: delivered ? local.date : "",
    actualDeliveryTime: delivered ? local.time : "",
    gmtActivityDate: gmt.date,
    gmtActivityTime: gmt.time,
    gmtOffset: dotOffset(a.offset),
    deliveryStartTime: window?.startTime ?? "",
    deliveryEndTime: window?.endTime ?? "",
    deliveryTimeDescription: window ? "estimated delivery window" : scheduled ? "end of day" : "",
    deliveryPhoto: "",
  };
}

/** Apply an explicit event to the package; returns the stored activity. */
export function applyEvent(pkg: StoredPackage, event: SimTrackAlertEvent, now: Date): StoredActivity {
  const activity = storeActivity({ at: event.at ?? now, utcOffsetMinutes: event.utcOffsetMinutes, location: event.location, status: event.status }, "event");
  if (event.scheduledDeliveryDate !== undefined) {
    pkg.scheduledDeliveryDate = event.scheduledDeliveryDate === null ? null : toUpsDate(event.scheduledDeliveryDate);
    pkg.rescheduledDeliveryDate = null;
  }
  if (event.deliveryWindow !== undefined) pkg.deliveryWindow = checkWindow(event.deliveryWindow);
  appendActivity(pkg, activity);
  return activity;
}

// The documented examples' places: origin scans in Hickory, NC; delivery from Charlotte, NC.
const ORIGIN: SimLocation = { city: "Hickory", stateProvince: "NC", country: "US" };
const DELIVERY_HUB: SimLocation = { city: "Charlotte", stateProvince: "NC", country: "US" };
const DELIVERY_ADDRESS: SimLocation = { city: "CHARLOTTE", stateProvince: "NC", postalCode: "28209", country: "US" };

function destinationLocation(pkg: StoredPackage, fallback: SimLocation): SimLocation {
  const d = pkg.destination;
  if (!d?.city) return fallback;
  return { city: d.city, stateProvince: d.stateProvince ?? "", postalCode: d.postalCode ?? "", country: d.country ?? "US" };
}

/**
 * A preset is a typical event of that kind at the simulator clock. Side effects on dates: `pickup`
 * sets a scheduled date two days out when none is known; `updated_delivery` moves the delivery date
 * one day later (rendered as RDD by the Track API).
 */
export function applyPreset(pkg: StoredPackage, preset: StatusPreset, now: Date): StoredActivity {
  const status = STATUS_PRESETS[preset];
  if (!status) throw new Error(`unknown preset ${JSON.stringify(preset)}`);
  const offset = -240;
  switch (preset) {
    case "manifest":
    case "manifest_void":
      return applyEvent(pkg, { status: preset, at: now, location: { country: "US" } }, now);
    case "pickup": {
      const scheduled = effectiveScheduledDate(pkg) ? undefined : wallClock(new Date(now.getTime() + 2 * DAY_MS), offset).date;
      return applyEvent(pkg, { status: preset, at: now, location: ORIGIN, ...(scheduled ? { scheduledDeliveryDate: scheduled } : {}) }, now);
    }
    case "in_transit":
      return applyEvent(pkg, { status: preset, at: now, location: ORIGIN }, now);
    case "out_for_delivery":
    case "exception":
      return applyEvent(pkg, { status: preset, at: now, location: destinationLocation(pkg, DELIVERY_HUB) }, now);
    case "delivered":
      return applyEvent(pkg, { status: preset, at: now, location: destinationLocation(pkg, DELIVERY_ADDRESS) }, now);
    case "updated_delivery":
      rescheduleByOneDay(pkg, now, offset);
      return applyEvent(pkg, { status: preset, at: now, location: destinationLocation(pkg, DELIVERY_HUB) }, now);
  }
}

// ---------------------------------------------------------------------------------------------
// CIE

export const CIE_TRACKING_NUMBERS: readonly string[] = ["1ZCIETST0111111114", "1ZCIETST0422222228"];

/** The documented 7-event sequence (UPSTrackAlert.yaml v1 examples 1–7), in GMT with the local offset they imply. */
interface CieStep {
  gmt: string;
  offset: number;
  location: SimLocation;
  status: UpsStatus;
  scheduledDeliveryDate?: string;
}

const CIE_STEPS: readonly CieStep[] = [
  // Example 1 says local 09:12:30 for GMT 04:12:30: +05:00, unlike the -04:00 of the others. Kept as documented.
  { gmt: "2024-04-22T04:12:30Z", offset: 300, location: { country: "US" }, status: STATUS_PRESETS.manifest },
  { gmt: "2024-04-23T01:29:01Z", offset: -240, location: ORIGIN, status: STATUS_PRESETS.pickup, scheduledDeliveryDate: "20240423" },
  { gmt: "2024-04-23T02:54:00Z", offset: -240, location: ORIGIN, status: STATUS_PRESETS.in_transit },
  { gmt: "2024-04-23T04:30:52Z", offset: -240, location: DELIVERY_HUB, status: PREPARING_FOR_DELIVERY },
  { gmt: "2024-04-23T10:39:36Z", offset: -240, location: DELIVERY_HUB, status: PREPARING_FOR_DELIVERY },
  { gmt: "2024-04-23T13:15:19Z", offset: -240, location: DELIVERY_HUB, status: STATUS_PRESETS.out_for_delivery },
  { gmt: "2024-04-23T13:50:04Z", offset: -240, location: DELIVERY_ADDRESS, status: STATUS_PRESETS.delivered },
];

export const CIE_EVENT_COUNT = CIE_STEPS.length;

/**
 * The CIE sequence as events. "documented" keeps the examples' timestamps (2024-04-22/23); "now" shifts
 * the whole sequence so the delivery scan is at `now` (whole seconds), keeping the documented gaps, and
 * recomputes the scheduled date from the shifted delivery day.
 */
export function cieEvents(timestamps: "documented" | "now", now: Date): SimTrackAlertEvent[] {
  const last = Date.parse(CIE_STEPS[CIE_STEPS.length - 1]!.gmt);
  const shift = timestamps === "now" ? Math.floor(now.getTime() / 1000) * 1000 - last : 0;
  const deliveryDay = wallClock(new Date(last + shift), -240).date;
  return CIE_STEPS.map((step) => ({
    status: step.status,
    at: new Date(Date.parse(step.gmt) + shift),
    utcOffsetMinutes: step.offset,
    location: step.location,
    ...(step.scheduledDeliveryDate ? { scheduledDeliveryDate: deliveryDay } : {}),
  }));
}
