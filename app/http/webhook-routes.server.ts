import type { ActionFunctionArgs } from "@remix-run/node";
import { appContext } from "~/context.server";
import { receiveShopifyWebhook, receiveTrackingMoreWebhook, receiveUpsWebhook, type ShopifyTopic } from "~/services/receive-webhooks.server";
import { inboundFromRequest, replyToResponse, type InboundWebhook, type WebhookReply } from "./inbound-webhook.server";
import { readBodyWithLimit } from "./request-body.server";

/**
 * Every inbound webhook endpoint, in one place. Each route file's Remix `action` is built from
 * its entry here, and the production server (server/web.mjs) calls the same `handle` directly,
 * fed from Node's request, to keep acknowledgements fast; it checks at startup that each `path`
 * is a route of the build. See docs/decisions/0006-webhook-acknowledgement-path.md.
 */
export interface WebhookRoute {
  /** The route's URL pattern, as Remix derives it from the file name. */
  path: string;
  maxBytes: number;
  handle(inbound: InboundWebhook, params: Record<string, string | undefined>): Promise<WebhookReply>;
}

/** Shopify sends at most a few hundred kilobytes; anything bigger is not from Shopify. */
const SHOPIFY_MAX_BYTES = 2 * 1024 * 1024;
const TRACKINGMORE_MAX_BYTES = 1024 * 1024;
/** A Track Alert event is about a kilobyte; 64 KB leaves room for v2's delivery photo field without inviting abuse. */
const UPS_MAX_BYTES = 64 * 1024;

function shopifyWebhook(path: string, topic: ShopifyTopic): WebhookRoute {
  return {
    path,
    maxBytes: SHOPIFY_MAX_BYTES,
    async handle(inbound) {
      const outcome = await receiveShopifyWebhook(appContext(), { ...inbound, expectedTopic: topic });
      return outcome.status === 200 ? { status: 200 } : { status: outcome.status, text: outcome.result };
    },
  };
}

export const WEBHOOK_ROUTES = {
  fulfillmentsCreate: shopifyWebhook("/webhooks/fulfillments/create", "FULFILLMENTS_CREATE"),
  fulfillmentsUpdate: shopifyWebhook("/webhooks/fulfillments/update", "FULFILLMENTS_UPDATE"),
  appUninstalled: shopifyWebhook("/webhooks/app/uninstalled", "APP_UNINSTALLED"),
  customersDataRequest: shopifyWebhook("/webhooks/customers/data_request", "CUSTOMERS_DATA_REQUEST"),
  customersRedact: shopifyWebhook("/webhooks/customers/redact", "CUSTOMERS_REDACT"),
  shopRedact: shopifyWebhook("/webhooks/shop/redact", "SHOP_REDACT"),
  /** TrackingMore's pushes for one shop; the merchant pastes this address into TrackingMore. */
  trackingMore: {
    path: "/webhooks/trackingmore/:token",
    maxBytes: TRACKINGMORE_MAX_BYTES,
    async handle(inbound, params) {
      if (inbound.method !== "POST") return { status: 405, text: "Method not allowed" };
      const outcome = await receiveTrackingMoreWebhook(appContext(), { token: params.token ?? "", rawBody: inbound.rawBody, headers: inbound.headers });
      return { status: outcome.status, json: { result: outcome.result } };
    },
  },
  /** UPS Track Alert's events for one shop; the address goes into each subscription's destination. */
  ups: {
    path: "/webhooks/ups/:token",
    maxBytes: UPS_MAX_BYTES,
    async handle(inbound, params) {
      if (inbound.method !== "POST") return { status: 405, text: "Method not allowed" };
      const outcome = await receiveUpsWebhook(appContext(), { token: params.token ?? "", rawBody: inbound.rawBody, headers: inbound.headers });
      return { status: outcome.status, json: { result: outcome.result } };
    },
  },
} satisfies Record<string, WebhookRoute>;

/** The Remix `loader` of a webhook route: webhooks arrive as POSTs, and anything else is told so (405), not treated as an error. */
export function webhookLoader(): Response {
  return new Response("Method not allowed", { status: 405, headers: { Allow: "POST" } });
}

/** The Remix `action` of a webhook route. */
export function webhookAction(route: WebhookRoute) {
  return async ({ request, params }: ActionFunctionArgs): Promise<Response> => {
    const inbound = await inboundFromRequest(request, (r) => readBodyWithLimit(r, route.maxBytes));
    return replyToResponse(await route.handle(inbound, params));
  };
}
