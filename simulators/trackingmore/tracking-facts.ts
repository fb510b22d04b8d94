import type { SimCheckpoint, SimTracking } from "./state";
import { DAY_MS, localMinute } from "./time";

/** Facts both API renderings derive from a tracking's checkpoints. */

export function oldestFirst(tracking: SimTracking): SimCheckpoint[] {
  return [...tracking.checkpoints].reverse();
}

export function firstWhere(tracking: SimTracking, test: (c: SimCheckpoint) => boolean): SimCheckpoint | undefined {
  return oldestFirst(tracking).find(test);
}

export function latestWhere(tracking: SimTracking, test: (c: SimCheckpoint) => boolean): SimCheckpoint | undefined {
  return tracking.checkpoints.find(test);
}

/**
 * Whole days from the first carrier event to delivery (or to now while still moving). TrackingMore does
 * not define the rounding; we floor, so a same-day delivery is 0.
 */
export function transitDays(tracking: SimTracking, now: Date): number | null {
  const first = oldestFirst(tracking)[0];
  if (!first) return null;
  const delivered = latestWhere(tracking, (c) => c.status === "delivered");
  const end = tracking.status === "delivered" && delivered ? delivered.at : now;
  return Math.max(0, Math.floor((end.getTime() - first.at.getTime()) / DAY_MS));
}

/** Whole days since the latest event (v2 `stayTimeLength`). */
export function daysSinceLatest(tracking: SimTracking, now: Date): number | null {
  const latest = tracking.checkpoints[0];
  return latest ? Math.max(0, Math.floor((now.getTime() - latest.at.getTime()) / DAY_MS)) : null;
}

/** `Delivered,RENTON, WA 98056,2015-11-02 17:11`: the documented latest_event / lastEvent format. */
export function latestEventText(tracking: SimTracking): string | null {
  const latest = tracking.checkpoints[0];
  if (!latest) return null;
  const when = localMinute(latest.at, latest.utcOffsetMinutes);
  return latest.location ? `${latest.description},${latest.location},${when}` : `${latest.description},${when}`;
}
