import type { IncomingHttpHeaders } from "node:http";
import { type ApiResult, upsError } from "./errors";
import { renderTrackResponse, type StoredPackage } from "./packages";
import { checkTransactionHeaders } from "./track-alert";

/**
 * Track API: `GET /api/track/v1/details/{inquiryNumber}`.
 *
 * Order: transaction headers (400) → number format (400 `151018`) → lookup (404 `151044`).
 * No Track API code is documented for missing `transId`/`transactionSrc`; the simulator answers with
 * Track Alert's VSS002/VSS004 (same `/api/track` family, the only documented codes for exactly that)
 * and clients should key on HTTP 400. Lengths are not enforced here (Tracking.yaml gives none).
 * "Malformed" means outside the documented 7–34 characters, not alphanumeric, or a `1Z` number that is not
 * `1Z` + 16 characters; lookup is case-insensitive. A known package with no activity is "no tracking
 * information" (404) like an unknown one: UPS has nothing to show for it yet.
 * Not modelled: production sometimes answers an unknown number with 200 and warning TW0001 instead of 404
 * (UPS-API/api-documentation#102/#166); the 120-day roll-off; signature and POD images (always blank).
 */

export const TRACK_DETAILS_PATH = /^\/api\/track\/v1\/details\/([^/]+)$/;

export function handleTrackDetails(
  headers: IncomingHttpHeaders,
  rawInquiry: string,
  query: URLSearchParams,
  clientId: string,
  lookup: (trackingNumber: string) => StoredPackage | undefined,
): ApiResult {
  const headerError = checkTransactionHeaders(headers, clientId, false);
  if (headerError) return headerError;
  let inquiry: string;
  try {
    inquiry = decodeURIComponent(rawInquiry);
  } catch {
    return upsError(400, "151018", clientId);
  }
  const normalized = inquiry.toUpperCase();
  if (!/^[0-9A-Z]{7,34}$/.test(normalized) || (normalized.startsWith("1Z") && !/^1Z[0-9A-Z]{16}$/.test(normalized))) {
    return upsError(400, "151018", clientId);
  }
  const pkg = lookup(normalized);
  if (!pkg || pkg.activities.length === 0) return upsError(404, "151044", clientId);
  return {
    httpStatus: 200,
    clientId,
    errorCode: null,
    body: renderTrackResponse(inquiry, pkg, { milestones: query.get("returnMilestones") === "true" }),
  };
}
