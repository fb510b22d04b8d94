import type { Courier, CourierFamily } from "./couriers";
import { formatLocation } from "./places";
import { FINAL_STATUSES, isV4Status, type SimCheckpoint, type SimTracking, type V4Status } from "./state";
import { DAY_MS, localDate } from "./time";

/**
 * Scripted parcel journeys for `advance('next')`. They are deterministic per tracking number so tests
 * can pick an outcome by the last digit (7 = one failed delivery attempt, 3 = lost), and worded like
 * the carrier so the demo reads realistically.
 */

type Moment =
  | "inforeceived"
  | "pickedUp"
  | "hub"
  | "deliveryFacility"
  | "outForDelivery"
  | "delivered"
  | "attemptFailed"
  | "deliveredAtDoor"
  | "lost";

export interface JourneyStep {
  moment: Moment;
  status: V4Status;
  substatus: string;
  at: "origin" | "hub" | "destination";
}

const step = (moment: Moment, status: V4Status, substatus: string, at: JourneyStep["at"]): JourneyStep => ({ moment, status, substatus, at });

const FIRST_MILE: readonly JourneyStep[] = [
  step("inforeceived", "inforeceived", "inforeceived001", "origin"),
  step("pickedUp", "transit", "transit001", "origin"),
  step("hub", "transit", "transit002", "hub"),
];

const LAST_MILE: readonly JourneyStep[] = [
  step("deliveryFacility", "transit", "transit003", "destination"),
  step("outForDelivery", "pickup", "pickup001", "destination"),
];

const DELIVERED: readonly JourneyStep[] = [...FIRST_MILE, ...LAST_MILE, step("delivered", "delivered", "delivered001", "destination")];

const FAILED_ATTEMPT: readonly JourneyStep[] = [
  ...FIRST_MILE,
  ...LAST_MILE,
  step("attemptFailed", "undelivered", "undelivered002", "destination"),
  step("outForDelivery", "pickup", "pickup001", "destination"),
  step("deliveredAtDoor", "delivered", "delivered004", "destination"),
];

const LOST: readonly JourneyStep[] = [...FIRST_MILE, step("lost", "exception", "exception007", "hub")];

export function journeyFor(trackingNumber: string): readonly JourneyStep[] {
  const last = trackingNumber.at(-1);
  if (last === "7") return FAILED_ATTEMPT;
  if (last === "3") return LOST;
  return DELIVERED;
}

const WORDING: Readonly<Record<CourierFamily, Readonly<Record<Moment, string>>>> = {
  ups: {
    inforeceived: "Shipper created a label, UPS has not received the package yet.",
    pickedUp: "Pickup Scan",
    hub: "Arrived at Facility",
    deliveryFacility: "Destination Scan",
    outForDelivery: "Out For Delivery Today",
    delivered: "Delivered",
    attemptFailed: "The receiver was not available for delivery. We'll make a second attempt the next business day.",
    deliveredAtDoor: "DELIVERED - Left at front door",
    lost: "We're sorry, your package has been lost. Please contact the sender for further details.",
  },
  usps: {
    inforeceived: "Shipping Label Created, USPS Awaiting Item",
    pickedUp: "USPS in possession of item",
    hub: "Arrived at USPS Regional Facility",
    deliveryFacility: "Arrived at Post Office",
    outForDelivery: "Out for Delivery",
    delivered: "Delivered, In/At Mailbox",
    attemptFailed: "Notice Left (No Authorized Recipient Available)",
    deliveredAtDoor: "Delivered, Front Door/Porch",
    lost: "Missing Mail Search Request Initiated - item could not be located",
  },
  fedex: {
    inforeceived: "Shipment information sent to FedEx",
    pickedUp: "Picked up",
    hub: "Arrived at FedEx hub",
    deliveryFacility: "At local FedEx facility",
    outForDelivery: "On FedEx vehicle for delivery",
    delivered: "Delivered",
    attemptFailed: "Delivery exception - Customer not available or business closed",
    deliveredAtDoor: "Delivered - Left at front door. Signature Service not requested.",
    lost: "Package lost in transit - FedEx is investigating",
  },
  dhl: {
    inforeceived: "Shipment information received",
    pickedUp: "Shipment picked up",
    hub: "Arrived at DHL Sort Facility",
    deliveryFacility: "Arrived at DHL Delivery Facility",
    outForDelivery: "Shipment is out with courier for delivery",
    delivered: "Delivered",
    attemptFailed: "Delivery attempted; recipient not home",
    deliveredAtDoor: "Delivered - left with neighbour",
    lost: "Shipment lost - please contact DHL Customer Service",
  },
  post: {
    inforeceived: "Electronic information received",
    pickedUp: "Item accepted by the post office",
    hub: "Item processed at mail centre",
    deliveryFacility: "Item arrived at delivery office",
    outForDelivery: "Item out for delivery",
    delivered: "Item delivered",
    attemptFailed: "Delivery attempted - recipient not available, card left",
    deliveredAtDoor: "Item delivered - left in safe place",
    lost: "Item could not be located and is presumed lost",
  },
  express: {
    inforeceived: "Shipment data received",
    pickedUp: "Parcel collected",
    hub: "Parcel arrived at hub",
    deliveryFacility: "Parcel arrived at local depot",
    outForDelivery: "Parcel out for delivery",
    delivered: "Parcel delivered",
    attemptFailed: "Delivery attempted - nobody at home",
    deliveredAtDoor: "Parcel delivered - left at front door",
    lost: "Parcel lost in network",
  },
};

