import { resolveStatus, type StatusPreset, type UpsStatus } from "./statuses";
import { addDays, colonOffset, toUpsDate, toUpsTime, wallClock } from "./time";

/**
 * The packages the Track API knows, and their rendering as `TrackApiResponse` (Tracking.yaml).
 * Activities are stored oldest first and rendered newest first, as the Track API documents.
 */

/** The documented examples are Eastern daylight time (`-04:00`), so that is the default scan clock. */
export const DEFAULT_UTC_OFFSET_MINUTES = -240;

export interface SimLocation {
  city?: string;
  /** Two-letter state or province. */
  stateProvince?: string;
  postalCode?: string;
  /** Two-letter country code. Default "US". */
  country?: string;
  /** Site Location Indicator Code (Track API only). */
  slic?: string;
}

export interface SimActivity {
  at: Date;
  /** Offset of the scan location's clock from UTC in minutes (east positive). Default -240. */
  utcOffsetMinutes?: number;
  location?: SimLocation;
  status: UpsStatus | StatusPreset;
}

export interface SimAddress {
  name?: string;
  attentionName?: string;
  addressLine1?: string;
  addressLine2?: string;
  addressLine3?: string;
  city?: string;
  stateProvince?: string;
  postalCode?: string;
  country?: string;
}

export interface DeliveryWindow {
  /** `HHMMSS` or `HH:MM[:SS]`, local to the destination. */
  startTime: string;
  endTime: string;
}

export interface SimPackage {
  /** Oldest first (the simulator sorts by `at`, keeping the given order for equal times). */
  activities: SimActivity[];
  /** `YYYYMMDD` or `YYYY-MM-DD`; rendered as deliveryDate type SDD. */
  scheduledDeliveryDate?: string | null;
  /** Rendered as deliveryDate type RDD (and becomes the date Track Alert events carry). */
  rescheduledDeliveryDate?: string | null;
  /** Renders deliveryTime type EDW instead of EOD. */
  deliveryWindow?: DeliveryWindow | null;
  /** Omitted: taken from the newest type-D activity. null: not delivered whatever the activities say. */
  deliveredAt?: Date | null;
  service?: { code: string; description: string; levelCode: string };
  weight?: { unitOfMeasurement: "LBS" | "KGS"; weight: string };
  origin?: SimAddress;
  destination?: SimAddress;
  referenceNumbers?: Array<{ type: string; number: string }>;
  /** deliveryInformation.location once delivered. Default "Front Door". */
  deliveryLocation?: string;
  receivedBy?: string;
}

export interface StoredActivity {
  at: Date;
  offset: number;
  location: Required<SimLocation>;
  status: Required<UpsStatus>;
}

export interface StoredPackage {
  trackingNumber: string;
  activities: StoredActivity[];
  scheduledDeliveryDate: string | null;
  rescheduledDeliveryDate: string | null;
  deliveryWindow: DeliveryWindow | null;
  delivered: { at: Date; offset: number } | null;
  service: { code: string; description: string; levelCode: string };
  weight: { unitOfMeasurement: string; weight: string };
  origin: SimAddress | null;
  destination: SimAddress | null;
  referenceNumbers: Array<{ type: string; number: string }>;
  deliveryLocation: string;
  receivedBy: string;
}

function checkOffset(value: number | undefined): number {
  if (value === undefined) return DEFAULT_UTC_OFFSET_MINUTES;
  if (!Number.isInteger(value) || Math.abs(value) > 14 * 60) throw new Error("utcOffsetMinutes must be an integer within ±840");
  return value;
}

function checkDate(value: unknown, field: string): Date {
  if (!(value instanceof Date) || Number.isNaN(value.getTime())) throw new Error(`${field} must be a valid Date`);
  return value;
}

export function storeLocation(location: SimLocation | undefined): Required<SimLocation> {
  return {
    city: location?.city ?? "",
    stateProvince: location?.stateProvince ?? "",
    postalCode: location?.postalCode ?? "",
    country: location?.country ?? "US",
    slic: location?.slic ?? "",
  };
}

export function storeActivity(a: SimActivity, field = "activity"): StoredActivity {
  return { at: checkDate(a.at, `${field}.at`), offset: checkOffset(a.utcOffsetMinutes), location: storeLocation(a.location), status: resolveStatus(a.status) };
}

export function checkWindow(w: DeliveryWindow | null | undefined): DeliveryWindow | null {
  if (!w) return null;
  return { startTime: toUpsTime(w.startTime), endTime: toUpsTime(w.endTime) };
}

