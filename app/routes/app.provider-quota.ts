import type { HeadersFunction, LoaderFunctionArgs } from "@remix-run/node";
import { boundary } from "@shopify/shopify-app-remix/server";
import { appContext } from "~/context.server";
import { providerQuotas } from "~/services/dashboard.server";
import { authenticate } from "~/shopify.server";

/**
 * Quota left at the session shop's providers, loaded by the dashboard's fetcher after the page has
 * rendered: a provider call never holds up the page (answers are cached per account, see
 * `providerQuotas`).
 */
export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  return { quotas: await providerQuotas(appContext(), session.shop) };
};

export const headers: HeadersFunction = (headersArgs) => boundary.headers(headersArgs);
