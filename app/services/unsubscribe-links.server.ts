import { createHash, createHmac, hkdfSync, timingSafeEqual } from "node:crypto";
import type { TransactionClient } from "~/db/database.server";
import type { ServiceContext } from "./context.server";

/**
 * The signed unsubscribe link of a customer e-mail (`<app url>/email/unsubscribe/<token>`), made
 * like the tracking link (tracking-links.server.ts): no table, a 128-bit HMAC under a key derived
 * from the app secret (with its own purpose, so neither token can stand in for the other).
 * The token names one order and the SHA-256 of the address it was sent to, signed together with
 * the shop's domain: it cannot be moved to another order, address or shop. The address itself is
 * never in the link.
 */

const TOKEN_VERSION = "u1";
const MAC_BYTES = 16;

/** The address as EmailSuppression stores it for "customer" scope: SHA-256 hex of the lower-cased, trimmed address. */
export function emailAddressHash(email: string): string {
  return createHash("sha256").update(email.trim().toLowerCase(), "utf8").digest("hex");
}

function linkKey(appSecret: string): Buffer {
  return Buffer.from(hkdfSync("sha256", appSecret, "tracklight", "unsubscribe-link/v1", 32));
}

function mac(appSecret: string, shopDomain: string, orderId: string, addressHash: string): Buffer {
  return createHmac("sha256", linkKey(appSecret)).update(`${shopDomain}\n${orderId}\n${addressHash}`, "utf8").digest().subarray(0, MAC_BYTES);
}

export function unsubscribeToken(appSecret: string, shopDomain: string, orderId: string, email: string): string {
  const addressHash = emailAddressHash(email);
  return [
    TOKEN_VERSION,
    Buffer.from(orderId, "utf8").toString("base64url"),
    Buffer.from(addressHash, "hex").toString("base64url"),
    mac(appSecret, shopDomain, orderId, addressHash).toString("base64url"),
  ].join(".");
}

export interface UnsubscribeTokenClaims {
  orderId: string;
  addressHash: string;
}

/** What a token claims, before its signature is checked (the order names the shop whose domain checks it). */
export function readUnsubscribeToken(token: string): UnsubscribeTokenClaims | null {
  if (token.length > 200) return null;
  const [version, encodedOrderId, encodedHash, encodedMac, extra] = token.split(".");
  if (version !== TOKEN_VERSION || !encodedOrderId || !encodedHash || !encodedMac || extra !== undefined) return null;
  const orderId = Buffer.from(encodedOrderId, "base64url").toString("utf8");
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(orderId)) return null;
  const hash = Buffer.from(encodedHash, "base64url");
  if (hash.length !== 32) return null;
  return { orderId, addressHash: hash.toString("hex") };
}

/** The claims of a token we issued for this shop, or null. */
export function verifyUnsubscribeToken(appSecret: string, shopDomain: string, token: string): UnsubscribeTokenClaims | null {
  const claims = readUnsubscribeToken(token);
  if (!claims) return null;
  const given = Buffer.from(token.split(".")[3]!, "base64url");
  const expected = mac(appSecret, shopDomain, claims.orderId, claims.addressHash);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
  return claims;
}

export function unsubscribeUrl(appUrl: string, appSecret: string, shopDomain: string, orderId: string, email: string): string {
  return new URL(`/email/unsubscribe/${unsubscribeToken(appSecret, shopDomain, orderId, email)}`, appUrl).toString();
}

// --- Unsubscribing ------------------------------------------------------------------------------


export interface UnsubscribeTarget {
  orderId: string;
  shopId: string;
  orderName: string | null;
  locale: string | null;
  addressHash: string;
}

/** The order a valid token names, or null (unknown order, erased order, wrong signature). */
export async function resolveUnsubscribeToken(ctx: ServiceContext, token: string): Promise<UnsubscribeTarget | null> {
  const claims = readUnsubscribeToken(token);
  if (!claims) return null;
  const order = await ctx.db.prisma.order.findUnique({
    where: { id: claims.orderId },
    select: { id: true, shopId: true, name: true, locale: true, redactedAt: true, shop: { select: { domain: true } } },
  });
  if (!order || order.redactedAt) return null;
  if (!verifyUnsubscribeToken(ctx.settings.shopifyApiSecret, order.shop.domain, token)) return null;
  return { orderId: order.id, shopId: order.shopId, orderName: order.name, locale: order.locale, addressHash: claims.addressHash };
}

/**
 * Stop tracking e-mails for the token's order, and with `everyOrder` for the address on every
 * order of the shop. Idempotent: unsubscribing twice changes nothing. Null for a bad token.
 */
export async function unsubscribeFromTrackingEmails(
  ctx: ServiceContext,
  token: string,
  options: { everyOrder: boolean },
): Promise<UnsubscribeTarget | null> {
  const target = await resolveUnsubscribeToken(ctx, token);
  if (!target) return null;
  const subjects = [{ scope: "order", subject: target.orderId }, ...(options.everyOrder ? [{ scope: "customer", subject: target.addressHash }] : [])];
  for (const { scope, subject } of subjects) {
    await ctx.db.prisma.emailSuppression.upsert({
      where: { shopId_scope_subject: { shopId: target.shopId, scope, subject } },
      create: { shopId: target.shopId, scope, subject, createdAt: ctx.clock.now() },
      update: {},
    });
  }
  return target;
}

/**
 * customers/redact: the customer's unsubscribe records go with their details (the address hash
 * is theirs; an erased order has no address to write to anyway).
 */
export async function forgetEmailSuppressions(
  tx: TransactionClient,
  shopId: string,
  orders: ReadonlyArray<{ id: string; email: string | null }>,
  customerEmail: string | null,
): Promise<number> {
  const addresses = [customerEmail, ...orders.map((order) => order.email)].filter((email): email is string => Boolean(email));
  const removed = await tx.emailSuppression.deleteMany({
    where: {
      shopId,
      OR: [
        { scope: "order", subject: { in: orders.map((order) => order.id) } },
        { scope: "customer", subject: { in: [...new Set(addresses.map(emailAddressHash))] } },
      ],
    },
  });
  return removed.count;
}
