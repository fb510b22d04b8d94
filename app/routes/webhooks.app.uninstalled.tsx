import type { ActionFunctionArgs } from "@remix-run/node";
import { appContext } from "~/context.server";
import { markShopUninstalled } from "~/services/shops.server";
import { authenticate } from "~/shopify.server";

// Done inline rather than queued: stopping a shop's work is two quick writes, and queued work
// for the shop must not run after this request returns.
export const action = async ({ request }: ActionFunctionArgs) => {
  const { shop, topic } = await authenticate.webhook(request);
  if (topic !== "APP_UNINSTALLED") return new Response("This address only accepts APP_UNINSTALLED", { status: 400 });
  await markShopUninstalled(appContext(), shop);
  return new Response(null, { status: 200 });
};
