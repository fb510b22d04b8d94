import { verifiedProxyRequest } from "~/http/app-proxy.server";
import type { LoaderFunctionArgs } from "@remix-run/node";
import { authenticate } from "~/shopify.server";

/**
 * A fixed answer behind the same signature check as the lookups: the baseline the benchmark
 * measures the JSON lookup against (bench/tracking-lookup.ts), and a harmless liveness check
 * through Shopify's proxy. It reads no shop data.
 */
export const loader = async ({ request }: LoaderFunctionArgs) => {
  // The shop parameter is checked first: the library throws (500) on a shop that is not a myshopify domain.
  verifiedProxyRequest(request);
  await authenticate.public.appProxy(request);
  return Response.json({ ok: true }, { headers: { "Cache-Control": "private, no-store" } });
};