/** Substatus used when an explicit step names only a status (A.2 meanings). */
const DEFAULT_SUBSTATUS: Readonly<Record<V4Status, string | null>> = {
  pending: null,
  notfound: "notfound002",
  inforeceived: "inforeceived001",
  transit: "transit001",
  pickup: "pickup001",
  undelivered: "undelivered001",
  delivered: "delivered001",
  exception: "exception005",
  expired: "expired001",
};

export function defaultSubstatus(status: V4Status): string | null {
  return DEFAULT_SUBSTATUS[status];
}

/**
 * Checkpoints are second-precision (that is all the API renders) and strictly increasing, so "newest
 * first" is unambiguous even when several steps happen within one clock second (e.g. a frozen test clock).
 */
function nextCheckpointTime(tracking: SimTracking, now: Date): Date {
  const at = new Date(Math.floor(now.getTime() / 1000) * 1000);
  const latest = tracking.checkpoints[0]?.at;
  return latest && at.getTime() <= latest.getTime() ? new Date(latest.getTime() + 1000) : at;
}

/** `update_at` never goes back and never trails the newest checkpoint. */
function touch(tracking: SimTracking, now: Date): void {
  const latest = tracking.checkpoints[0]?.at;
  const candidates = [tracking.updatedAt, now, ...(latest ? [latest] : [])];
  tracking.updatedAt = candidates.reduce((a, b) => (b.getTime() > a.getTime() ? b : a));
}

/** Applies the next scripted step. Returns false (nothing changed) once the journey is over. */
export function applyNextStep(tracking: SimTracking, courier: Courier, now: Date): boolean {
  if (FINAL_STATUSES.has(tracking.status)) return false;
  const next = journeyFor(tracking.trackingNumber)[tracking.journeyStep];
  if (!next) return false;
  const place = tracking.route[next.at];
  const at = nextCheckpointTime(tracking, now);
  tracking.checkpoints.unshift({
    at,
    utcOffsetMinutes: place.utcOffsetMinutes,
    description: WORDING[courier.family][next.moment],
    location: formatLocation(place),
    city: place.city,
    state: place.state,
    zip: place.zip,
    countryIso2: place.countryIso2,
    status: next.status,
    substatus: next.substatus,
    rawStatus: "",
  });
  tracking.status = next.status;
  tracking.substatus = next.substatus;
  const destinationOffset = tracking.route.destination.utcOffsetMinutes;
  // Carriers promise a date once the parcel is moving and push it back a day after a missed delivery.
  if (next.moment === "pickedUp") tracking.scheduledDeliveryDate = localDate(new Date(at.getTime() + 3 * DAY_MS), destinationOffset);
  if (next.moment === "attemptFailed") tracking.scheduledDeliveryDate = localDate(new Date(at.getTime() + DAY_MS), destinationOffset);
  tracking.journeyStep += 1;
  touch(tracking, now);
  return true;
}

export interface ExplicitCheckpoint {
  at: Date;
  description: string;
  location?: string;
  status?: string;
  substatus?: string;
  /** Carrier local offset used to render `at`; defaults to the destination's. */
  utcOffsetMinutes?: number;
}

export interface ExplicitStep {
  status: string;
  substatus?: string;
  checkpoints?: ExplicitCheckpoint[];
  scheduledDeliveryDate?: string | null;
}

function checkedSubstatus(status: V4Status, substatus: string | undefined): string | null {
  if (substatus === undefined) return defaultSubstatus(status);
  if (!substatus.startsWith(status)) throw new Error(`substatus ${JSON.stringify(substatus)} does not belong to status ${status}`);
  return substatus;
}

/**
 * Sets a status by hand (tests of rare states). If the state matches a later scripted step the journey
 * continues from there on the next 'next', so mixing both styles stays plausible.
 */
export function applyExplicitStep(tracking: SimTracking, input: ExplicitStep, now: Date): void {
  if (!isV4Status(input.status)) throw new Error(`unknown v4 status ${JSON.stringify(input.status)}`);
  const status = input.status;
  const substatus = checkedSubstatus(status, input.substatus);
  const destination = tracking.route.destination;
  const added: SimCheckpoint[] = (input.checkpoints ?? []).map((c) => {
    if (!(c.at instanceof Date) || Number.isNaN(c.at.getTime())) throw new Error("checkpoint.at must be a valid Date");
    const cpStatus = c.status === undefined ? status : c.status;
    if (!isV4Status(cpStatus)) throw new Error(`unknown v4 checkpoint status ${JSON.stringify(c.status)}`);
    const cpSubstatus = c.substatus !== undefined || cpStatus !== status ? checkedSubstatus(cpStatus, c.substatus) : substatus;
    const location = c.location ?? "";
    return {
      at: new Date(Math.floor(c.at.getTime() / 1000) * 1000),
      utcOffsetMinutes: c.utcOffsetMinutes ?? destination.utcOffsetMinutes,
      description: c.description,
      location,
      city: location.split(",")[0]?.trim() ?? "",
      state: "",
      zip: "",
      countryIso2: destination.countryIso2,
      status: cpStatus,
      substatus: cpSubstatus,
      rawStatus: "",
    };
  });
  // Stable sort: among equal times the newly added ones stay first, i.e. count as newest.
  tracking.checkpoints = [...added.sort((a, b) => b.at.getTime() - a.at.getTime()), ...tracking.checkpoints].sort(
    (a, b) => b.at.getTime() - a.at.getTime(),
  );
  tracking.status = status;
  tracking.substatus = substatus;
  if (input.scheduledDeliveryDate !== undefined) tracking.scheduledDeliveryDate = input.scheduledDeliveryDate;
  const steps = journeyFor(tracking.trackingNumber);
  const matching = steps.findIndex((s, i) => i >= tracking.journeyStep && s.status === status && s.substatus === substatus);
  if (matching >= 0) tracking.journeyStep = matching + 1;
  touch(tracking, now);
}
