import { createHash } from "node:crypto";
import { isIPv6 } from "node:net";
import { z } from "zod";
import type { AppConfig } from "~/config.server";
import type { StorefrontLocale, TrackingLookupResponse } from "~/domain/tracking-page-contract";
import type { LookupRateLimits, StorefrontLookupOutcome, StorefrontLookupRequest, TrackingLookupQuery } from "~/services/tracking-lookup.server";
import { html } from "~/storefront/html.server";
import { fillLabel } from "~/storefront/chrome-labels.server";
import { displayOptionsFromQuery, renderTrackingPage, renderTrackingResult, storefrontChromeLabels } from "~/storefront/render-tracking-page.server";

/**
 * Route plumbing of the storefront app proxy (`/apps/track/…` on the shop's domain, forwarded by
 * Shopify to `/proxy/…` with a signature the routes verify first): reading the customer's query,
 * who the client is for rate limiting, and the three answers (JSON, HTML fragment, Liquid page).
 * Every lookup answer is private and never cached; an unknown order and a wrong e-mail get the
 * same bytes (ADR 15).
 */

export interface VerifiedProxyRequest {
  shop: string;
  query: URLSearchParams;
  /** Shopify's `path_prefix` (the merchant may change `/apps/track`); links on our pages use it. */
  pathPrefix: string;
  loggedInCustomerId: string | null;
}

const SHOP_DOMAIN = /^[a-z0-9][a-z0-9-]*\.myshopify\.com$/;
const PATH_PREFIX = /^\/(apps|a|community|tools)\/[A-Za-z0-9_-]{1,30}$/;
const DEFAULT_PATH_PREFIX = "/apps/track";

/**
 * What a request the library verified (signature over every parameter, timestamp within ±90 s)
 * tells us. A `shop` that is not a myshopify domain is refused like a bad signature.
 */
export function verifiedProxyRequest(request: Request): VerifiedProxyRequest {
  const query = new URL(request.url).searchParams;
  const shop = query.get("shop") ?? "";
  if (!SHOP_DOMAIN.test(shop)) throw new Response(undefined, { status: 400 });
  const prefix = query.get("path_prefix") ?? "";
  const customer = query.get("logged_in_customer_id") ?? "";
  return {
    shop,
    query,
    pathPrefix: PATH_PREFIX.test(prefix) ? prefix : DEFAULT_PATH_PREFIX,
    loggedInCustomerId: /^\d{1,20}$/.test(customer) ? customer : null,
  };
}

// --- The customer's query ------------------------------------------------------------------------

/** Blank form fields count as absent: the order form always sends both e-mail and phone. */
const optionalText = (max: number) =>
  z.preprocess((value) => (typeof value === "string" && value.trim() === "" ? undefined : value), z.string().trim().max(max).optional());

const lookupQuerySchema = z
  .object({
    order: optionalText(40),
    email: optionalText(254).pipe(z.string().regex(/^[^\s@]+@[^\s@]+$/).optional()),
    phone: optionalText(40).pipe(z.string().regex(/\d/).optional()),
    number: optionalText(64),
    token: optionalText(200),
  })
  .refine((q) => [q.order, q.number, q.token].filter(Boolean).length <= 1, "one of order, number or token")
  .refine((q) => (q.order ? Boolean(q.email) !== Boolean(q.phone) : !q.email && !q.phone), "an order needs an e-mail or a phone, not both");

export type ParsedProxyLookup = { ok: true; lookup: TrackingLookupQuery | null } | { ok: false };

/** The lookup the query asks for; a logged-in customer with no query asks for their own orders; null: nothing asked. */
export function proxyLookupFrom(proxy: VerifiedProxyRequest): ParsedProxyLookup {
  const parsed = lookupQuerySchema.safeParse(Object.fromEntries(["order", "email", "phone", "number", "token"].map((key) => [key, proxy.query.get(key) ?? undefined])));
  if (!parsed.success) return { ok: false };
  const q = parsed.data;
  if (q.token) return { ok: true, lookup: { kind: "token", token: q.token } };
  if (q.number) return { ok: true, lookup: { kind: "number", trackingNumber: q.number } };
  if (q.order && q.email) return { ok: true, lookup: { kind: "order", orderName: q.order, email: q.email } };
  if (q.order && q.phone) return { ok: true, lookup: { kind: "order", orderName: q.order, phone: q.phone } };
  if (proxy.loggedInCustomerId) return { ok: true, lookup: { kind: "customer", shopifyCustomerId: proxy.loggedInCustomerId } };
  return { ok: true, lookup: null };
}