export function emptyPackage(trackingNumber: string): StoredPackage {
  return {
    trackingNumber,
    activities: [],
    scheduledDeliveryDate: null,
    rescheduledDeliveryDate: null,
    deliveryWindow: null,
    delivered: null,
    // The Track API schema's own example values.
    service: { code: "518", description: "UPS Ground", levelCode: "011" },
    weight: { unitOfMeasurement: "LBS", weight: "1.00" },
    origin: null,
    destination: null,
    referenceNumbers: [],
    deliveryLocation: "Front Door",
    receivedBy: "",
  };
}

export function buildPackage(trackingNumber: string, p: SimPackage): StoredPackage {
  if (!Array.isArray(p.activities)) throw new Error("activities must be an array");
  const activities = p.activities
    .map((a, i) => ({ a: storeActivity(a, `activities[${i}]`), i }))
    .sort((x, y) => x.a.at.getTime() - y.a.at.getTime() || x.i - y.i)
    .map((x) => x.a);
  const pkg = emptyPackage(trackingNumber);
  pkg.activities = activities;
  pkg.scheduledDeliveryDate = p.scheduledDeliveryDate ? toUpsDate(p.scheduledDeliveryDate) : null;
  pkg.rescheduledDeliveryDate = p.rescheduledDeliveryDate ? toUpsDate(p.rescheduledDeliveryDate) : null;
  pkg.deliveryWindow = checkWindow(p.deliveryWindow);
  const lastDelivery = [...activities].reverse().find((a) => a.status.type === "D");
  if (p.deliveredAt === undefined) {
    pkg.delivered = lastDelivery ? { at: lastDelivery.at, offset: lastDelivery.offset } : null;
  } else if (p.deliveredAt !== null) {
    pkg.delivered = { at: checkDate(p.deliveredAt, "deliveredAt"), offset: lastDelivery?.offset ?? DEFAULT_UTC_OFFSET_MINUTES };
  }
  if (p.service) pkg.service = { ...p.service };
  if (p.weight) pkg.weight = { ...p.weight };
  pkg.origin = p.origin ? { ...p.origin } : null;
  pkg.destination = p.destination ? { ...p.destination } : null;
  pkg.referenceNumbers = (p.referenceNumbers ?? []).map((r) => ({ ...r }));
  if (p.deliveryLocation !== undefined) pkg.deliveryLocation = p.deliveryLocation;
  if (p.receivedBy !== undefined) pkg.receivedBy = p.receivedBy;
  return pkg;
}

/** The date Track Alert events carry and EOD refers to: a rescheduled date wins over the original. */
export function effectiveScheduledDate(pkg: StoredPackage): string | null {
  return pkg.rescheduledDeliveryDate ?? pkg.scheduledDeliveryDate;
}

/** Side effects of one new activity on the package (delivery, rescheduling). */
export function appendActivity(pkg: StoredPackage, activity: StoredActivity): void {
  pkg.activities.push(activity);
  if (activity.status.type === "D") pkg.delivered = { at: activity.at, offset: activity.offset };
}

export function rescheduleByOneDay(pkg: StoredPackage, at: Date, offset: number): void {
  pkg.rescheduledDeliveryDate = addDays(effectiveScheduledDate(pkg) ?? wallClock(at, offset).date, 1);
}

// ---------------------------------------------------------------------------------------------
// Track API rendering

function renderAddress(a: SimAddress | Required<SimLocation>) {
  const country = a.country ?? "US";
  return {
    ...("addressLine1" in a && a.addressLine1 !== undefined ? { addressLine1: a.addressLine1 } : {}),
    ...("addressLine2" in a && a.addressLine2 !== undefined ? { addressLine2: a.addressLine2 } : {}),
    ...("addressLine3" in a && a.addressLine3 !== undefined ? { addressLine3: a.addressLine3 } : {}),
    city: a.city ?? "",
    stateProvince: a.stateProvince ?? "",
    postalCode: a.postalCode ?? "",
    country,
    countryCode: country,
  };
}

function renderStatus(s: Required<UpsStatus>) {
  return { type: s.type, code: s.code, description: s.description, simplifiedTextDescription: s.simplifiedTextDescription, statusCode: s.statusCode };
}

/**
 * `gmtTime` drops a leading zero (Tracking.yaml's example is `"74700"`), so clients that assume six
 * digits break here as they would against UPS. Only `gmtTime`: every other time keeps six digits.
 */
function gmtTimeAsUpsWritesIt(hhmmss: string): string {
  return hhmmss.startsWith("0") ? hhmmss.slice(1) : hhmmss;
}

function renderActivity(a: StoredActivity) {
  const local = wallClock(a.at, a.offset);
  const gmt = wallClock(a.at, 0);
  return {
    date: local.date,
    time: local.time,
    gmtDate: gmt.date,
    gmtTime: gmtTimeAsUpsWritesIt(gmt.time),
    gmtOffset: colonOffset(a.offset),
    location: { address: renderAddress(a.location), slic: a.location.slic },
    status: renderStatus(a.status),
  };
}

