/**
 * Date formatting in the shapes TrackingMore uses. Carriers report local wall-clock time, so every
 * checkpoint carries the UTC offset of the place it happened at; top-level record timestamps are UTC.
 */

function pad(value: number, width = 2): string {
  return String(value).padStart(width, "0");
}

/** The wall-clock fields of `at` as seen at a fixed UTC offset. */
function wallClock(at: Date, offsetMinutes: number) {
  const local = new Date(at.getTime() + offsetMinutes * 60_000);
  return {
    date: `${local.getUTCFullYear()}-${pad(local.getUTCMonth() + 1)}-${pad(local.getUTCDate())}`,
    minute: `${pad(local.getUTCHours())}:${pad(local.getUTCMinutes())}`,
    second: pad(local.getUTCSeconds()),
  };
}

/** `2024-05-02T08:00:00-07:00`: second precision with a numeric offset, as in every v4 timestamp. */
export function isoWithOffset(at: Date, offsetMinutes = 0): string {
  const { date, minute, second } = wallClock(at, offsetMinutes);
  const sign = offsetMinutes < 0 ? "-" : "+";
  const abs = Math.abs(offsetMinutes);
  return `${date}T${minute}:${second}${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}

/** `2020-10-30 14:42:00`: v2 checkpoint `Date`, carrier local time with no zone. */
export function localDateTime(at: Date, offsetMinutes: number): string {
  const { date, minute, second } = wallClock(at, offsetMinutes);
  return `${date} ${minute}:${second}`;
}

/** `2015-11-02 17:11`: the tail of `latest_event` / `lastEvent` and v2 `lastUpdateTime`. */
export function localMinute(at: Date, offsetMinutes: number): string {
  const { date, minute } = wallClock(at, offsetMinutes);
  return `${date} ${minute}`;
}

/** `2024-05-04`: `scheduled_delivery_date`. */
export function localDate(at: Date, offsetMinutes: number): string {
  return wallClock(at, offsetMinutes).date;
}

export function unixSeconds(at: Date): number {
  return Math.floor(at.getTime() / 1000);
}

export const DAY_MS = 86_400_000;
