import { randomUUID } from "node:crypto";
import type { z } from "zod";
import {
  AuthenticationError,
  BadResponseError,
  BatchTooLargeError,
  InvalidRequestError,
  NotFoundError,
  RateLimitedError,
  ServiceUnavailableError,
  type ExternalServiceError,
} from "~/domain/errors";
import { UPS_TRACK_ALERT_NUMBER } from "~/domain/routing";
import type { PollStrategy, RegistrationOutcome, TrackedNumber, TrackingProvider, TrackingRegistration } from "~/domain/ports";
import type { TrackingObservation } from "~/domain/tracking-observation";
import type { Clock } from "~/lib/clock";
import { httpRequest, type HttpResponse } from "~/lib/http.server";
import type { ProviderThrottle } from "~/lib/provider-throttle.server";
import { observationFromTrackPackage } from "./mappers";
import type { UpsTokenSource } from "./oauth.server";
import { subscriptionResponseSchema, trackResponseSchema, upsErrorSchema } from "./schemas";

/**
 * UPS Track Alert v1 (push subscriptions) and the Track API (history).
 * @see https://developer.ups.com/api/reference/trackalert (vendor-docs/ups-track-alert-api-v1.txt)
 * @see https://developer.ups.com/api/reference/tracking
 * A subscription lasts 14 days. Track Alert keeps no history: a freshly subscribed shipment has
 * never been checked, so the poller reads its history once through `fetch` (the Track API) right
 * after subscribing, throttled apart from the subscription calls.
 */

export const UPS_SUBSCRIPTION_DAYS = 14;
const SUBSCRIPTION_LIMIT = 100;
const TRANSACTION_SOURCE = "tracklight";
/** Codes of a 401 that mean our bearer token expired or is unknown: refresh once and retry. */
const EXPIRED_TOKEN_CODES: ReadonlySet<string> = new Set(["251004", "250002", "UJ0001"]);

export interface UpsProviderOptions {
  baseUrl: string;
  tokens: UpsTokenSource;
  accountKey: string;
  throttle: ProviderThrottle;
  clock: Clock;
  timeoutMs: number;
  /** Where Track Alert posts events for this shop, and the secret it sends along. */
  destination: { url: string; credential: string };
}

function upsError(response: HttpResponse): ExternalServiceError {
  const parsed = upsErrorSchema.safeParse(response.json);
  const first = parsed.success ? parsed.data.response.errors?.[0] : undefined;
  const code = first?.code ?? undefined;
  const message = `UPS answered HTTP ${response.status}${first ? ` (${first.code}: ${first.message})` : ""}`;
  const base = { service: "ups" as const, status: response.status, code };
  if (code === "VSS220") return new BatchTooLargeError(message, base);
  if (response.status === 401 || response.status === 403) return new AuthenticationError(message, base);
  if (response.status === 404) return new NotFoundError(message, base);
  if (response.status === 429) return new RateLimitedError(message, { ...base, retryAfterMs: 60_000 });
  if (response.status >= 500) return new ServiceUnavailableError(message, base);
  return new InvalidRequestError(message, base);
}

export class UpsTrackAlertProvider implements TrackingProvider {
  readonly id = "ups" as const;
  readonly maxBatchSize = SUBSCRIPTION_LIMIT;
  /** Pushes are the channel; the Track API (one number per call) is the rare fallback for a silent package. */
  readonly pollStrategy: PollStrategy = { kind: "by_numbers", maxNumbersPerFetch: 1 };
  readonly registrationBringsHistory = false;

  constructor(private readonly options: UpsProviderOptions) {}