const MILESTONES: ReadonlyArray<{ description: string; code: string; completedBy: (a: StoredActivity) => boolean }> = [
  { description: "Label Created", code: "003", completedBy: (a) => a.status.type === "M" },
  { description: "On the Way", code: "005", completedBy: (a) => (a.status.type === "I" || a.status.type === "P") && a.status.code !== "OT" },
  { description: "Out for Delivery", code: "021", completedBy: (a) => a.status.code === "OT" },
  { description: "Delivered", code: "011", completedBy: (a) => a.status.type === "D" },
];

/**
 * Milestones are oldest first; `linkedActivity` is the 0-based index (newest first) of the activity
 * that completed the milestone, present only once completed, as Tracking.yaml describes. The four
 * categories are our choice: the schema documents the fields, not UPS's category list.
 */
function renderMilestones(newestFirst: StoredActivity[]) {
  const completed = MILESTONES.map((m) => {
    let index = -1;
    for (let i = newestFirst.length - 1; i >= 0; i -= 1) {
      if (m.completedBy(newestFirst[i]!)) {
        index = i;
        break;
      }
    }
    return index;
  });
  const lastDone = completed.reduce((last, index, i) => (index >= 0 ? i : last), -1);
  return MILESTONES.map((m, i) => {
    const done = completed[i]! >= 0;
    return {
      category: done ? m.description : "",
      code: m.code,
      current: i === lastDone,
      description: m.description,
      ...(done ? { linkedActivity: String(completed[i]) } : {}),
      state: done ? "This milestone has already occurred" : "This milestone has not yet been completed",
    };
  });
}

function renderPackageAddress(type: "ORIGIN" | "DESTINATION", a: SimAddress) {
  return { type, name: a.name ?? "", ...(a.attentionName !== undefined ? { attentionName: a.attentionName } : {}), address: renderAddress(a) };
}

export function renderTrackResponse(inquiryNumber: string, pkg: StoredPackage, options: { milestones: boolean }) {
  const newestFirst = [...pkg.activities].reverse();
  const current = newestFirst[0]!;
  const deliveryDate: Array<{ type: string; date: string }> = [];
  let deliveryTime: { type: string; startTime: string; endTime: string } | undefined;
  if (pkg.delivered) {
    const local = wallClock(pkg.delivered.at, pkg.delivered.offset);
    deliveryDate.push({ type: "DEL", date: local.date });
    deliveryTime = { type: "DEL", startTime: "", endTime: local.time };
  } else {
    if (pkg.scheduledDeliveryDate) deliveryDate.push({ type: "SDD", date: pkg.scheduledDeliveryDate });
    if (pkg.rescheduledDeliveryDate) deliveryDate.push({ type: "RDD", date: pkg.rescheduledDeliveryDate });
    if (pkg.deliveryWindow) deliveryTime = { type: "EDW", startTime: pkg.deliveryWindow.startTime, endTime: pkg.deliveryWindow.endTime };
    // The schema example: EOD with only an end time.
    else if (deliveryDate.length > 0) deliveryTime = { type: "EOD", startTime: "", endTime: "230000" };
  }
  const packageAddress = [
    ...(pkg.origin ? [renderPackageAddress("ORIGIN", pkg.origin)] : []),
    ...(pkg.destination ? [renderPackageAddress("DESTINATION", pkg.destination)] : []),
  ];
  return {
    trackResponse: {
      shipment: [
        {
          inquiryNumber,
          userRelation: [],
          package: [
            {
              trackingNumber: pkg.trackingNumber,
              packageCount: 1,
              currentStatus: renderStatus(current.status),
              deliveryDate,
              ...(deliveryTime ? { deliveryTime } : {}),
              // "Populated only when the package is delivered." No images: the simulator has none to return.
              ...(pkg.delivered
                ? {
                    deliveryInformation: {
                      location: pkg.deliveryLocation,
                      receivedBy: pkg.receivedBy,
                      signature: { image: "" },
                      deliveryPhoto: { isNonPostalCodeCountry: false, photo: "", photoCaptureInd: "N", photoDispositionCode: "N" },
                      pod: { content: "" },
                    },
                  }
                : {}),
              activity: newestFirst.map(renderActivity),
              ...(options.milestones ? { milestones: renderMilestones(newestFirst) } : {}),
              packageAddress,
              service: { ...pkg.service },
              weight: { ...pkg.weight },
              referenceNumber: pkg.referenceNumbers.map((r) => ({ ...r })),
            },
          ],
        },
      ],
    },
  };
}
