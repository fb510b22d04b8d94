import { describe, expect, it } from "vitest";
import { trackingLinkToken, trackingPageUrl, verifyTrackingLinkToken } from "~/services/tracking-links.server";

const SECRET = "test-app-secret";
const SHOP = "demo-shop.myshopify.com";

describe("tracking link tokens", () => {
  it("resolves to the order it was issued for", () => {
    const token = trackingLinkToken(SECRET, SHOP, "cm0order123");
    expect(verifyTrackingLinkToken(SECRET, SHOP, token)).toBe("cm0order123");
  });

  it("is refused for another shop, another secret, or another order", () => {
    const token = trackingLinkToken(SECRET, SHOP, "cm0order123");
    expect(verifyTrackingLinkToken(SECRET, "other-shop.myshopify.com", token)).toBeNull();
    expect(verifyTrackingLinkToken("another-secret", SHOP, token)).toBeNull();
    const [version, , signature] = token.split(".");
    const movedToOtherOrder = `${version}.${Buffer.from("cm0order124").toString("base64url")}.${signature}`;
    expect(verifyTrackingLinkToken(SECRET, SHOP, movedToOtherOrder)).toBeNull();
  });

  it("refuses tampered and malformed tokens", () => {
    const token = trackingLinkToken(SECRET, SHOP, "cm0order123");
    const flipped = token.slice(0, -1) + (token.endsWith("A") ? "B" : "A");
    for (const bad of [flipped, "", "t1", "t1..", `${token}.extra`, token.replace("t1.", "t0."), "x".repeat(500)]) {
      expect(verifyTrackingLinkToken(SECRET, SHOP, bad)).toBeNull();
    }
  });

  it("builds the storefront address through the app proxy", () => {
    const url = new URL(trackingPageUrl(SECRET, SHOP, "cm0order123"));
    expect(url.origin).toBe(`https://${SHOP}`);
    expect(url.pathname).toBe("/apps/track");
    expect(verifyTrackingLinkToken(SECRET, SHOP, url.searchParams.get("token")!)).toBe("cm0order123");
  });
});
