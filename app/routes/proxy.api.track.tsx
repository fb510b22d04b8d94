import type { LoaderFunctionArgs } from "@remix-run/node";
import { config } from "~/config.server";
import { appContext } from "~/context.server";
import { invalidQueryJson, lookupJson, lookupRateLimitsFrom, proxyLookupFrom, storefrontLookupRequest, verifiedProxyRequest } from "~/http/app-proxy.server";
import { lookupTrackingForStorefront } from "~/services/tracking-lookup.server";
import { authenticate } from "~/shopify.server";

/** `GET /apps/track/api/track?order=…&email=…|phone=… | ?number=… | ?token=…`: the tracking page's view model as JSON. */
export const loader = async ({ request }: LoaderFunctionArgs) => {
  // The shop parameter is checked first: the library throws (500) on a shop that is not a myshopify domain.
  const proxy = verifiedProxyRequest(request);
  await authenticate.public.appProxy(request);
  const parsed = proxyLookupFrom(proxy);
  if (!parsed.ok || !parsed.lookup) return invalidQueryJson();
  const lookupRequest = storefrontLookupRequest(proxy, request, parsed.lookup, config().STOREFRONT_TRUSTED_PROXY_HOPS);
  return lookupJson(await lookupTrackingForStorefront(appContext(), lookupRequest, lookupRateLimitsFrom(config())));
};
