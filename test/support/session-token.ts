/** Session tokens as Shopify admin mints them: scripts/sandbox/session-token.ts, shared with the demo's admin stand-in. */
export { mintSessionToken } from "../../scripts/sandbox/session-token";
