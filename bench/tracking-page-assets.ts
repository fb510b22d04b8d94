import { readFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { report, ROOT } from "./support";

/**
 * What the tracking page block costs a customer's browser: its script and stylesheet as shipped
 * (Shopify serves theme app extension assets unminified, compressed), each gzipped at the default
 * level as a CDN would and the two sizes added. The budget is 10 KB for both together.
 */

const ASSETS = ["tracking-page.js", "tracking-page.css"];
const BUDGET_BYTES = 10 * 1024;

export function trackingPageAssetsGzipBytes(): number {
  return ASSETS.reduce((total, asset) => total + gzipSync(readFileSync(join(ROOT, "extensions/tracking-page/assets", asset))).length, 0);
}

export function trackingPageAssetsSize(): void {
  const bytes = trackingPageAssetsGzipBytes();
  report("tracking_page_assets_gzip_bytes", String(bytes), `<= ${BUDGET_BYTES}`);
}
