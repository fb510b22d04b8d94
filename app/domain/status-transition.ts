import {
  RETURN_SUBSTATUSES,
  STATUS_PROGRESS_RANK,
  type ShipmentStatus,
  type ShipmentSubstatus,
} from "./shipment-status";
import type { TrackingEventInput, TrackingObservation } from "./tracking-observation";

/** The part of a stored shipment that observations can change. */
export interface ShipmentTrackingState {
  status: ShipmentStatus;
  substatus: ShipmentSubstatus | null;
  rawStatus: string | null;
  /** Time of the newest information the current status is based on. */
  statusAsOf: Date | null;
  deliveredAt: Date | null;
  estimatedDeliveryAt: Date | null;
  estimatedDeliveryEndAt: Date | null;
  lastEventAt: Date | null;
}

export type TransitionReason =
  | "APPLIED"
  | "UNCHANGED"
  | "NO_STATUS_IN_OBSERVATION"
  | "STALE_OBSERVATION"
  | "WOULD_REGRESS"
  | "DELIVERED_IS_FINAL";

export interface TransitionResult {
  next: ShipmentTrackingState;
  statusChanged: boolean;
  reason: TransitionReason;
}

function latestEventTime(events: readonly TrackingEventInput[]): Date | null {
  let latest: Date | null = null;
  for (const event of events) {
    if (!latest || event.occurredAt > latest) latest = event.occurredAt;
  }
  return latest;
}

function maxDate(a: Date | null, b: Date | null): Date | null {
  if (!a) return b;
  if (!b) return a;
  return a >= b ? a : b;
}

/**
 * When the observation's status became true: its newest checkpoint if it has any, else what the
 * provider said. Checkpoints win because providers' own "as of" fields are refresh times, not
 * carrier times.
 */
export function observationAsOf(observation: TrackingObservation): Date | null {
  return latestEventTime(observation.events) ?? observation.asOf;
}

function deliveredAtFrom(observation: TrackingObservation, asOf: Date | null): Date | null {
  if (observation.deliveredAt) return observation.deliveredAt;
  let latestDelivered: Date | null = null;
  for (const event of observation.events) {
    if (event.status === "delivered" && (!latestDelivered || event.occurredAt > latestDelivered)) {
      latestDelivered = event.occurredAt;
    }
  }
  return latestDelivered ?? asOf;
}

function isStale(current: ShipmentTrackingState, incomingAsOf: Date | null): boolean {
  return Boolean(incomingAsOf && current.statusAsOf && incomingAsOf < current.statusAsOf);
}

/**
 * Decide whether an observation may replace the stored status. Observations arrive out of order
 * (webhook retries, polls racing pushes), so a status only moves when the observation is at least
 * as new as what we hold, and never backwards without newer carrier evidence. Delivered is final
 * except for a return reported after it (returned, returning, refused).
 */
function decideStatus(
  current: ShipmentTrackingState,
  observation: TrackingObservation,
): { accept: boolean; reason: TransitionReason } {
  const incoming = observation.status;
  if (!incoming) return { accept: false, reason: "NO_STATUS_IN_OBSERVATION" };

  const incomingAsOf = observationAsOf(observation);
  if (isStale(current, incomingAsOf)) return { accept: false, reason: "STALE_OBSERVATION" };

  if (current.status === "delivered") {
    if (incoming === "delivered") return { accept: true, reason: "APPLIED" };
    const after = current.deliveredAt ?? current.statusAsOf;
    const isReturn = incoming === "exception" && observation.substatus !== null && RETURN_SUBSTATUSES.has(observation.substatus);
    if (isReturn && incomingAsOf && after && incomingAsOf > after) return { accept: true, reason: "APPLIED" };
    return { accept: false, reason: "DELIVERED_IS_FINAL" };
  }

  const strictlyNewer = Boolean(incomingAsOf && current.statusAsOf && incomingAsOf > current.statusAsOf);
  // "expired" is the provider's verdict that nothing happened for weeks; it carries no new
  // checkpoint by nature, so it cannot be judged by carrier evidence like the others.
  if (!strictlyNewer && incoming !== "expired" && STATUS_PROGRESS_RANK[incoming] < STATUS_PROGRESS_RANK[current.status]) {
    return { accept: false, reason: "WOULD_REGRESS" };
  }
  return { accept: true, reason: "APPLIED" };
}

/** Fold one observation into the stored tracking state. Pure: the caller persists the result. */
export function applyObservation(current: ShipmentTrackingState, observation: TrackingObservation): TransitionResult {
  const incomingAsOf = observationAsOf(observation);
  const decision = decideStatus(current, observation);

  const next: ShipmentTrackingState = {
    ...current,
    lastEventAt: maxDate(current.lastEventAt, latestEventTime(observation.events)),
  };

  // An estimate is only as good as the observation carrying it: a late retry must not bring back an outdated one.
  if (observation.estimatedDelivery && current.status !== "delivered" && !isStale(current, incomingAsOf)) {
    next.estimatedDeliveryAt = observation.estimatedDelivery.start;
    next.estimatedDeliveryEndAt = observation.estimatedDelivery.end;
  }

  if (!decision.accept || !observation.status) {
    return { next, statusChanged: false, reason: decision.reason };
  }

  next.status = observation.status;
  next.substatus = observation.substatus;
  next.rawStatus = observation.rawStatus;
  next.statusAsOf = maxDate(current.statusAsOf, incomingAsOf);
  if (observation.status === "delivered") {
    next.deliveredAt = current.deliveredAt ?? deliveredAtFrom(observation, incomingAsOf);
  }

  const statusChanged = next.status !== current.status || next.substatus !== current.substatus;
  return { next, statusChanged, reason: statusChanged ? "APPLIED" : "UNCHANGED" };
}

/** Event statuses that mean the carrier has the parcel: everything past "inforeceived" (a label being printed). */
export const CARRIER_SCAN_STATUSES: ReadonlySet<ShipmentStatus> = new Set(["transit", "pickup", "undelivered", "delivered", "exception"]);

/**
 * When the parcel was shipped, from checkpoints: the earliest carrier scan among them and the one
 * already known (`current`). Only ever moves earlier: a scan reported late cannot delay it.
 */
export function firstCarrierScanAt(current: Date | null, events: readonly Pick<TrackingEventInput, "status" | "occurredAt">[]): Date | null {
  let earliest = current;
  for (const event of events) {
    if (event.status && CARRIER_SCAN_STATUSES.has(event.status) && (!earliest || event.occurredAt < earliest)) earliest = event.occurredAt;
  }
  return earliest;
}

function normalizeText(value: string | null): string {
  return (value ?? "").trim().replace(/\s+/g, " ").toLowerCase();
}

/**
 * Identity of a checkpoint across deliveries: the same scan sent by a webhook and by a poll, or
 * twice by a retried webhook, must be stored once. Seconds are dropped because some providers
 * round checkpoint times differently between endpoints.
 */
export function trackingEventIdentity(event: TrackingEventInput): string {
  const minute = event.occurredAt.toISOString().slice(0, 16);
  return [minute, normalizeText(event.description), normalizeText(event.location ?? event.city)].join("|");
}
