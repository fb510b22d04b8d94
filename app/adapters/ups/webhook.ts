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
