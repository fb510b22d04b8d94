import { createHmac, hkdfSync, timingSafeEqual } from "node:crypto";

/**
 * The signed link that customer e-mails carry to the storefront tracking page
 * (`https://<shop>/apps/track?token=…`). The token names one order of one shop and carries a
 * 128-bit HMAC over both, so it cannot be guessed, cannot be moved to another order or shop, and
 * needs no table: the key is derived from the app secret, which only the server holds.
 * An order erased by a compliance webhook no longer resolves, so its old links show nothing.
 */

const TOKEN_VERSION = "t1";
const MAC_BYTES = 16;

function linkKey(appSecret: string): Buffer {
  return Buffer.from(hkdfSync("sha256", appSecret, "tracklight", "tracking-link/v1", 32));
}

function mac(appSecret: string, shopDomain: string, orderId: string): Buffer {
  return createHmac("sha256", linkKey(appSecret)).update(`${shopDomain}\n${orderId}`, "utf8").digest().subarray(0, MAC_BYTES);
}

export function trackingLinkToken(appSecret: string, shopDomain: string, orderId: string): string {
  return `${TOKEN_VERSION}.${Buffer.from(orderId, "utf8").toString("base64url")}.${mac(appSecret, shopDomain, orderId).toString("base64url")}`;
}

/** The order id a token was issued for, or null for anything not issued by us for this shop. */
export function verifyTrackingLinkToken(appSecret: string, shopDomain: string, token: string): string | null {
  if (token.length > 200) return null;
  const [version, encodedOrderId, encodedMac, extra] = token.split(".");
  if (version !== TOKEN_VERSION || !encodedOrderId || !encodedMac || extra !== undefined) return null;
  const orderId = Buffer.from(encodedOrderId, "base64url").toString("utf8");
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(orderId)) return null;
  const given = Buffer.from(encodedMac, "base64url");
  const expected = mac(appSecret, shopDomain, orderId);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
  return orderId;
}

/** The storefront address (through the app proxy) of one order's tracking page. */
export function trackingPageUrl(appSecret: string, shopDomain: string, orderId: string): string {
  const url = new URL(`https://${shopDomain}/apps/track`);
  url.searchParams.set("token", trackingLinkToken(appSecret, shopDomain, orderId));
  return url.toString();
}
