import { TRACKINGMORE_SUBSTATUSES, type SubstatusTable } from "../trackingmore/status-codes";
import type { V2FamilyProfile } from "../trackingmore/v2-family-client.server";

/**
 * Tracktry v1 is TrackingMore's v2 API under another host and key header
 * (vendor-docs/tracktry-api-v1.txt), so it is the v2-family client with this profile.
 * @see https://www.tracktry.com/api-index.html
 */

/** Tracktry spells a few exception substatuses differently from TrackingMore. */
export const TRACKTRY_SUBSTATUSES: SubstatusTable = {
  ...TRACKINGMORE_SUBSTATUSES,
  // "added more than ** with no tracking info" / "in transit for ** with no update" / "not delivered after **"
  exception001: { status: "exception", substatus: "delayed" },
  exception002: { status: "exception", substatus: "delayed" },
  exception003: { status: "exception", substatus: "delayed" },
  // "The package was sent back to the sender." (TrackingMore's 005 is "other")
  exception005: { status: "exception", substatus: "returned_to_sender" },
  // "The package is retained by customs because it's prohibited goods."
  exception006: { status: "exception", substatus: "customs_hold" },
};

export const TRACKTRY_PROFILE: V2FamilyProfile = {
  provider: "tracktry",
  substatuses: TRACKTRY_SUBSTATUSES,
  versionPath: "/v1",
  apiKeyHeader: "Tracktry-Api-Key",
  // Documented: list 1 request/s per IP (2,000 trackings each), real-time 3/s; the rest undocumented, kept at 1/s.
  rate: { perSecond: 1 },
  batchLimit: 40,
  listPageSize: 2000,
};
