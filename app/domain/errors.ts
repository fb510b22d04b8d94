/**
 * The only errors adapters may throw. Whether a failed job is retried is decided from
 * `retryable` and `retryAfterMs` alone, in `app/jobs/retry-policy.ts`.
 */

export type ExternalService = "trackingmore" | "tracktry" | "ups" | "shopify" | "smtp";

export interface ExternalServiceErrorOptions {
  service: ExternalService;
  /** HTTP status, when there was a response. */
  status?: number;
  /** The provider's own error code (TrackingMore `meta.code`, UPS `errors[].code`, …). */
  code?: string;
  retryAfterMs?: number;
  cause?: unknown;
}

export abstract class ExternalServiceError extends Error {
  abstract readonly retryable: boolean;
  readonly service: ExternalService;
  readonly status?: number;
  readonly code?: string;
  readonly retryAfterMs?: number;

  constructor(message: string, options: ExternalServiceErrorOptions) {
    super(message, { cause: options.cause });
    this.name = new.target.name;
    this.service = options.service;
    this.status = options.status;
    this.code = options.code;
    this.retryAfterMs = options.retryAfterMs;
  }
}

/** The provider rejected our credentials (bad or deleted key). Retrying cannot help until the merchant acts. */
export class AuthenticationError extends ExternalServiceError {
  readonly retryable = false;
}

/** The provider account has no credit or quota left. Retrying cannot help until the merchant acts. */
export class QuotaExhaustedError extends ExternalServiceError {
  readonly retryable = false;
}

/** The provider asked us to slow down. `retryAfterMs` says for how long the whole account must pause. */
export class RateLimitedError extends ExternalServiceError {
  readonly retryable = true;
  constructor(message: string, options: ExternalServiceErrorOptions & { retryAfterMs: number }) {
    super(message, options);
  }
}

/** 5xx, timeouts, refused connections: the request may or may not have been applied. */
export class ServiceUnavailableError extends ExternalServiceError {
  readonly retryable = true;
}

/** The provider does not know the resource. */
export class NotFoundError extends ExternalServiceError {
  readonly retryable = false;
}

/** The provider refused the request as invalid; sending it again unchanged gets the same answer. */
export class InvalidRequestError extends ExternalServiceError {
  readonly retryable = false;
}

/** A batch went over the provider's per-request limit; the caller should split it and try the halves. */
export class BatchTooLargeError extends ExternalServiceError {
  readonly retryable = false;
}

/** The response did not have the documented shape. */
export class BadResponseError extends ExternalServiceError {
  readonly retryable = false;
}

export function isExternalServiceError(error: unknown): error is ExternalServiceError {
  return error instanceof ExternalServiceError;
}
