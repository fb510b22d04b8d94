import type { LoaderFunctionArgs } from "@remix-run/node";
import { config } from "~/config.server";
import { appContext } from "~/context.server";
import { invalidQueryFragment, lookupFragment, lookupRateLimitsFrom, proxyLookupFrom, storefrontLookupRequest, verifiedProxyRequest } from "~/http/app-proxy.server";
import { lookupTrackingForStorefront, storefrontLocaleFor } from "~/services/tracking-lookup.server";
import { authenticate } from "~/shopify.server";

/** `GET /apps/track/fragment?…` (same parameters as the JSON): the result's HTML, which the block's script swaps in. */
export const loader = async ({ request }: LoaderFunctionArgs) => {
  // The shop parameter is checked first: the library throws (500) on a shop that is not a myshopify domain.
  const proxy = verifiedProxyRequest(request);
  await authenticate.public.appProxy(request);
  const parsed = proxyLookupFrom(proxy);
  if (!parsed.ok || !parsed.lookup) return invalidQueryFragment(storefrontLocaleFor(proxy.query.get("locale"), request.headers.get("accept-language")));
  const lookupRequest = storefrontLookupRequest(proxy, request, parsed.lookup, config().STOREFRONT_TRUSTED_PROXY_HOPS);
  return lookupFragment(await lookupTrackingForStorefront(appContext(), lookupRequest, lookupRateLimitsFrom(config())), proxy, parsed.lookup);
};
