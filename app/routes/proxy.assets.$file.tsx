import { verifiedProxyRequest } from "~/http/app-proxy.server";
import type { LoaderFunctionArgs } from "@remix-run/node";
import { proxyAsset } from "~/http/app-proxy-assets.server";
import { authenticate } from "~/shopify.server";

/**
 * The block's stylesheet and script for the proxy's own page. Public files, but Shopify signs
 * every proxied request, so an unsigned one is refused like any other: only the storefront serves them.
 */
export const loader = async ({ request, params }: LoaderFunctionArgs) => {
  // The shop parameter is checked first: the library throws (500) on a shop that is not a myshopify domain.
  verifiedProxyRequest(request);
  await authenticate.public.appProxy(request);
  return proxyAsset(params.file ?? "");
};
