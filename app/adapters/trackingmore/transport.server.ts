import type { z } from "zod";
import { BadResponseError, RateLimitedError, ServiceUnavailableError } from "~/domain/errors";
import type { Clock } from "~/lib/clock";
import { httpRequest, type HttpRequest } from "~/lib/http.server";
import type { ProviderThrottle, ThrottleRule } from "~/lib/provider-throttle.server";
import { errorForResponse, type TrackingMoreFamilyService } from "./errors";

export interface TransportOptions {
  service: TrackingMoreFamilyService;
  /** API root including the version path, e.g. https://api.trackingmore.com/v4 */
  apiRoot: string;
  apiKeyHeader: string;
  apiKey: string;
  /** Identifies the provider account for rate limiting (a hash, never the key). */
  accountKey: string;
  throttle: ProviderThrottle;
  clock: Clock;
  timeoutMs: number;
  rateLimitPauseMs: number;
}

export interface FamilyResponse {
  httpStatus: number;
  metaCode: number;
  message: string | null;
  data: unknown;
}

/**
 * HTTP, authentication, rate limiting and error mapping shared by every TrackingMore-family
 * API (v4, v2, Tracktry v1). Returns the parsed envelope on success and throws a typed error
 * otherwise; a 429 also pauses the whole account for the documented time.
 */
export class TrackingMoreFamilyTransport {
  constructor(
    private readonly options: TransportOptions,
    private readonly envelope: z.ZodType<{ meta: { code: number; message?: string | null }; data?: unknown }>,
  ) {}

  get service(): TrackingMoreFamilyService {
    return this.options.service;
  }

  async send(
    endpointClass: string,
    rule: ThrottleRule,
    request: { method: HttpRequest["method"]; path: string; query?: Record<string, string | undefined>; body?: unknown },
    /** Meta codes the caller handles itself instead of receiving an error. */
    acceptedCodes: ReadonlySet<number> = new Set(),
  ): Promise<FamilyResponse> {
    const { service, throttle, accountKey } = this.options;
    await throttle.acquire(service, accountKey, endpointClass, rule);

    const url = new URL(this.options.apiRoot.replace(/\/$/, "") + request.path);
    for (const [key, value] of Object.entries(request.query ?? {})) {
      if (value !== undefined) url.searchParams.set(key, value);
    }
    const response = await httpRequest({
      service,
      method: request.method,
      url: url.toString(),
      headers: { [this.options.apiKeyHeader]: this.options.apiKey },
      body: request.body,
      timeoutMs: this.options.timeoutMs,
    });

    const parsed = this.envelope.safeParse(response.json);
    const metaCode = parsed.success ? parsed.data.meta.code : null;
    const message = parsed.success ? (parsed.data.meta.message ?? null) : null;
    if (!parsed.success && response.status >= 200 && response.status < 300) {
      throw new BadResponseError(`${service} answered without the documented envelope`, { service, status: response.status });
    }
    if (!parsed.success && response.status >= 500) {
      throw new ServiceUnavailableError(`${service} server error (HTTP ${response.status})`, { service, status: response.status });
    }

    if (metaCode !== null && acceptedCodes.has(metaCode)) {
      return { httpStatus: response.status, metaCode, message, data: parsed.success ? parsed.data.data : undefined };
    }
    const error = errorForResponse({
      service,
      httpStatus: response.status,
      metaCode,
      message,
      rateLimitPauseMs: this.options.rateLimitPauseMs,
    });
    if (error) {
      if (error instanceof RateLimitedError && error.retryAfterMs) {
        await throttle.pause(accountKey, this.options.clock.now().getTime() + error.retryAfterMs);
      }
      throw error;
    }
    return { httpStatus: response.status, metaCode: metaCode ?? response.status, message, data: parsed.success ? parsed.data.data : undefined };
  }

  /** Validate `data` against a schema; a mismatch is a BadResponseError, never a crash later on. */
  parseData<T>(schema: z.ZodType<T>, data: unknown, what: string): T {
    const parsed = schema.safeParse(data);
    if (!parsed.success) {
      throw new BadResponseError(`${this.options.service} ${what} did not match the documented shape: ${parsed.error.message}`, {
        service: this.options.service,
      });
    }
    return parsed.data;
  }
}
