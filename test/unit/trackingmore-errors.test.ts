import { describe, expect, it } from "vitest";
import { errorForResponse, type TrackingMoreFamilyService } from "~/adapters/trackingmore/errors";
import {
  AuthenticationError,
  BadResponseError,
  BatchTooLargeError,
  ExternalServiceError,
  InvalidRequestError,
  NotFoundError,
  QuotaExhaustedError,
  RateLimitedError,
  ServiceUnavailableError,
} from "~/domain/errors";

const PAUSE_MS = 120_000;

type ErrorClass = abstract new (...args: never[]) => ExternalServiceError;

function classify(httpStatus: number, metaCode: number | null, service: TrackingMoreFamilyService = "trackingmore", message: string | null = null) {
  return errorForResponse({ service, httpStatus, metaCode, message, rateLimitPauseMs: PAUSE_MS });
}

// [label, HTTP status, meta.code, expected class, retryable]
// v4: HTTP status matches the class (reference §A.2 meta-code table).
const V4_CASES: Array<[string, number, number | null, ErrorClass, boolean]> = [
  ["v4 401 unauthorized", 401, 401, AuthenticationError, false],
  ["v4 403 forbidden", 403, 403, AuthenticationError, false],
  ["v4 4190 quota", 400, 4190, QuotaExhaustedError, false],
  ["v4 4103 more than 40", 400, 4103, BatchTooLargeError, false],
  ["v4 4102 does not exist", 400, 4102, NotFoundError, false],
  ["v4 404", 404, 404, NotFoundError, false],
  ["v4 4110 bad tracking_number", 400, 4110, InvalidRequestError, false],
  ["v4 4111 tracking_number required", 400, 4111, InvalidRequestError, false],
  ["v4 4113 retrack not allowed", 400, 4113, InvalidRequestError, false],
  ["v4 4120 bad courier_code", 400, 4120, InvalidRequestError, false],
  ["v4 4121 cannot detect", 400, 4121, InvalidRequestError, false],
  ["v4 400 bad request", 400, 400, InvalidRequestError, false],
  ["v4 500/511", 500, 511, ServiceUnavailableError, true],
  ["v4 500/512", 500, 512, ServiceUnavailableError, true],
  ["v4 500/513", 500, 513, ServiceUnavailableError, true],
  ["gateway 502 without a meta code", 502, null, ServiceUnavailableError, true],
  ["gateway 503 without a meta code", 503, null, ServiceUnavailableError, true],
  ["HTTP 400 without a meta code", 400, null, InvalidRequestError, false],
];

// v2 / Tracktry: application errors come as HTTP 200 with meta.code (reference §A.1, §F.2).
const V2_CASES: Array<[string, number, number | null, ErrorClass, boolean]> = [
  ["v2 4001 invalid key", 200, 4001, AuthenticationError, false],
  ["v2 4002 key deleted", 200, 4002, AuthenticationError, false],
  ["v2 4021 quota expired", 200, 4021, QuotaExhaustedError, false],
  ["v2 4019 balance insufficient", 200, 4019, QuotaExhaustedError, false],
  ["v2 402", 200, 402, QuotaExhaustedError, false],
  ["v2 4020 up to 200 at a time", 200, 4020, BatchTooLargeError, false],
  ["v2 4017 does not exist", 200, 4017, NotFoundError, false],
  ["v2 4031 create first", 200, 4031, NotFoundError, false],
  ["v2 4014 invalid tracking_number", 200, 4014, InvalidRequestError, false],
  ["v2 4015 invalid carrier_code", 200, 4015, InvalidRequestError, false],
  ["v2 4012 bad params", 200, 4012, InvalidRequestError, false],
  ["v2 4032 cannot detect", 200, 4032, InvalidRequestError, false],
  ["v2 500 in meta", 200, 500, ServiceUnavailableError, true],
  ["v2 503 in meta", 200, 503, ServiceUnavailableError, true],
  ["v2 4001 with an HTTP 401", 401, 4001, AuthenticationError, false],
];

describe("errorForResponse", () => {
  it.each([...V4_CASES, ...V2_CASES])("%s (HTTP %i, meta %s) → %o", (_label, httpStatus, metaCode, errorClass, retryable) => {
    const error = classify(httpStatus, metaCode);
    expect(error).toBeInstanceOf(errorClass);
    expect(error).toBeInstanceOf(ExternalServiceError);
    expect(error!.retryable).toBe(retryable);
    expect(error!.retryAfterMs).toBeUndefined();
    expect(error!.status).toBe(httpStatus);
    expect(error!.code).toBe(String(metaCode ?? httpStatus));
    expect(error!.name).toBe(errorClass.name);
  });

  it.each([
    ["v4 HTTP 429", 429, 429],
    ["HTTP 429 without a meta code", 429, null],
    ["v2 HTTP 200 with meta 429", 200, 429],
  ])("%s → RateLimitedError that pauses for the configured time", (_label, httpStatus, metaCode) => {
    for (const pause of [PAUSE_MS, 1_500]) {
      const error = errorForResponse({ service: "trackingmore", httpStatus, metaCode, message: null, rateLimitPauseMs: pause });
      expect(error).toBeInstanceOf(RateLimitedError);
      expect(error!.retryable).toBe(true);
      expect(error!.retryAfterMs).toBe(pause);
    }
  });

  it.each([
    [200, 200],
    [200, 201],
    [201, 201],
    [200, 202],
    [200, null],
  ])("HTTP %i with meta %s is a success (null)", (httpStatus, metaCode) => {
    expect(classify(httpStatus, metaCode)).toBeNull();
  });

  it("an unexpected non-error code on a success status is a BadResponseError", () => {
    const error = classify(200, 300);
    expect(error).toBeInstanceOf(BadResponseError);
    expect(error!.retryable).toBe(false);
  });

  it("names the service and keeps the provider's message", () => {
    const error = classify(200, 4017, "tracktry", "Tracking does not exist.");
    expect(error!.service).toBe("tracktry");
    expect(error!.message).toContain("tracktry");
    expect(error!.message).toContain("Tracking does not exist.");
    expect(classify(400, 4110, "trackingmore", null)!.message).not.toMatch(/null|undefined/);
  });
});
