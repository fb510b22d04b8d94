/**
 * Date shapes UPS uses: `YYYYMMDD` dates and `HHMMSS` times, local to the scan location, plus the GMT
 * equivalents. The Track API writes offsets as `-04:00`, Track Alert as `-04.00` (each as its own schema says).
 */

export const DAY_MS = 86_400_000;

function pad(value: number, width = 2): string {
  return String(value).padStart(width, "0");
}

/** Wall-clock `YYYYMMDD` / `HHMMSS` of `at` at a fixed UTC offset (minutes, east positive). */
export function wallClock(at: Date, offsetMinutes: number): { date: string; time: string } {
  const local = new Date(at.getTime() + offsetMinutes * 60_000);
  return {
    date: `${local.getUTCFullYear()}${pad(local.getUTCMonth() + 1)}${pad(local.getUTCDate())}`,
    time: `${pad(local.getUTCHours())}${pad(local.getUTCMinutes())}${pad(local.getUTCSeconds())}`,
  };
}

function offsetParts(offsetMinutes: number): { sign: string; hh: string; mm: string } {
  const abs = Math.abs(offsetMinutes);
  return { sign: offsetMinutes < 0 ? "-" : "+", hh: pad(Math.floor(abs / 60)), mm: pad(abs % 60) };
}

/** Track API `gmtOffset`: `-05:00`. */
export function colonOffset(offsetMinutes: number): string {
  const { sign, hh, mm } = offsetParts(offsetMinutes);
  return `${sign}${hh}:${mm}`;
}

/** Track Alert `gmtOffset`: `-04.00` (schema pattern `^[+-]([01]\d|2[0-3])\.[0-5]\d$`). */
export function dotOffset(offsetMinutes: number): string {
  const { sign, hh, mm } = offsetParts(offsetMinutes);
  return `${sign}${hh}.${mm}`;
}

/** Accepts `YYYYMMDD` or `YYYY-MM-DD` (friendlier for callers) and returns UPS's `YYYYMMDD`. */
export function toUpsDate(value: string): string {
  const m = /^(\d{4})-?(\d{2})-?(\d{2})$/.exec(value);
  if (!m) throw new Error(`date must be YYYYMMDD or YYYY-MM-DD, got ${JSON.stringify(value)}`);
  const [, y, mo, d] = m;
  const check = new Date(Date.UTC(Number(y), Number(mo) - 1, Number(d)));
  if (check.getUTCFullYear() !== Number(y) || check.getUTCMonth() !== Number(mo) - 1 || check.getUTCDate() !== Number(d)) {
    throw new Error(`not a calendar date: ${JSON.stringify(value)}`);
  }
  return `${y}${mo}${d}`;
}

export function addDays(upsDate: string, days: number): string {
  const at = new Date(Date.UTC(Number(upsDate.slice(0, 4)), Number(upsDate.slice(4, 6)) - 1, Number(upsDate.slice(6, 8))) + days * DAY_MS);
  return wallClock(at, 0).date;
}

/** `HHMMSS` (or `HH:MM[:SS]`) → `HHMMSS`. */
export function toUpsTime(value: string): string {
  const m = /^([01]\d|2[0-3]):?([0-5]\d)(?::?([0-5]\d))?$/.exec(value);
  if (!m) throw new Error(`time must be HHMMSS or HH:MM[:SS], got ${JSON.stringify(value)}`);
  return `${m[1]}${m[2]}${m[3] ?? "00"}`;
}
