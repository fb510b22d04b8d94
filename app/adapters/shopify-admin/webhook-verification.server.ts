import { createHmac } from "node:crypto";
import { secretsEqual } from "~/lib/crypto.server";

/**
 * Verification of Shopify's HTTPS webhooks, with the same outcomes as `authenticate.webhook`
 * of @shopify/shopify-app-remix (405 for a non-POST, 400 for missing headers, 401 for a bad
 * HMAC; the topic normalised to e.g. FULFILLMENTS_CREATE), proven by a parity test against the
 * library. It exists because the library also loads (and may refresh, over the network) the
 * shop's offline session on every webhook, which an acknowledgement that only queues the
 * payload does not need. See docs/decisions/0006-webhook-acknowledgement-path.md.
 * @see https://shopify.dev/docs/apps/build/webhooks/subscribe/https#step-5-verify-the-webhook
 */

const REQUIRED_HEADERS = [
  "x-shopify-hmac-sha256",
  "x-shopify-topic",
  "x-shopify-shop-domain",
  "x-shopify-api-version",
  "x-shopify-webhook-id",
] as const;

export type ShopifyWebhookVerdict =
  | { ok: true; topic: string; shop: string; webhookId: string; apiVersion: string; payload: unknown }
  | { ok: false; status: 400 | 401 | 405; reason: string };

/** `fulfillments/create` → `FULFILLMENTS_CREATE`, as the library reports topics. */
export function normalizeTopic(topic: string): string {
  return topic.toUpperCase().replace(/\/|\./g, "_");
}

export function verifyShopifyWebhook(input: {
  method: string;
  headers: { get(name: string): string | null };
  rawBody: string;
  apiSecret: string;
}): ShopifyWebhookVerdict {
  if (input.method !== "POST") return { ok: false, status: 405, reason: "only POST is allowed" };
  const missing = REQUIRED_HEADERS.filter((name) => !input.headers.get(name));
  if (missing.length > 0) return { ok: false, status: 400, reason: `missing headers: ${missing.join(", ")}` };

  const expected = createHmac("sha256", input.apiSecret).update(input.rawBody, "utf8").digest("base64");
  if (!secretsEqual(expected, input.headers.get("x-shopify-hmac-sha256")!)) return { ok: false, status: 401, reason: "invalid HMAC" };

  let payload: unknown;
  try {
    payload = JSON.parse(input.rawBody);
  } catch {
    return { ok: false, status: 400, reason: "the body is not JSON" };
  }
  return {
    ok: true,
    topic: normalizeTopic(input.headers.get("x-shopify-topic")!),
    shop: input.headers.get("x-shopify-shop-domain")!,
    webhookId: input.headers.get("x-shopify-webhook-id")!,
    apiVersion: input.headers.get("x-shopify-api-version")!,
    payload,
  };
}
