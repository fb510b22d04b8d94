import { readFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Liquid, Tag, type Emitter, type TagToken, type TopLevelToken } from "liquidjs";
import { APP_PROXY_PATH_PREFIX, signedAppProxyQuery } from "./app-proxy";

/**
 * A stand-in for a shop's online store on loopback, doing what Shopify does for the tracking page:
 *
 * - `/pages/track`: a theme page with our app block (extensions/tracking-page/blocks/tracking-page.liquid)
 *   rendered by liquidjs with the block's settings (schema defaults unless a test overrides them),
 *   the storefront translations (`t` from the extension's locale files, escaped as Shopify does),
 *   `request.locale` and `customer` when a test has logged one in. Like Shopify, the page's head
 *   loads the block's stylesheet and (deferred) script named in its schema.
 * - `/apps/track/*`: the app proxy. Forwarded to the app's `/proxy/*` with the customer's query plus
 *   `shop`, `logged_in_customer_id`, `path_prefix` and `timestamp`, signed (scripts/sandbox/app-proxy.ts,
 *   reference §E.4), and the customer's address in X-Forwarded-For. An `application/liquid` answer is rendered with liquidjs inside the theme layout
 *   (or alone after `{% layout none %}`); anything else passes through with its status and headers.
 * - `/cdn/extensions/tracking-page/assets/*`: the extension's assets, as Shopify's CDN serves them.
 *
 * Used by the browser tests (test/support/storefront.ts) and the demo (scripts/demo.ts):
 * `storefront = await startStorefront({ appUrl: web.url, shop: SHOP, secret })`, then open
 * `${storefront.url}/pages/track` in Chromium; `storefront.logIn({ id: "cust-1", first_name: "Ada" })`.
 */

export const EXTENSION_DIR = fileURLToPath(new URL("../../extensions/tracking-page", import.meta.url));
export const ASSET_PATH = "/cdn/extensions/tracking-page/assets";
const STOREFRONT_LOCALE_FILES: Record<string, string> = { en: "en.default.json", fr: "fr.json", de: "de.json", es: "es.json" };
/** What Shopify forwards of the customer's request to the proxy (it never forwards cookies). */
const FORWARDED_HEADERS = ["accept", "accept-language", "user-agent"];

export interface StorefrontCustomer {
  /** Shopify's customer id, sent as `logged_in_customer_id`. */
  id: string;
  first_name: string;
}

export interface StorefrontOptions {
  /** The app's origin (the proxy's target): `<appUrl>/proxy/…`. */
  appUrl: string;
  shop: string;
  /** The app secret Shopify signs with. */
  secret: string;
  /** Block settings overriding the schema's defaults. */
  blockSettings?: Record<string, unknown>;
  /** The storefront's language (Shopify's `request.locale.iso_code`). Default "en". */
  locale?: string;
}

export interface ProxiedRequest {
  /** The path and query the app received. */
  appPath: string;
  status: number;
  contentType: string | null;
  /** The app's Retry-After (seconds) on a refused lookup. */
  retryAfter: string | null;
}

export interface StorefrontStandIn {
  url: string;
  /** Requests forwarded to the app, in order. */
  proxied: ProxiedRequest[];
  logIn(customer: StorefrontCustomer): void;
  logOut(): void;
  setBlockSettings(settings: Record<string, unknown>): void;
  setLocale(locale: string): void;
  /** The customer's address Shopify's proxy puts in X-Forwarded-For (the app limits lookups per client). */
  setClientAddress(address: string): void;
  close(): Promise<void>;
}

/** `{% schema %}…{% endschema %}` is Shopify's, not Liquid's: it renders nothing. */
class SchemaTag extends Tag {
  constructor(token: TagToken, remainTokens: TopLevelToken[], liquid: Liquid) {
    super(token, remainTokens, liquid);
    for (let next = remainTokens.shift(); next; next = remainTokens.shift()) {
      if ((next as TagToken).name === "endschema") return;
    }
    throw new Error("{% schema %} is not closed");
  }
  *render(_context: unknown, _emitter: Emitter): Generator<unknown, void, unknown> {}
}

interface BlockSchema {
  settings: { id: string; default?: unknown }[];
}

