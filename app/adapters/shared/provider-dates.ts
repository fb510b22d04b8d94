/**
 * Providers send times in three shapes: ISO-8601 with an offset (TrackingMore v4, ISO from UPS),
 * carrier wall-clock without a zone ("2020-10-30 14:42:00", TrackingMore v2 checkpoints), and
 * bare dates. Wall-clock times are read as UTC and flagged, so ordering stays stable and the UI
 * can show them without inventing a zone.
 */

export interface ProviderInstant {
  date: Date;
  zoneKnown: boolean;
}

const WITH_ZONE = /(Z|[+-]\d{2}:?\d{2})$/i;
const WALL_CLOCK = /^(\d{4})[-/](\d{2})[-/](\d{2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?$/;

export function parseProviderInstant(value: string | null | undefined): ProviderInstant | null {
  if (!value) return null;
  const text = value.trim();
  if (!text) return null;
  if (/^\d{9,10}$/.test(text)) return { date: new Date(Number(text) * 1000), zoneKnown: true };
  if (WITH_ZONE.test(text)) {
    const date = new Date(text.replace(" ", "T"));
    return Number.isNaN(date.getTime()) ? null : { date, zoneKnown: true };
  }
  const match = WALL_CLOCK.exec(text);
  if (!match) return null;
  const [, y, mo, d, h = "0", mi = "0", s = "0"] = match;
  const parts = [Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s)] as const;
  const date = new Date(Date.UTC(...parts));
  // Date.UTC rolls "2024-02-30" over to March; a carrier's impossible date is no date at all.
  const exact =
    date.getUTCFullYear() === parts[0] &&
    date.getUTCMonth() === parts[1] &&
    date.getUTCDate() === parts[2] &&
    date.getUTCHours() === parts[3] &&
    date.getUTCMinutes() === parts[4] &&
    date.getUTCSeconds() === parts[5];
  return exact ? { date, zoneKnown: false } : null;
}

/** A calendar date ("2024-04-23" or "20240423") as midnight UTC. */
export function parseProviderDate(value: string | null | undefined): Date | null {
  if (!value) return null;
  const text = value.trim();
  const compact = /^(\d{4})(\d{2})(\d{2})$/.exec(text);
  if (compact) return new Date(Date.UTC(Number(compact[1]), Number(compact[2]) - 1, Number(compact[3])));
  return parseProviderInstant(text)?.date ?? null;
}
