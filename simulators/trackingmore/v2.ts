import type { ApiContext, ApiModule } from "./api-types";
import { createV2FamilyApi } from "./v2-family";

/** TrackingMore API v2 (legacy) at `/v2`: the v2 family with TrackingMore's header and quota code. */
export function createTrackingMoreV2Api(ctx: ApiContext, rateLimits: { v2: number; v2Realtime: number }): ApiModule {
  return createV2FamilyApi(ctx, {
    prefix: "/v2",
    apiKeyHeader: "trackingmore-api-key",
    quotaCode: 4021,
    rateLimits: { default: rateLimits.v2, realtime: rateLimits.v2Realtime },
    detectCost: 0.2,
  });
}