function blockSchema(source: string): BlockSchema {
  const match = /\{%\s*schema\s*%\}([\s\S]*?)\{%\s*endschema\s*%\}/.exec(source);
  if (!match) throw new Error("the block has no schema");
  return JSON.parse(match[1]!) as BlockSchema;
}

function lookupTranslation(tree: unknown, key: string): string | undefined {
  const value = key.split(".").reduce<unknown>((node, part) => (typeof node === "object" && node !== null ? (node as Record<string, unknown>)[part] : undefined), tree);
  return typeof value === "string" ? value : undefined;
}

const HTML_ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

/** liquidjs set up as Shopify's storefront renders our extension: its blocks and snippets, `t`, `{% schema %}`. */
export function createStorefrontLiquid(getLocale: () => string): Liquid {
  const engine = new Liquid({ root: [join(EXTENSION_DIR, "blocks"), join(EXTENSION_DIR, "snippets")], extname: ".liquid", strictFilters: true });
  engine.registerTag("schema", SchemaTag);
  const translations = Object.fromEntries(
    Object.entries(STOREFRONT_LOCALE_FILES).map(([locale, file]) => [locale, JSON.parse(readFileSync(join(EXTENSION_DIR, "locales", file), "utf8")) as unknown]),
  );
  // Shopify's `t`: the storefront language's string, else English; `{{ name }}` filled from the
  // filter's named arguments; HTML-escaped unless the key ends in `_html`.
  engine.registerFilter("t", (key: string, ...args: unknown[]) => {
    const text = lookupTranslation(translations[getLocale()], key) ?? lookupTranslation(translations.en, key);
    if (text === undefined) return `translation missing: en.${key}`;
    const params = Object.fromEntries(args.filter((arg): arg is [string, unknown] => Array.isArray(arg)));
    const filled = text.replace(/\{\{\s*(\w+)\s*\}\}/g, (whole, name: string) => (name in params ? String(params[name]) : whole));
    return key.endsWith("_html") ? filled : filled.replace(/[&<>"']/g, (character) => HTML_ESCAPES[character]!);
  });
  return engine;
}

function themeLayout(input: { title: string; locale: string; head: string; content: string; shopName: string }): string {
  return `<!doctype html>
<html lang="${input.locale}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${input.title} – ${input.shopName}</title>
<style>body{margin:0;font-family:system-ui,sans-serif;background:#fafafa}header,footer{padding:1rem;background:#fff;border-bottom:1px solid #e5e5e5}footer{border-top:1px solid #e5e5e5;border-bottom:0;margin-top:2rem}.page-title{max-width:72rem;margin:1.5rem auto 0;padding:0 1rem;font-size:2rem}</style>
${input.head}
</head>
<body>
<header><a href="/">${input.shopName}</a></header>
<main id="MainContent">
${input.content}
</main>
<footer>${input.shopName}</footer>
</body>
</html>`;
}

export async function startStorefront(options: StorefrontOptions): Promise<StorefrontStandIn> {
  let locale = options.locale ?? "en";
  let clientAddress = "203.0.113.1";
  let customer: StorefrontCustomer | null = null;
  let settingsOverrides = { ...options.blockSettings };
  const proxied: ProxiedRequest[] = [];
  const engine = createStorefrontLiquid(() => locale);
  const blockSource = readFileSync(join(EXTENSION_DIR, "blocks/tracking-page.liquid"), "utf8");
  const schema = blockSchema(blockSource);
  const shopName = options.shop.replace(/\.myshopify\.com$/, "");
  const assetHead = `<link rel="stylesheet" href="${ASSET_PATH}/tracking-page.css">\n<script src="${ASSET_PATH}/tracking-page.js" defer></script>`;

  const liquidContext = () => ({
    request: { locale: { iso_code: locale } },
    customer,
    shop: { name: shopName, permanent_domain: options.shop },
  });

  async function trackPage(): Promise<string> {
    const settings = Object.fromEntries(schema.settings.map((setting) => [setting.id, setting.default ?? null]));
    Object.assign(settings, settingsOverrides);
    const block = { id: "AbCdEf123", settings, shopify_attributes: `data-shopify-editor-block='{"id":"AbCdEf123"}'` };
    const content = await engine.parseAndRender(blockSource, { ...liquidContext(), block });
    return themeLayout({ title: "Track your order", locale, head: assetHead, shopName, content: `<h1 class="page-title">Track your order</h1>\n${content}` });
  }

  async function forwardToApp(request: IncomingMessage, response: ServerResponse, url: URL): Promise<void> {
    const subpath = url.pathname.slice(APP_PROXY_PATH_PREFIX.length);
    const params: Record<string, string[]> = {};
    for (const [key, value] of url.searchParams) (params[key] ??= []).push(value);
    const query = signedAppProxyQuery({ shop: options.shop, params, loggedInCustomerId: customer?.id ?? "", secret: options.secret });
    const appPath = `/proxy${subpath}?${query}`;
    const headers: Record<string, string> = {};
    for (const name of FORWARDED_HEADERS) {
      const value = request.headers[name];
      if (typeof value === "string") headers[name] = value;
    }
    headers["x-forwarded-for"] = clientAddress;
    const answer = await fetch(`${options.appUrl.replace(/\/$/, "")}${appPath}`, { headers, redirect: "manual" });
    const contentType = answer.headers.get("content-type");
    proxied.push({ appPath, status: answer.status, contentType, retryAfter: answer.headers.get("retry-after") });
    const body = await answer.text();
    if (contentType?.startsWith("application/liquid")) {
      const layoutNone = /^\s*\{%-?\s*layout\s+none\s*-?%\}/.exec(body);
      const rendered = await engine.parseAndRender(layoutNone ? body.slice(layoutNone[0].length) : body, liquidContext());
      const page = layoutNone ? rendered : themeLayout({ title: "Track your order", locale, head: "", shopName, content: rendered });
      response.writeHead(answer.status, { "content-type": "text/html; charset=utf-8", "cache-control": "no-store" });
      response.end(page);
      return;
    }
    const passed: Record<string, string> = {};
    for (const name of ["content-type", "cache-control", "retry-after", "location"]) {
      const value = answer.headers.get(name);
      if (value !== null) passed[name] = value;
    }
    response.writeHead(answer.status, passed);
    response.end(body);
  }

  function serveAsset(response: ServerResponse, name: string): void {
    const types: Record<string, string> = { js: "text/javascript; charset=utf-8", css: "text/css; charset=utf-8" };
    const extension = name.split(".").pop() ?? "";
    if (!/^[\w.-]+$/.test(name) || !types[extension]) {
      response.writeHead(404).end();
      return;
    }
    try {
      const body = readFileSync(join(EXTENSION_DIR, "assets", name));
      response.writeHead(200, { "content-type": types[extension]!, "cache-control": "no-cache" }).end(body);
    } catch {
      response.writeHead(404).end();
    }
  }

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? "/", "http://storefront.invalid");
    if (request.method !== "GET") {
      response.writeHead(405).end();
    } else if (url.pathname === "/pages/track") {
      response.writeHead(200, { "content-type": "text/html; charset=utf-8" }).end(await trackPage());
    } else if (url.pathname === APP_PROXY_PATH_PREFIX || url.pathname.startsWith(`${APP_PROXY_PATH_PREFIX}/`)) {
      await forwardToApp(request, response, url);
    } else if (url.pathname.startsWith(`${ASSET_PATH}/`)) {
      serveAsset(response, url.pathname.slice(ASSET_PATH.length + 1));
    } else if (url.pathname === "/") {
      response.writeHead(200, { "content-type": "text/html; charset=utf-8" }).end(themeLayout({ title: "Home", locale, head: "", shopName, content: "" }));
    } else {
      response.writeHead(404, { "content-type": "text/plain" }).end("not found");
    }
  }

  const server: Server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      response.writeHead(502, { "content-type": "text/plain" }).end(`storefront stand-in: ${String(error)}`);
    });
  });
  await new Promise<void>((ready) => server.listen(0, "127.0.0.1", ready));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    proxied,
    logIn: (next) => (customer = next),
    logOut: () => (customer = null),
    setBlockSettings: (settings) => (settingsOverrides = { ...settings }),
    setLocale: (next) => (locale = next),
    setClientAddress: (address) => (clientAddress = address),
    close: () => new Promise((done) => server.close(() => done())),
  };
}
