import { createHmac, randomUUID } from "node:crypto";

/**
 * A session token exactly as Shopify admin's App Bridge issues one (an HS256 JWT signed with the
 * app's secret; shopify.dev "Session tokens"): what `authenticate.admin` verifies on every
 * embedded request. Tests, the browser harness and the benchmark mint them with the test secret;
 * the app has no other way in.
 */
export function mintSessionToken(input: {
  shop: string;
  apiKey: string;
  apiSecret: string;
  userId?: string;
  /** Seconds since the epoch; default now. */
  issuedAt?: number;
  lifetimeSeconds?: number;
}): string {
  const now = input.issuedAt ?? Math.floor(Date.now() / 1000);
  const header = { alg: "HS256", typ: "JWT" };
  const payload = {
    iss: `https://${input.shop}/admin`,
    dest: `https://${input.shop}`,
    aud: input.apiKey,
    sub: input.userId ?? "42",
    exp: now + (input.lifetimeSeconds ?? 60),
    nbf: now - 5,
    iat: now,
    jti: randomUUID(),
    sid: randomUUID(),
  };
  const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
  const unsigned = `${encode(header)}.${encode(payload)}`;
  const signature = createHmac("sha256", input.apiSecret).update(unsigned).digest("base64url");
  return `${unsigned}.${signature}`;
}