export function storefrontLookupRequest(
  proxy: VerifiedProxyRequest,
  request: Request,
  lookup: TrackingLookupQuery,
  trustedProxyHops: number,
): StorefrontLookupRequest {
  return {
    shopDomain: proxy.shop,
    query: lookup,
    client: proxyClient(request.headers.get("x-forwarded-for"), trustedProxyHops, proxy.loggedInCustomerId),
    requestedLocale: (proxy.query.get("locale") ?? "").slice(0, 35) || null,
    acceptLanguage: (request.headers.get("accept-language") ?? "").slice(0, 200) || null,
  };
}

/**
 * Who is asking, for the per-client limit. Shopify's proxy puts the customer's address in
 * X-Forwarded-For; proxies of our own append after it, so it is `trustedProxyHops` entries from
 * the right (entries further left are whatever the client sent and prove nothing). IPv6 clients
 * are counted per /64, the block one subscriber gets. Else the logged-in customer, else unknown.
 */
export function proxyClient(forwardedFor: string | null, trustedProxyHops: number, loggedInCustomerId: string | null): string | null {
  const entries = (forwardedFor ?? "").split(",").map((entry) => entry.trim()).filter(Boolean);
  const address = entries[entries.length - 1 - trustedProxyHops];
  if (address && /^[0-9A-Fa-f:.]{2,45}$/.test(address)) return `ip:${isIPv6(address) ? ipv6Slash64(address) : address}`;
  return loggedInCustomerId ? `customer:${loggedInCustomerId}` : null;
}

function ipv6Slash64(address: string): string {
  const [head = "", tail = ""] = address.toLowerCase().split("::");
  const left = head ? head.split(":") : [];
  const right = tail ? tail.split(":") : [];
  const groups = address.includes("::") ? [...left, ...Array<string>(Math.max(0, 8 - left.length - right.length)).fill("0"), ...right] : left;
  return `${groups.slice(0, 4).map((group) => group.replace(/^0+(?=.)/, "")).join(":")}::/64`;
}

export function lookupRateLimitsFrom(config: AppConfig): LookupRateLimits {
  return {
    windowMs: config.STOREFRONT_LOOKUP_WINDOW_SECONDS * 1000,
    perClient: config.STOREFRONT_LOOKUPS_PER_CLIENT,
    perShop: config.STOREFRONT_LOOKUPS_PER_SHOP,
    failedLookupCost: config.STOREFRONT_FAILED_LOOKUP_COST,
  };
}

// --- Answers -------------------------------------------------------------------------------------

const PRIVATE = { "Cache-Control": "private, no-store", "X-Content-Type-Options": "nosniff" } as const;

function retryAfterSeconds(ms: number): number {
  return Math.max(1, Math.ceil(ms / 1000));
}

function rateLimitedMessage(locale: StorefrontLocale, retryAfterMs: number): string {
  return fillLabel(storefrontChromeLabels(locale).status.rate_limited, { seconds: retryAfterSeconds(retryAfterMs) });
}

function emptyResponse(locale: StorefrontLocale): TrackingLookupResponse {
  return { locale, orders: [], shipments: [] };
}

export function invalidQueryJson(): Response {
  return Response.json({ error: "invalid_query" }, { status: 400, headers: PRIVATE });
}

/** `GET /proxy/api/track`: the view model, or the same "not found" for every miss. */
export function lookupJson(outcome: StorefrontLookupOutcome): Response {
  switch (outcome.kind) {
    case "found":
      return Response.json(outcome.response, { headers: PRIVATE });
    case "not_found":
      return Response.json({ error: "not_found", message: storefrontChromeLabels(outcome.locale).empty.heading }, { status: 404, headers: PRIVATE });
    case "rate_limited":
      return Response.json(
        { error: "rate_limited", retryAfterSeconds: retryAfterSeconds(outcome.retryAfterMs), message: rateLimitedMessage(outcome.locale, outcome.retryAfterMs) },
        { status: 429, headers: { ...PRIVATE, "Retry-After": String(retryAfterSeconds(outcome.retryAfterMs)) } },
      );
  }
}

function htmlResponse(body: string, status: number, retryAfterMs?: number): Response {
  const headers: Record<string, string> = { ...PRIVATE, "Content-Type": "text/html; charset=utf-8" };
  if (retryAfterMs !== undefined) headers["Retry-After"] = String(retryAfterSeconds(retryAfterMs));
  return new Response(body, { status, headers });
}

function statusMessageHtml(message: string): string {
  return html`<p class="tl-status tl-status--error" role="alert" data-tl-state="error">${message}</p>`.value;
}

