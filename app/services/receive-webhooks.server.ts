import { verifyShopifyWebhook } from "~/adapters/shopify-admin/webhook-verification.server";
import { verifyV2Webhook, verifyV4Webhook } from "~/adapters/trackingmore/webhook.server";
import { restFulfillmentSchema, snapshotFromWebhook } from "~/adapters/shopify-admin/fulfillment-payloads";
import { normalizeTrackingNumber } from "~/domain/carriers/detect";
import { secretsEqual, sha256Hex } from "~/lib/crypto.server";
import { acceptTrackAlertEvent } from "~/adapters/ups/webhook";
import { JOB_TYPES } from "~/jobs/job-types";
import { enqueueJob, type EnqueueResult } from "~/jobs/queue.server";
import { customerDataRequestPayloadSchema, customerRedactPayloadSchema, shopRedactPayloadSchema } from "./compliance.server";
import type { ServiceContext } from "./context.server";
import { accountFromRow, loadProviderAccount } from "./provider-accounts.server";
import { markShopUninstalled } from "./shops.server";

/** Request headers as far as webhook intake reads them; a Fetch `Headers` is one. */
export interface HeaderReader {
  get(name: string): string | null;
}

/**
 * Intake of inbound webhooks: verify, persist as a job, acknowledge. Nothing here calls out or
 * does the actual work, so acknowledgements stay fast and a crash after the 200 loses nothing.
 */

export type QueuedShopifyTopic =
  | "FULFILLMENTS_CREATE"
  | "FULFILLMENTS_UPDATE"
  | "CUSTOMERS_DATA_REQUEST"
  | "CUSTOMERS_REDACT"
  | "SHOP_REDACT";
export type ShopifyTopic = QueuedShopifyTopic | "APP_UNINSTALLED";

export type ShopifyIntakeResult = EnqueueResult | "INVALID_PAYLOAD";

/**
 * Every Shopify webhook: verify (405/400/401), check it reached the address of its topic,
 * then queue it (or, for app/uninstalled, stop the shop's work at once). Nothing is written
 * before verification succeeds.
 */
export async function receiveShopifyWebhook(
  ctx: ServiceContext,
  input: { method: string; headers: HeaderReader; rawBody: string; expectedTopic: ShopifyTopic },
): Promise<{ status: number; result: string }> {
  const verdict = verifyShopifyWebhook({ ...input, apiSecret: ctx.settings.shopifyApiSecret });
  if (!verdict.ok) return { status: verdict.status, result: verdict.reason };
  if (verdict.topic !== input.expectedTopic) return { status: 400, result: `this address only accepts ${input.expectedTopic}` };
  if (verdict.topic === "APP_UNINSTALLED") return { status: 200, result: await markShopUninstalled(ctx, verdict.shop) };
  const result = await enqueueShopifyWebhook(ctx, { ...verdict, topic: input.expectedTopic as QueuedShopifyTopic });
  return result === "INVALID_PAYLOAD" ? { status: 422, result: `the payload is not a ${input.expectedTopic} payload` } : { status: 200, result };
}

// Shop ids are looked up on every webhook to scope its job; they never change for a domain
// while the shop exists, so a short-lived cache keeps the lookup off the acknowledgement path.
const SHOP_ID_TTL_MS = 30_000;
const shopIds = new Map<string, { id: string; expiresAt: number }>();

async function shopIdFor(ctx: ServiceContext, domain: string): Promise<string | null> {
  const nowMs = ctx.clock.now().getTime();
  const cached = shopIds.get(domain);
  if (cached && cached.expiresAt > nowMs) return cached.id;
  const shop = await ctx.db.prisma.shop.findUnique({ where: { domain }, select: { id: true } });
  if (shop) shopIds.set(domain, { id: shop.id, expiresAt: nowMs + SHOP_ID_TTL_MS });
  else shopIds.delete(domain);
  return shop?.id ?? null;
}

