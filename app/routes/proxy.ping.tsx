import type { LoaderFunctionArgs } from "@remix-run/node";
import { authenticate } from "~/shopify.server";

/**
 * A fixed answer behind the same signature check as the lookups: the baseline the benchmark
 * measures the JSON lookup against (bench/tracking-lookup.ts), and a harmless liveness check
 * through Shopify's proxy. It reads no shop data.
 */
export const loader = async ({ request }: LoaderFunctionArgs) => {
  await authenticate.public.appProxy(request);
  return Response.json({ ok: true }, { headers: { "Cache-Control": "private, no-store" } });
};
