import type { ActionFunctionArgs } from "@remix-run/node";
import { acceptShopifyWebhook } from "~/lib/shopify-webhook-route.server";

export const action = ({ request }: ActionFunctionArgs) => acceptShopifyWebhook(request, "FULFILLMENTS_UPDATE");
