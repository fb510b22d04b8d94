import { createHmac } from "node:crypto";

/**
 * Requests as Shopify's app proxy forwards them: the storefront's `/apps/track/<path>?<query>`
 * reaches the app as `/proxy/<path>?<query>&shop=…&logged_in_customer_id=…&path_prefix=…&timestamp=…&signature=…`.
 * The signature is hex HMAC-SHA256 (app secret) over every parameter but `signature`, repeated
 * keys joined with ",", sorted by key, concatenated as `key=value` with no separator (reference §E.4).
 */

export const APP_PROXY_PATH_PREFIX = "/apps/track";

export interface AppProxySigning {
  shop: string;
  /** The customer's own query (order, email, number, token, …); a repeated key is given as an array. */
  params?: Record<string, string | string[]>;
  /** Empty (still present and signed) when no one is logged in, as Shopify sends it. */
  loggedInCustomerId?: string;
  /** Where the merchant put the proxy on the storefront; defaults to /apps/track. */
  pathPrefix?: string;
  /** Unix seconds; defaults to now. */
  timestamp?: number;
  /** The app secret Shopify signs with. */
  secret: string;
}

/** The string Shopify signs for these parameters (without `signature`). */
export function appProxySignedString(params: Array<[string, string]>): string {
  const grouped = new Map<string, string[]>();
  for (const [key, value] of params) {
    if (key === "signature") continue;
    grouped.set(key, [...(grouped.get(key) ?? []), value]);
  }
  return [...grouped.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([key, values]) => `${key}=${values.join(",")}`)
    .join("");
}

export function appProxySignature(params: Array<[string, string]>, secret: string): string {
  return createHmac("sha256", secret).update(appProxySignedString(params)).digest("hex");
}

/** The signed query string (without "?") of one proxied request. */
export function signedAppProxyQuery(input: AppProxySigning): string {
  const pairs: Array<[string, string]> = [];
  for (const [key, value] of Object.entries(input.params ?? {})) {
    for (const one of Array.isArray(value) ? value : [value]) pairs.push([key, one]);
  }
  pairs.push(
    ["shop", input.shop],
    ["logged_in_customer_id", input.loggedInCustomerId ?? ""],
    ["path_prefix", input.pathPrefix ?? APP_PROXY_PATH_PREFIX],
    ["timestamp", String(input.timestamp ?? Math.floor(Date.now() / 1000))],
  );
  const query = new URLSearchParams(pairs);
  query.set("signature", appProxySignature(pairs, input.secret));
  return query.toString();
}

/** A full signed URL on the app: `appProxyUrl("http://127.0.0.1:1234", "/proxy/api/track", {...})`. */
export function appProxyUrl(appOrigin: string, path: string, input: AppProxySigning): string {
  return `${appOrigin.replace(/\/$/, "")}${path}?${signedAppProxyQuery(input)}`;
}

/** Change one parameter of a signed URL after signing (what an attacker would do). */
export function tamperedUrl(url: string, key: string, value: string | null): string {
  const parsed = new URL(url);
  if (value === null) parsed.searchParams.delete(key);
  else parsed.searchParams.set(key, value);
  return parsed.toString();
}