export function invalidQueryFragment(locale: StorefrontLocale): Response {
  return htmlResponse(statusMessageHtml(storefrontChromeLabels(locale).status.missing_fields), 400);
}

/** `GET /proxy/fragment`: the result's HTML for the block's script to swap in. */
export function lookupFragment(outcome: StorefrontLookupOutcome, proxy: VerifiedProxyRequest, lookup: TrackingLookupQuery): Response {
  const options = displayOptionsFromQuery(proxy.query);
  const kind = lookup.kind === "customer" ? "customer" : "query";
  switch (outcome.kind) {
    case "found":
      return htmlResponse(renderTrackingResult(outcome.response, { labels: storefrontChromeLabels(outcome.response.locale), options, lookup: kind }), 200);
    case "not_found":
      return htmlResponse(renderTrackingResult(emptyResponse(outcome.locale), { labels: storefrontChromeLabels(outcome.locale), options }), 404);
    case "rate_limited":
      return htmlResponse(statusMessageHtml(rateLimitedMessage(outcome.locale, outcome.retryAfterMs)), 429, outcome.retryAfterMs);
  }
}

// --- The Liquid page -----------------------------------------------------------------------------

export type LiquidResponder = (body: string, init?: ResponseInit & { layout?: boolean }) => Response;

export interface PageState {
  locale: StorefrontLocale;
  outcome: StorefrontLookupOutcome | null;
  lookup: TrackingLookupQuery | null;
  invalidQuery: boolean;
}

/**
 * `GET /proxy`: the whole page inside the shop's theme, usable with no script: the forms, and the
 * result when the query carries a lookup or the customer is logged in. Shopify renders this body
 * as Liquid, so every `{` and `}` becomes an HTML entity: carrier text such as
 * `{{ customer.email }}` must reach the customer as text, never run as Liquid.
 */
export function trackingPageLiquid(liquid: LiquidResponder, proxy: VerifiedProxyRequest, state: PageState, assets: AssetVersions): Response {
  // A found order speaks its own language (a signed e-mail link opens in the order's language): the
  // page's fixed wording follows it, so headings and step states never mix two languages.
  const pageLocale = state.outcome?.kind === "found" ? state.outcome.response.locale : state.locale;
  const labels = storefrontChromeLabels(pageLocale);
  const options = displayOptionsFromQuery(proxy.query);
  const lookupKind = state.lookup?.kind === "customer" ? "customer" : "query";
  let status = 200;
  let message = "";
  let result: { response: TrackingLookupResponse; lookup: "customer" | "query" } | null = null;
  let retryAfterMs: number | undefined;
  if (state.invalidQuery) {
    status = 400;
    message = statusMessageHtml(labels.status.missing_fields);
  } else if (state.outcome?.kind === "found") {
    result = { response: state.outcome.response, lookup: lookupKind };
  } else if (state.outcome?.kind === "not_found") {
    status = 404;
    result = { response: emptyResponse(state.locale), lookup: "query" };
  } else if (state.outcome?.kind === "rate_limited") {
    status = 429;
    retryAfterMs = state.outcome.retryAfterMs;
    message = statusMessageHtml(rateLimitedMessage(state.locale, retryAfterMs));
  }
  const page = renderTrackingPage({ labels, options, locale: pageLocale, result, pathPrefix: proxy.pathPrefix });
  const body =
    html`<link rel="stylesheet" href="${`${proxy.pathPrefix}/assets/tracking-page.css?v=${assets.css}`}">`.value +
    message +
    page +
    html`<script src="${`${proxy.pathPrefix}/assets/tracking-page.js?v=${assets.js}`}" defer></script>`.value;
  const headers: Record<string, string> = { ...PRIVATE };
  if (retryAfterMs !== undefined) headers["Retry-After"] = String(retryAfterSeconds(retryAfterMs));
  return liquid(withoutLiquidDelimiters(body), { status, headers });
}

export function withoutLiquidDelimiters(body: string): string {
  return body.replaceAll("{", "&#123;").replaceAll("}", "&#125;");
}

// --- Assets --------------------------------------------------------------------------------------

export interface AssetVersions {
  css: string;
  js: string;
}

export function assetVersion(content: string): string {
  return createHash("sha256").update(content).digest("hex").slice(0, 12);
}

/** Addressed by content version (`?v=`), so a year of caching is safe: a new file is a new URL. */
export function assetResponse(content: string, contentType: string): Response {
  return new Response(content, {
    headers: {
      "Content-Type": contentType,
      "Cache-Control": "public, max-age=31536000, immutable",
      "X-Content-Type-Options": "nosniff",
      ETag: `"${assetVersion(content)}"`,
    },
  });
}