/** Queue a verified Shopify webhook. Deduplicated by Shopify's webhook id. */
export async function enqueueShopifyWebhook(
  ctx: ServiceContext,
  webhook: { shop: string; topic: QueuedShopifyTopic; webhookId: string; payload: unknown },
): Promise<ShopifyIntakeResult> {
  const now = ctx.clock.now();
  const dedupeKey = `shopify:${webhook.webhookId}`;
  // Jobs carry the shop so that uninstall cancels them and the privacy redactions find them.
  const scope = { dedupeKey, shopId: await shopIdFor(ctx, webhook.shop) };
  switch (webhook.topic) {
    case "FULFILLMENTS_CREATE":
    case "FULFILLMENTS_UPDATE": {
      const parsed = restFulfillmentSchema.safeParse(webhook.payload);
      if (!parsed.success) return "INVALID_PAYLOAD";
      // Only the minimised snapshot is stored, not Shopify's payload with the full address.
      const snapshot = snapshotFromWebhook(parsed.data);
      return enqueueJob(ctx.db, now, JOB_TYPES.ingestFulfillment, { shop: webhook.shop, snapshot }, scope);
    }
    case "CUSTOMERS_REDACT": {
      const parsed = customerRedactPayloadSchema.safeParse(webhook.payload);
      if (!parsed.success) return "INVALID_PAYLOAD";
      return enqueueJob(ctx.db, now, JOB_TYPES.redactCustomer, parsed.data, scope);
    }
    case "CUSTOMERS_DATA_REQUEST": {
      const parsed = customerDataRequestPayloadSchema.safeParse(webhook.payload);
      if (!parsed.success) return "INVALID_PAYLOAD";
      return enqueueJob(ctx.db, now, JOB_TYPES.customerDataRequest, parsed.data, scope);
    }
    case "SHOP_REDACT": {
      const parsed = shopRedactPayloadSchema.safeParse(webhook.payload);
      if (!parsed.success) return "INVALID_PAYLOAD";
      // Not scoped to the shop: cancelling the shop's jobs on uninstall must not cancel its own erasure.
      return enqueueJob(ctx.db, now, JOB_TYPES.redactShop, { shop_domain: parsed.data.shop_domain }, { dedupeKey });
    }
  }
}

export type ProviderWebhookResult =
  | { status: 200; result: "ENQUEUED" | "DUPLICATE" | "IGNORED_UNKNOWN_TRACKING" | "IGNORED_SHOP_INACTIVE" }
  | { status: 400 | 401 | 404; result: string };

/**
 * TrackingMore pushes to /webhooks/trackingmore/<shop token>. Unknown token → 404, bad or stale
 * signature → 401, malformed body → 400, a number this shop never registered → 200 and ignored
 * (so TrackingMore does not retry it for days). Nothing is written on any rejection.
 */
