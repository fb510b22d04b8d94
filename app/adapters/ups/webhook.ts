import type { TrackingObservation } from "~/domain/tracking-observation";
import { observationFromTrackAlert } from "./mappers";
import { trackAlertEventSchema } from "./schemas";

/**
 * A Track Alert event body (vendor-docs/ups-track-alert-api-v1.txt, TrackingEventRequest): every
 * field a string, blanks common, the tracking number sometimes padded with spaces.
 */
export type TrackAlertParse = { ok: true; observation: TrackingObservation } | { ok: false; reason: string };

export function parseTrackAlertEvent(rawBody: string): TrackAlertParse {
  let json: unknown;
  try {
    json = JSON.parse(rawBody);
  } catch {
    return { ok: false, reason: "body is not JSON" };
  }
  const event = trackAlertEventSchema.safeParse(json);
  if (!event.success) return { ok: false, reason: "body is not a Track Alert event (no trackingNumber)" };
  return { ok: true, observation: observationFromTrackAlert(event.data) };
}

const TEXT_FIELDS = [
  "localActivityDate",
  "localActivityTime",
  "gmtActivityDate",
  "gmtActivityTime",
  "gmtOffset",
  "scheduledDeliveryDate",
  "actualDeliveryDate",
  "actualDeliveryTime",
  "deliveryStartTime",
  "deliveryEndTime",
  "deliveryTimeDescription",
] as const;
const LOCATION_FIELDS = ["city", "stateProvince", "postalCode", "country", "countryCode"] as const;
const STATUS_FIELDS = ["type", "code", "description", "descriptionCode", "simplifiedTextDescription", "statusCode"] as const;

function isText(value: unknown): boolean {
  return value === undefined || value === null || typeof value === "string" || typeof value === "number";
}

function isTextRecord(value: unknown, fields: readonly string[]): boolean {
  if (value === undefined || value === null) return true;
  if (typeof value !== "object" || Array.isArray(value)) return false;
  const record = value as Record<string, unknown>;
  return fields.every((field) => isText(record[field]));
}

/**
 * Whether `parseTrackAlertEvent` will accept the body, decided without building the observation.
 * The receiver answers UPS from this check (UPS wants its answer within milliseconds, and the
 * full parse allocates several times more per event, which shows up as garbage-collection pauses
 * at UPS's burst rates); the job parses fully later. A unit test holds the two to the same verdicts.
 */
export function acceptTrackAlertEvent(rawBody: string): { ok: true } | { ok: false; reason: string } {
  let json: unknown;
  try {
    json = JSON.parse(rawBody);
  } catch {
    return { ok: false, reason: "body is not JSON" };
  }
  const notAnEvent = { ok: false as const, reason: "body is not a Track Alert event (no trackingNumber)" };
  if (typeof json !== "object" || json === null || Array.isArray(json)) return notAnEvent;
  const event = json as Record<string, unknown>;
  if (typeof event.trackingNumber !== "string" || event.trackingNumber.trim() === "") return notAnEvent;
  if (!TEXT_FIELDS.every((field) => isText(event[field]))) return notAnEvent;
  if (!isTextRecord(event.activityLocation, LOCATION_FIELDS) || !isTextRecord(event.activityStatus, STATUS_FIELDS)) return notAnEvent;
  return { ok: true };
}
