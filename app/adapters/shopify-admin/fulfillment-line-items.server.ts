import { z } from "zod";
import type { ShopifyAdminClient } from "./client.server";
import { fulfillmentGid } from "./fulfillment-events.server";
import { gidNumber } from "./fulfillment-payloads";

/**
 * Product images of a fulfillment's line items. Webhook (REST) payloads carry the items but no
 * image, so the tracking page's pictures come from one Admin GraphQL read per fulfillment.
 * @see https://shopify.dev/docs/api/admin-graphql/latest/objects/FulfillmentLineItem
 */
const FULFILLMENT_LINE_ITEM_IMAGES = `#graphql
  query FulfillmentLineItemImages($id: ID!) {
    fulfillment(id: $id) {
      fulfillmentLineItems(first: 250) { edges { node { lineItem { id image { url } } } } }
    }
  }`;

const imagesSchema = z.object({
  fulfillment: z
    .object({
      fulfillmentLineItems: z.object({
        edges: z.array(z.object({ node: z.object({ lineItem: z.object({ id: z.string(), image: z.object({ url: z.string() }).nullish() }) }) })),
      }),
    })
    .nullable(),
});

/** Line item id (numeric, as webhooks and our snapshots carry it) → image URL, or null without an image. Empty for an unknown fulfillment. */
export async function fulfillmentLineItemImages(client: ShopifyAdminClient, shopifyFulfillmentId: string): Promise<Map<string, string | null>> {
  const data = await client.request(FULFILLMENT_LINE_ITEM_IMAGES, { id: fulfillmentGid(shopifyFulfillmentId) }, imagesSchema);
  const edges = data.fulfillment?.fulfillmentLineItems.edges ?? [];
  return new Map(edges.map(({ node }) => [gidNumber(node.lineItem.id), node.lineItem.image?.url ?? null]));
}
