import { GraphqlQueryError, HttpRequestError, HttpResponseError } from "@shopify/shopify-api";
import { z } from "zod";
import {
  AuthenticationError,
  BadResponseError,
  InvalidRequestError,
  NotFoundError,
  RateLimitedError,
  ServiceUnavailableError,
  type ExternalServiceError,
} from "~/domain/errors";

/**
 * Shopify Admin GraphQL, as used by background work. It receives the `admin.graphql` function
 * of `@shopify/shopify-app-remix` (from `unauthenticated.admin(shop)`) and never authenticates
 * by itself, so the same code serves requests and jobs.
 * @see https://shopify.dev/docs/api/admin-graphql
 */

export type AdminGraphql = (query: string, options?: { variables?: Record<string, unknown> }) => Promise<Response>;

const THROTTLE_RETRY_MS = 2_000;

export function shopifyErrorFrom(error: unknown): ExternalServiceError {
  const service = "shopify" as const;
  if (error instanceof GraphqlQueryError) {
    const throttled = JSON.stringify(error.body ?? {}).includes("THROTTLED");
    if (throttled) return new RateLimitedError("Shopify throttled the query", { service, retryAfterMs: throttleWaitMs(error.body?.extensions), cause: error });
    return new InvalidRequestError(`Shopify rejected the query: ${error.message}`, { service, status: 200, cause: error });
  }
  if (error instanceof HttpResponseError) {
    const status = error.response.code;
    if (status === 429) {
      const retryAfter = Number(error.response.retryAfter ?? 2) * 1000;
      return new RateLimitedError("Shopify rate limit", { service, status, retryAfterMs: retryAfter, cause: error });
    }
    // The subscriptions reference app's rule: these mean the shop is gone or closed; retrying cannot help.
    if ([401, 402, 403, 423].includes(status)) return new AuthenticationError(`Shopify refused access (HTTP ${status})`, { service, status, cause: error });
    if (status === 404) return new NotFoundError("Shopify resource not found", { service, status, cause: error });
    if (status >= 500) return new ServiceUnavailableError(`Shopify server error (HTTP ${status})`, { service, status, cause: error });
    return new InvalidRequestError(`Shopify refused the request (HTTP ${status})`, { service, status, cause: error });
  }
  if (error instanceof HttpRequestError) return new ServiceUnavailableError("Shopify could not be reached", { service, cause: error });
  if (error instanceof Error && error.name === "SessionNotFoundError") {
    return new AuthenticationError("No offline session for this shop (not installed)", { service, cause: error });
  }
  return new ServiceUnavailableError(`Shopify call failed: ${error instanceof Error ? error.message : String(error)}`, { service, cause: error });
}

/**
 * How long until the leaky bucket holds enough points for the refused query, from the `cost`
 * extension Shopify sends with THROTTLED (requested cost, points available, restore rate per second).
 * @see https://shopify.dev/docs/api/usage/limits#rate-limits
 */
export function throttleWaitMs(extensions: unknown): number {
  const parsed = throttleCostSchema.safeParse(extensions);
  if (!parsed.success) return THROTTLE_RETRY_MS;
  const { requestedQueryCost, throttleStatus } = parsed.data.cost;
  const missing = Math.max(0, requestedQueryCost - throttleStatus.currentlyAvailable);
  return Math.max(250, Math.ceil((missing / throttleStatus.restoreRate) * 1000));
}

const throttleCostSchema = z.object({
  cost: z.object({
    requestedQueryCost: z.number(),
    throttleStatus: z.object({ currentlyAvailable: z.number(), restoreRate: z.number().positive() }),
  }),
});

export class ShopifyAdminClient {
  constructor(private readonly graphql: AdminGraphql) {}

  async request<T>(query: string, variables: Record<string, unknown>, schema: z.ZodType<T>): Promise<T> {
    let response: Response;
    try {
      response = await this.graphql(query, { variables });
    } catch (error) {
      throw shopifyErrorFrom(error);
    }
    const body = (await response.json()) as { data?: unknown; errors?: unknown; extensions?: unknown };
    if (body.errors) {
      const detail = JSON.stringify(body.errors);
      if (detail.includes("THROTTLED")) {
        throw new RateLimitedError("Shopify throttled the query", { service: "shopify", retryAfterMs: throttleWaitMs(body.extensions) });
      }
      throw new InvalidRequestError(`Shopify rejected the query: ${detail.slice(0, 500)}`, { service: "shopify", status: 200 });
    }
    const parsed = schema.safeParse(body.data);
    if (!parsed.success) {
      throw new BadResponseError(`Shopify answered an unexpected shape: ${parsed.error.message}`, { service: "shopify" });
    }
    return parsed.data;
  }
}
