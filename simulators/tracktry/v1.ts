import type { ApiContext, ApiModule } from "../trackingmore/api-types";
import { createV2FamilyApi, type V2FamilyConfig } from "../trackingmore/v2-family";

/**
 * Tracktry API v1 (`/v1`, `Tracktry-Api-Key`): TrackingMore's v2 API under another prefix, header and
 * quota code (shared/reference/carrier-and-shopify-apis.md §B, §F.3; vendor-docs/tracktry-api-v1.txt).
 * Only the texts Tracktry words differently are overridden; everything else is the v2 family's.
 */

export const TRACKTRY_PREFIX = "/v1";
export const TRACKTRY_API_KEY_HEADER = "tracktry-api-key";
/** "free account can add up to 500 single numbers per month" (meta 4019). */
export const TRACKTRY_FREE_MONTHLY_QUOTA = 500;

export const TRACKTRY_MESSAGES: Readonly<Partial<Record<number, string>>> = {
  4019: "Your balance is not enough, please recharge in time, free account can add up to 500 single numbers per month.",
  4021: "Your remaining balance is not enough, so you can not call the API request data.",
  4033: "The value of `status` is invalid.",
};

export function tracktryV1Config(rateLimits: { default: number; realtime: number }): V2FamilyConfig {
  return {
    prefix: TRACKTRY_PREFIX,
    apiKeyHeader: TRACKTRY_API_KEY_HEADER,
    quotaCode: 4019,
    messageOverrides: TRACKTRY_MESSAGES,
    rateLimits,
    // Documented per IP: list 1/s, realtime 3/s; the rest undocumented. One bucket per key for everything but realtime.
    rateLimitScope: "account",
    // Tracktry counts numbers added; detection adds none.
    detectCost: 0,
  };
}

export function createTracktryV1Api(ctx: ApiContext, rateLimits: { default: number; realtime: number }): ApiModule {
  return createV2FamilyApi(ctx, tracktryV1Config(rateLimits));
}