  /** One authenticated call; a 401 for an expired token gets a fresh token and one retry. */
  async #call(endpointClass: string, request: { method: "GET" | "POST"; path: string; body?: unknown }, allowRefresh = true): Promise<HttpResponse> {
    await this.options.throttle.acquire("ups", this.options.accountKey, endpointClass, { perSecond: 10 });
    const token = await this.options.tokens.token();
    const response = await httpRequest({
      service: "ups",
      method: request.method,
      url: `${this.options.baseUrl.replace(/\/$/, "")}${request.path}`,
      headers: { authorization: `Bearer ${token}`, transId: randomUUID().replaceAll("-", "").slice(0, 32), transactionSrc: TRANSACTION_SOURCE },
      body: request.body,
      timeoutMs: this.options.timeoutMs,
    });
    if (response.status === 401 && allowRefresh) {
      const code = upsErrorSchema.safeParse(response.json).data?.response.errors?.[0]?.code;
      if (code && EXPIRED_TOKEN_CODES.has(code)) {
        this.options.tokens.invalidate(token);
        return this.#call(endpointClass, request, false);
      }
    }
    if (response.status === 429) {
      await this.options.throttle.pause(this.options.accountKey, this.options.clock.now().getTime() + 60_000);
    }
    return response;
  }

  #parse<T>(schema: z.ZodType<T>, response: HttpResponse, what: string): T {
    const parsed = schema.safeParse(response.json);
    if (!parsed.success) throw new BadResponseError(`UPS ${what} did not match the documented shape`, { service: "ups", status: response.status });
    return parsed.data;
  }

  async register(items: readonly TrackingRegistration[]): Promise<RegistrationOutcome[]> {
    const outcomes: RegistrationOutcome[] = [];
    const eligible: TrackingRegistration[] = [];
    for (const item of items) {
      if (UPS_TRACK_ALERT_NUMBER.test(item.trackingNumber)) eligible.push(item);
      else outcomes.push({ kind: "rejected", trackingNumber: item.trackingNumber, carrierCode: item.carrierCode, reason: "invalid_number", code: "NOT_UPS", message: "UPS Track Alert only accepts 1Z and 1R numbers" });
    }
    // UPS refuses a whole request of more than 100 numbers (VSS220): send them in groups.
    for (let start = 0; start < eligible.length; start += SUBSCRIPTION_LIMIT) {
      outcomes.push(...(await this.#subscribe(eligible.slice(start, start + SUBSCRIPTION_LIMIT))));
    }
    return outcomes;
  }

  /** One subscription request for at most 100 Track Alert numbers. */
  async #subscribe(eligible: readonly TrackingRegistration[]): Promise<RegistrationOutcome[]> {
    const outcomes: RegistrationOutcome[] = [];
    const response = await this.#call("subscription", {
      method: "POST",
      path: "/api/track/v1/subscription/standard/package",
      body: {
        locale: "en_US",
        countryCode: "US",
        trackingNumberList: eligible.map((item) => item.trackingNumber),
        destination: { url: this.options.destination.url, credentialType: "Bearer", credential: this.options.destination.credential },
      },
    });

    let valid: string[];
    let invalid: string[];
    let refusal = { code: "invalidTrackingNumbers", message: "UPS listed the number in invalidTrackingNumbers" };
    if (response.status === 200) {
      ({ validTrackingNumbers: valid, invalidTrackingNumbers: invalid } = this.#parse(subscriptionResponseSchema, response, "subscription response"));
    } else {
      const error = upsError(response);
      // VSS210 (no valid number) and VSS215 (not a CIE test number) are answers about the numbers.
      if (error.code !== "VSS210" && error.code !== "VSS215") throw error;
      if (error.code === "VSS215" && eligible.length > 1) {
        // The test environment refuses the whole request for one foreign number: find the good ones.
        for (const item of eligible) outcomes.push(...(await this.#subscribe([item])));
        return outcomes;
      }
      valid = [];
      invalid = eligible.map((item) => item.trackingNumber);
      refusal = { code: error.code, message: error.message };
    }

    const validSet = new Set(valid.map((number) => number.trim()));
    const invalidSet = new Set(invalid.map((number) => number.trim()));
    const expiresAt = new Date(this.options.clock.now().getTime() + UPS_SUBSCRIPTION_DAYS * 24 * 60 * 60_000);
    for (const item of eligible) {
      if (validSet.has(item.trackingNumber) && !invalidSet.has(item.trackingNumber)) {
        outcomes.push({ kind: "registered", trackingNumber: item.trackingNumber, carrierCode: item.carrierCode, providerTrackingId: null, subscriptionExpiresAt: expiresAt });
      } else {
        outcomes.push({ kind: "rejected", trackingNumber: item.trackingNumber, carrierCode: item.carrierCode, reason: "invalid_number", ...refusal });
      }
    }
    return outcomes;
  }

  async fetch(items: readonly TrackedNumber[]): Promise<TrackingObservation[]> {
    const observations: TrackingObservation[] = [];
    for (const item of items) {
      const response = await this.#call("track", {
        method: "GET",
        path: `/api/track/v1/details/${encodeURIComponent(item.trackingNumber)}?locale=en_US&returnSignature=false&returnMilestones=false&returnPOD=false`,
      });
      if (response.status === 404) continue;
      if (response.status !== 200) throw upsError(response);
      const parsed = this.#parse(trackResponseSchema, response, "track response");
      for (const shipment of parsed.trackResponse.shipment ?? []) {
        for (const pkg of shipment.package ?? []) observations.push(observationFromTrackPackage(pkg));
      }
    }
    return observations;
  }

  async detectCarrier(trackingNumber: string): Promise<string[]> {
    return UPS_TRACK_ALERT_NUMBER.test(trackingNumber) ? ["ups"] : [];
  }

  /** Track Alert v1 has no unsubscribe: the subscription lapses within 14 days and its pushes are ignored meanwhile. */
  async stopTracking(): Promise<void> {}
}