export async function receiveTrackingMoreWebhook(
  ctx: ServiceContext,
  input: { token: string; rawBody: string; headers: HeaderReader },
): Promise<ProviderWebhookResult> {
  const shop = await ctx.db.prisma.shop.findUnique({ where: { webhookToken: input.token } });
  if (!shop) return { status: 404, result: "unknown webhook address" };
  const account = await loadProviderAccount(ctx, shop.id, "trackingmore");
  if (account?.provider !== "trackingmore") return { status: 401, result: "TrackingMore is not connected for this shop" };

  const keys = { webhookSecret: account.credentials.webhookSecret, accountEmail: account.credentials.accountEmail };
  const common = { rawBody: input.rawBody, keys, nowMs: ctx.clock.now().getTime(), maxSkewSeconds: ctx.settings.webhookMaxSkewSeconds };
  const verdict =
    account.apiVersion === "v2"
      ? verifyV2Webhook(common)
      : verifyV4Webhook({ ...common, timestamp: input.headers.get("timestamp"), signature: input.headers.get("signature") });
  if (!verdict.ok) return { status: verdict.status, result: verdict.reason };
  // Uninstalled (until shop/redact): acknowledged so TrackingMore does not retry for days, not applied.
  if (shop.uninstalledAt) return { status: 200, result: "IGNORED_SHOP_INACTIVE" };

  const trackingNumber = normalizeTrackingNumber(verdict.observation.trackingNumber);
  const shipment = await ctx.db.prisma.shipment.findUnique({
    where: { shopId_trackingNumber: { shopId: shop.id, trackingNumber } },
    select: { registrationState: true, provider: true },
  });
  if (!shipment || shipment.provider !== "trackingmore" || shipment.registrationState === "stopped") {
    await countIgnoredEvent(ctx, account.id);
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

/** Pushes for numbers a shop does not track are acknowledged and counted, so a merchant can see a misrouted webhook. */
export async function countIgnoredEvent(ctx: ServiceContext, accountId: string): Promise<void> {
  await ctx.db.prisma.providerAccount.updateMany({ where: { id: accountId }, data: { ignoredEvents: { increment: 1 } } });
}

export type UpsWebhookResult =
  | { status: 200; result: "ENQUEUED" | "DUPLICATE" | "IGNORED_SHOP_INACTIVE" }
  | { status: 400 | 401 | 404; result: string };

interface UpsDestination {
  shopId: string;
  credential: string;
  active: boolean;
  expiresAtMs: number;
}

// UPS posts events in bursts and expects an answer within milliseconds; the shop and its
// credential are cached briefly so the acknowledgement costs one insert. A mismatch reloads once,
// so a reconnected account is never refused on a stale entry.
const UPS_DESTINATION_TTL_MS = 30_000;
const upsDestinations = new Map<string, UpsDestination>();

async function upsDestination(ctx: ServiceContext, token: string, fresh: boolean): Promise<UpsDestination | null> {
  const nowMs = ctx.clock.now().getTime();
  const cached = upsDestinations.get(token);
  if (!fresh && cached && cached.expiresAtMs > nowMs) return cached;
  const shop = await ctx.db.prisma.shop.findUnique({
    where: { webhookToken: token },
    select: { id: true, uninstalledAt: true, providerAccounts: { where: { provider: "ups" } } },
  });
  const row = shop?.providerAccounts[0];
  if (!shop || !row) {
    upsDestinations.delete(token);
    return null;
  }
  const account = accountFromRow(ctx, row);
  if (account.provider !== "ups") return null;
  const destination = { shopId: shop.id, credential: account.credentials.webhookCredential, active: !shop.uninstalledAt, expiresAtMs: nowMs + UPS_DESTINATION_TTL_MS };
  upsDestinations.set(token, destination);
  return destination;
}

/**
 * UPS Track Alert posts each event to /webhooks/ups/<shop token> with the credential we gave it
 * in the `credential` header. UPS never retries, so the raw event is stored as a job before the
 * 200 and applied afterwards. Wrong or missing credential → 401, not JSON or not an event → 400;
 * nothing is written on any rejection.
 */
export async function receiveUpsWebhook(ctx: ServiceContext, input: { token: string; rawBody: string; headers: HeaderReader }): Promise<UpsWebhookResult> {
  const presented = input.headers.get("credential") ?? "";
  let destination = await upsDestination(ctx, input.token, false);
  if (destination && !secretsEqual(presented, destination.credential)) destination = await upsDestination(ctx, input.token, true);
  if (!destination) return { status: 404, result: "unknown webhook address" };
  if (!presented || !secretsEqual(presented, destination.credential)) return { status: 401, result: "credential does not match" };

  const event = acceptTrackAlertEvent(input.rawBody);
  if (!event.ok) return { status: 400, result: event.reason };
  if (!destination.active) return { status: 200, result: "IGNORED_SHOP_INACTIVE" };
  const enqueued = await enqueueJob(
    ctx.db,
    ctx.clock.now(),
    JOB_TYPES.applyUpsEvent,
    { shopId: destination.shopId, body: input.rawBody },
    { shopId: destination.shopId, dedupeKey: `ups:${destination.shopId}:${sha256Hex(input.rawBody)}` },
  );
  return { status: 200, result: enqueued };
}
