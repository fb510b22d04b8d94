/**
 * Time helpers. Shopify's REST payloads (webhooks) carry timestamps in the shop's time zone with
 * an offset (`2024-06-07T16:59:14+01:00`) while GraphQL uses UTC; an app that assumes `Z` everywhere
 * should trip over the simulator just as it would over Shopify.
 */

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
    });
    formatters.set(timeZone, f);
  }
  return f;
}

export function isValidTimeZone(timeZone: string): boolean {
  try {
    formatter(timeZone);
    return true;
  } catch {
    return false;
  }
}

/** Minutes east of UTC for `timeZone` at the instant `date`. */
export function timeZoneOffsetMinutes(date: Date, timeZone: string): number {
  const parts: Record<string, number> = {};
  for (const p of formatter(timeZone).formatToParts(date)) {
    if (p.type !== "literal") parts[p.type] = Number(p.value);
  }
  const asUtc = Date.UTC(parts.year!, parts.month! - 1, parts.day!, parts.hour!, parts.minute!, parts.second!);
  const wholeSeconds = Math.floor(date.getTime() / 1000) * 1000;
  return Math.round((asUtc - wholeSeconds) / 60_000);
}

export function formatOffset(minutes: number): string {
  const sign = minutes < 0 ? "-" : "+";
  const abs = Math.abs(minutes);
  return `${sign}${String(Math.floor(abs / 60)).padStart(2, "0")}:${String(abs % 60).padStart(2, "0")}`;
}

/** `2024-06-07T16:59:14+01:00`: REST/webhook format, shop-local with offset, seconds precision. */
export function formatRestTime(date: Date, timeZone: string): string {
  const offset = timeZoneOffsetMinutes(date, timeZone);
  const local = new Date(Math.floor(date.getTime() / 1000) * 1000 + offset * 60_000);
  return `${local.toISOString().slice(0, 19)}${formatOffset(offset)}`;
}

/** The instant of local midnight starting `y-m-d` in `timeZone` (DST-safe to the hour). */
export function zonedMidnight(year: number, month: number, day: number, timeZone: string): Date {
  const guess = Date.UTC(year, month - 1, day);
  let t = guess - timeZoneOffsetMinutes(new Date(guess), timeZone) * 60_000;
  const corrected = guess - timeZoneOffsetMinutes(new Date(t), timeZone) * 60_000;
  if (corrected !== t) t = corrected;
  return new Date(t);
}

/** Shopify's `updated_at` only moves forward and has one-second resolution, so two updates in the same second still differ. */
export function nextUpdatedAt(previous: Date, now: Date): Date {
  const floorPrev = Math.floor(previous.getTime() / 1000) * 1000;
  return now.getTime() >= floorPrev + 1000 ? now : new Date(floorPrev + 1000);
}

export function toDate(value: Date | string | number, what: string): Date {
  const date = value instanceof Date ? new Date(value.getTime()) : new Date(value);
  if (Number.isNaN(date.getTime())) throw new Error(`invalid ${what}: ${String(value)}`);
  return date;
}
