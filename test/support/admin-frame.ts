/** The Shopify admin stand-in lives in scripts/sandbox/admin-frame.ts, shared with the demo. */
export { ADMIN_ORIGIN, APP_BRIDGE_URL, APP_FRAME_NAME, adminPageHtml, appBridgeStandInScript } from "../../scripts/sandbox/admin-frame";
export type { AdminPageConfig, AppBridgeStandInConfig } from "../../scripts/sandbox/admin-frame";
