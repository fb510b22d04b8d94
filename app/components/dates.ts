/**
 * Dates and times on the admin pages. Formats always name their time zone, so the server and the
 * browser render the same text (a zone- or locale-dependent default would break hydration).
 */

/**
 * True when an estimate is a calendar date without a time of day. Providers send many estimates as
 * bare dates ("2026-11-24", UPS's scheduledDeliveryDate without a window, TrackingMore's
 * scheduled_delivery_date); the adapters store those as midnight UTC (parseProviderDate, the UPS
 * mapper's "000000"), and no column says "date only". Exact midnight UTC to the millisecond is that
 * signal: a real delivery window never starts at 00:00:00.000 UTC in practice, and showing "00:00"
 * (or "12:00 AM", or an evening of the day before in a western browser) for a date-only estimate is
 * the error merchants actually see.
 */
export function isDateOnly(iso: string): boolean {
  return iso.endsWith("T00:00:00.000Z");
}

/**
 * An estimated delivery: a date alone when the provider gave no time, otherwise date and time (and
 * the window's end time). Estimates are carrier wall-clock read as UTC (provider-dates.ts), so
 * they are shown in UTC, i.e. as the carrier said them, never shifted into the browser's zone.
 */
export function formatEstimate(locale: string, startIso: string, endIso: string | null = null): string {
  const start = new Date(startIso);
  if (isDateOnly(startIso) && (!endIso || isDateOnly(endIso))) {
    return new Intl.DateTimeFormat(locale, { dateStyle: "medium", timeZone: "UTC" }).format(start);
  }
  const dateTime = new Intl.DateTimeFormat(locale, { dateStyle: "medium", timeStyle: "short", timeZone: "UTC" }).format(start);
  if (!endIso) return dateTime;
  const end = new Date(endIso);
  const sameDay = startIso.slice(0, 10) === endIso.slice(0, 10);
  const endText = sameDay
    ? new Intl.DateTimeFormat(locale, { timeStyle: "short", timeZone: "UTC" }).format(end)
    : new Intl.DateTimeFormat(locale, { dateStyle: "medium", timeStyle: "short", timeZone: "UTC" }).format(end);
  return `${dateTime} – ${endText}`;
}

/** An instant the app recorded itself (delivered, last checked, registered), in UTC and saying so. */
export function formatInstant(locale: string, iso: string): string {
  return `${new Intl.DateTimeFormat(locale, { dateStyle: "medium", timeStyle: "short", timeZone: "UTC" }).format(new Date(iso))} UTC`;
}
