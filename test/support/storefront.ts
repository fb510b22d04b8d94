import * as sandbox from "../../scripts/sandbox/storefront";
import { TEST_API_SECRET } from "./services";

/** The storefront stand-in (scripts/sandbox/storefront.ts, shared with the demo), signing with the tests' app secret by default. */

export { ASSET_PATH, EXTENSION_DIR, createStorefrontLiquid } from "../../scripts/sandbox/storefront";
export type { ProxiedRequest, StorefrontCustomer, StorefrontStandIn } from "../../scripts/sandbox/storefront";

export type StorefrontOptions = Omit<sandbox.StorefrontOptions, "secret"> & { secret?: string };

export function startStorefront(options: StorefrontOptions): Promise<sandbox.StorefrontStandIn> {
  return sandbox.startStorefront({ ...options, secret: options.secret ?? TEST_API_SECRET });
}
