import css from "../../extensions/tracking-page/assets/tracking-page.css?raw";
import js from "../../extensions/tracking-page/assets/tracking-page.js?raw";
import { assetResponse, assetVersion, type AssetVersions } from "./app-proxy.server";

/**
 * The theme block's script and stylesheet, served by the proxy for its own Liquid page. One
 * source: the files in extensions/tracking-page/assets/, bundled into the server at build time.
 */
const ASSETS: Readonly<Record<string, { content: string; contentType: string }>> = {
  "tracking-page.css": { content: css, contentType: "text/css; charset=utf-8" },
  "tracking-page.js": { content: js, contentType: "text/javascript; charset=utf-8" },
};

export const ASSET_VERSIONS: AssetVersions = { css: assetVersion(css), js: assetVersion(js) };

export function proxyAsset(name: string): Response {
  const asset = Object.hasOwn(ASSETS, name) ? ASSETS[name] : undefined;
  if (!asset) return new Response("Not found", { status: 404, headers: { "Cache-Control": "no-store" } });
  return assetResponse(asset.content, asset.contentType);
}
