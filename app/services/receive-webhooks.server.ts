import { verifyV2Webhook, verifyV4Webhook } from "~/adapters/trackingmore/webhook.server";
import { restFulfillmentSchema, snapshotFromWebhook } from "~/adapters/shopify-admin/fulfillment-payloads";
import { normalizeTrackingNumber } from "~/domain/carriers/detect";
import { sha256Hex } from "~/lib/crypto.server";
import { JOB_TYPES } from "~/jobs/job-types";
import { enqueueJob, type EnqueueResult } from "~/jobs/queue.server";
import { customerDataRequestPayloadSchema, customerRedactPayloadSchema, shopRedactPayloadSchema } from "./compliance.server";
import type { ServiceContext } from "./context.server";
import { loadProviderAccount } from "./provider-accounts.server";

/**
 * Intake of inbound webhooks: verify, persist as a job, acknowledge. Nothing here calls out or
 * does the actual work, so acknowledgements stay fast and a crash after the 200 loses nothing.
 */

export type ShopifyTopic =
  | "FULFILLMENTS_CREATE"
  | "FULFILLMENTS_UPDATE"
  | "CUSTOMERS_DATA_REQUEST"
  | "CUSTOMERS_REDACT"
  | "SHOP_REDACT";

export type ShopifyIntakeResult = EnqueueResult | "INVALID_PAYLOAD";

/** Called after `authenticate.webhook` verified the HMAC. Deduplicated by Shopify's webhook id. */
export async function enqueueShopifyWebhook(
  ctx: ServiceContext,
  webhook: { shop: string; topic: ShopifyTopic; webhookId: string; payload: unknown },
): Promise<ShopifyIntakeResult> {
  const now = ctx.clock.now();
  const dedupeKey = `shopify:${webhook.webhookId}`;
  // Jobs carry the shop so that uninstall cancels them and the privacy redactions find them.
  const shop = await ctx.db.prisma.shop.findUnique({ where: { domain: webhook.shop }, select: { id: true } });
  const scope = { dedupeKey, shopId: shop?.id ?? null };
  switch (webhook.topic) {
    case "FULFILLMENTS_CREATE":
    case "FULFILLMENTS_UPDATE": {
      const parsed = restFulfillmentSchema.safeParse(webhook.payload);
      if (!parsed.success) return "INVALID_PAYLOAD";
      // Only the minimised snapshot is stored, not Shopify's payload with the full address.
      const snapshot = snapshotFromWebhook(parsed.data);
      return enqueueJob(ctx.db.prisma, now, JOB_TYPES.ingestFulfillment, { shop: webhook.shop, snapshot }, scope);
    }
    case "CUSTOMERS_REDACT": {
      const parsed = customerRedactPayloadSchema.safeParse(webhook.payload);
      if (!parsed.success) return "INVALID_PAYLOAD";
      return enqueueJob(ctx.db.prisma, now, JOB_TYPES.redactCustomer, parsed.data, scope);
    }
    case "CUSTOMERS_DATA_REQUEST": {
      const parsed = customerDataRequestPayloadSchema.safeParse(webhook.payload);
      if (!parsed.success) return "INVALID_PAYLOAD";
      return enqueueJob(ctx.db.prisma, now, JOB_TYPES.customerDataRequest, parsed.data, scope);
    }
    case "SHOP_REDACT": {
      const parsed = shopRedactPayloadSchema.safeParse(webhook.payload);
      if (!parsed.success) return "INVALID_PAYLOAD";
      // Not scoped to the shop: cancelling the shop's jobs on uninstall must not cancel its own erasure.
      return enqueueJob(ctx.db.prisma, now, JOB_TYPES.redactShop, { shop_domain: parsed.data.shop_domain }, { dedupeKey });
    }
  }
}

export type ProviderWebhookResult =
  | { status: 200; result: "ENQUEUED" | "DUPLICATE" | "IGNORED_UNKNOWN_TRACKING" }
  | { status: 400 | 401 | 404; result: string };

/**
 * TrackingMore pushes to /webhooks/trackingmore/<shop token>. Unknown token → 404, bad or stale
 * signature → 401, malformed body → 400, a number this shop never registered → 200 and ignored
 * (so TrackingMore does not retry it for days). Nothing is written on any rejection.
 */
export async function receiveTrackingMoreWebhook(
  ctx: ServiceContext,
  input: { token: string; rawBody: string; headers: Headers },
): Promise<ProviderWebhookResult> {
  const shop = await ctx.db.prisma.shop.findUnique({ where: { webhookToken: input.token } });
  if (!shop || shop.uninstalledAt) return { status: 404, result: "unknown webhook address" };
  const account = await loadProviderAccount(ctx, shop.id, "trackingmore");
  if (!account) return { status: 401, result: "TrackingMore is not connected for this shop" };

  const keys = { webhookSecret: account.credentials.webhookSecret, accountEmail: account.credentials.accountEmail };
  const common = { rawBody: input.rawBody, keys, nowMs: ctx.clock.now().getTime(), maxSkewSeconds: ctx.settings.webhookMaxSkewSeconds };
  const verdict =
    account.apiVersion === "v2"
      ? verifyV2Webhook(common)
      : verifyV4Webhook({ ...common, timestamp: input.headers.get("timestamp"), signature: input.headers.get("signature") });
  if (!verdict.ok) return { status: verdict.status, result: verdict.reason };

  const trackingNumber = normalizeTrackingNumber(verdict.observation.trackingNumber);
  const shipment = await ctx.db.prisma.shipment.findUnique({
    where: { shopId_trackingNumber: { shopId: shop.id, trackingNumber } },
    select: { registrationState: true, provider: true },
  });
  if (!shipment || shipment.provider !== "trackingmore" || shipment.registrationState === "stopped") {
    return { status: 200, result: "IGNORED_UNKNOWN_TRACKING" };
  }
  const enqueued = await enqueueJob(
    ctx.db.prisma,
    ctx.clock.now(),
    JOB_TYPES.applyProviderWebhook,
    { shopId: shop.id, provider: "trackingmore", apiVersion: account.apiVersion ?? "v4", body: input.rawBody },
    { shopId: shop.id, dedupeKey: `trackingmore:${shop.id}:${sha256Hex(input.rawBody)}` },
  );
  return { status: 200, result: enqueued };
}
