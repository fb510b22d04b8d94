import {
  AuthenticationError,
  BadResponseError,
  BatchTooLargeError,
  InvalidRequestError,
  NotFoundError,
  QuotaExhaustedError,
  RateLimitedError,
  ServiceUnavailableError,
  type ExternalServiceError,
} from "~/domain/errors";

export type TrackingMoreFamilyService = "trackingmore" | "tracktry";

/** Codes that mean "this number is already being tracked" (v4 4101, v2/Tracktry 4016). */
export const ALREADY_EXISTS_CODES: ReadonlySet<number> = new Set([4101, 4016]);
export const QUOTA_CODES: ReadonlySet<number> = new Set([4019, 4021, 4190, 402]);
const AUTH_CODES: ReadonlySet<number> = new Set([401, 4001, 4002, 403]);
const BATCH_TOO_LARGE_CODES: ReadonlySet<number> = new Set([4103, 4020]);
const NOT_FOUND_CODES: ReadonlySet<number> = new Set([404, 4017, 4102, 4031]);

/**
 * The one place a TrackingMore-family answer becomes an error. v2 and Tracktry report
 * application errors as HTTP 200 with `meta.code`, v4 with a matching HTTP status; both are
 * decided by the meta code first and the HTTP status second.
 */
export function errorForResponse(options: {
  service: TrackingMoreFamilyService;
  httpStatus: number;
  metaCode: number | null;
  message: string | null;
  rateLimitPauseMs: number;
}): ExternalServiceError | null {
  const { service, httpStatus, metaCode, rateLimitPauseMs } = options;
  const code = metaCode ?? httpStatus;
  const detail = options.message ? `: ${options.message}` : "";
  const base = { service, status: httpStatus, code: String(code) };

  if (httpStatus === 429 || code === 429) {
    return new RateLimitedError(`${service} rate limit reached${detail}`, { ...base, retryAfterMs: rateLimitPauseMs });
  }
  if (httpStatus >= 500 || (code >= 500 && code < 600) || code === 503) {
    return new ServiceUnavailableError(`${service} server error${detail}`, base);
  }
  if (httpStatus >= 200 && httpStatus < 300 && (code === 200 || code === 201 || code === 202)) return null;
  if (AUTH_CODES.has(code) || httpStatus === 401 || httpStatus === 403) {
    return new AuthenticationError(`${service} refused the API key${detail}`, base);
  }
  if (QUOTA_CODES.has(code)) return new QuotaExhaustedError(`${service} quota exhausted${detail}`, base);
  if (BATCH_TOO_LARGE_CODES.has(code)) return new BatchTooLargeError(`${service} batch too large${detail}`, base);
  if (NOT_FOUND_CODES.has(code)) return new NotFoundError(`${service} does not know this tracking${detail}`, base);
  if (code >= 400 || httpStatus >= 400) return new InvalidRequestError(`${service} rejected the request${detail}`, base);
  return new BadResponseError(`${service} answered with unexpected code ${code}${detail}`, base);
}
