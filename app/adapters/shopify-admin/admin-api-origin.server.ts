import { setAbstractFetchFunc } from "@shopify/shopify-api/runtime";

/**
 * `@shopify/shopify-api` always calls `https://{shop}/admin/…`. For the offline sandbox and the
 * test suite, SHOPIFY_ADMIN_API_ORIGIN points those calls at the loopback Shopify simulator
 * instead (as `{origin}/{shop}/admin/…`). It only changes where Admin API requests go; tokens,
 * signatures and every check stay exactly as in production. Unset in production.
 */
export function adminApiUrlFor(url: string, origin: string): string {
  const parsed = new URL(url);
  if (!parsed.hostname.endsWith(".myshopify.com") || !parsed.pathname.startsWith("/admin/")) return url;
  return `${origin.replace(/\/$/, "")}/${parsed.hostname}${parsed.pathname}${parsed.search}`;
}

let installedOrigin: string | null = null;

export function routeAdminApiTo(origin: string): void {
  if (installedOrigin === origin) return;
  installedOrigin = origin;
  setAbstractFetchFunc((input, init) => {
    const url = typeof input === "string" ? input : input instanceof URL ? input.toString() : input.url;
    return fetch(adminApiUrlFor(url, origin), init);
  });
}
