import { appContext } from "~/context.server";
import { authenticate } from "~/shopify.server";
import { enqueueShopifyWebhook, type ShopifyTopic } from "~/services/receive-webhooks.server";

/**
 * The body of every Shopify webhook route: verify the HMAC (`authenticate.webhook` answers 401
 * for a bad one, 400 for missing headers, 405 for non-POST), persist, acknowledge. The work
 * happens in the job queue.
 */
export async function acceptShopifyWebhook(request: Request, topic: ShopifyTopic): Promise<Response> {
  let webhook: Awaited<ReturnType<typeof authenticate.webhook>>;
  try {
    webhook = await authenticate.webhook(request);
  } catch (error) {
    // The library parses the body after checking the HMAC; a signed body that is not JSON is bad input, not a crash.
    if (error instanceof SyntaxError) return new Response("The body is not JSON", { status: 400 });
    throw error;
  }
  if (webhook.topic !== topic) return new Response(`This address only accepts ${topic}`, { status: 400 });
  const result = await enqueueShopifyWebhook(appContext(), {
    shop: webhook.shop,
    topic,
    webhookId: webhook.webhookId,
    payload: webhook.payload,
  });
  if (result === "INVALID_PAYLOAD") return new Response(`The payload is not a ${topic} payload`, { status: 422 });
  return new Response(null, { status: 200 });
}
