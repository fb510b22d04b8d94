import { isExternalServiceError, RateLimitedError } from "~/domain/errors";

/**
 * The one place that decides what happens to a failed job. Everything else only throws.
 *
 * - A provider telling us to slow down (RateLimitedError) is not the job's fault: it is
 *   re-queued for when the provider allows it, without using up an attempt.
 * - Errors that say retrying cannot help (bad credentials, invalid input, unknown resource,
 *   malformed responses, invalid payloads) go straight to the dead-letter state.
 * - Anything else (5xx, timeouts, connection errors, a busy database, a bug we have not met)
 *   is retried with exponential backoff and jitter until the attempts run out.
 */

export type FailureDecision =
  | { kind: "retry"; delayMs: number; consumesAttempt: boolean }
  | { kind: "dead"; reason: string };

/** Thrown by a handler whose payload can never be processed (fails validation). */
export class InvalidJobPayloadError extends Error {
  override readonly name = "InvalidJobPayloadError";
}

export const BACKOFF_BASE_MS = 5_000;
export const BACKOFF_CAP_MS = 60 * 60_000;

/** "Equal jitter": half the exponential delay is fixed, half random, so retries of many jobs spread out. */
export function backoffDelayMs(attempt: number, random: () => number = Math.random): number {
  const exponential = Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** Math.max(0, attempt - 1));
  return Math.round(exponential / 2 + random() * (exponential / 2));
}

export function decideFailure(
  error: unknown,
  attempt: number,
  maxAttempts: number,
  random: () => number = Math.random,
): FailureDecision {
  if (error instanceof RateLimitedError) {
    return { kind: "retry", delayMs: error.retryAfterMs ?? BACKOFF_BASE_MS, consumesAttempt: false };
  }
  if (error instanceof InvalidJobPayloadError) return { kind: "dead", reason: error.message };
  if (isExternalServiceError(error) && !error.retryable) return { kind: "dead", reason: `${error.name}: ${error.message}` };

  if (attempt >= maxAttempts) {
    return { kind: "dead", reason: `gave up after ${attempt} attempts: ${describe(error)}` };
  }
  const backoff = backoffDelayMs(attempt, random);
  const requested = isExternalServiceError(error) ? (error.retryAfterMs ?? 0) : 0;
  return { kind: "retry", delayMs: Math.max(backoff, requested), consumesAttempt: true };
}

export function describe(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}
