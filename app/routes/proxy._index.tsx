import type { LoaderFunctionArgs } from "@remix-run/node";
import { config } from "~/config.server";
import { appContext } from "~/context.server";
import { lookupRateLimitsFrom, proxyLookupFrom, storefrontLookupRequest, trackingPageLiquid, verifiedProxyRequest } from "~/http/app-proxy.server";
import { ASSET_VERSIONS } from "~/http/app-proxy-assets.server";
import { lookupTrackingForStorefront, storefrontLocaleFor } from "~/services/tracking-lookup.server";
import { authenticate } from "~/shopify.server";

/** The storefront tracking page (`/apps/track` on the shop's domain) as a Liquid page in the shop's theme. */
export const loader = async ({ request }: LoaderFunctionArgs) => {
  // The shop parameter is checked first: the library throws (500) on a shop that is not a myshopify domain.
  const proxy = verifiedProxyRequest(request);
  const { liquid } = await authenticate.public.appProxy(request);
  const parsed = proxyLookupFrom(proxy);
  const locale = storefrontLocaleFor(proxy.query.get("locale"), request.headers.get("accept-language"));
  const lookup = parsed.ok ? parsed.lookup : null;
  const outcome = lookup
    ? await lookupTrackingForStorefront(appContext(), storefrontLookupRequest(proxy, request, lookup, config().STOREFRONT_TRUSTED_PROXY_HOPS), lookupRateLimitsFrom(config()))
    : null;
  return trackingPageLiquid(liquid, proxy, { locale, outcome, lookup, invalidQuery: !parsed.ok }, ASSET_VERSIONS);
};
