import { describe, expect, it } from "vitest";
import { adminApiUrlFor } from "~/adapters/shopify-admin/admin-api-origin.server";

const ORIGIN = "http://127.0.0.1:45123";

describe("adminApiUrlFor", () => {
  it.each([
    [
      "the GraphQL endpoint with a query string",
      "https://x.myshopify.com/admin/api/2026-10/graphql.json?a=1",
      `${ORIGIN}/x.myshopify.com/admin/api/2026-10/graphql.json?a=1`,
    ],
    [
      "a REST path",
      "https://tracklight-dev.myshopify.com/admin/api/2026-10/orders/6127428141404/fulfillments.json",
      `${ORIGIN}/tracklight-dev.myshopify.com/admin/api/2026-10/orders/6127428141404/fulfillments.json`,
    ],
    [
      "an explicit port on the shop URL",
      "https://x.myshopify.com:443/admin/oauth/access_scopes.json",
      `${ORIGIN}/x.myshopify.com/admin/oauth/access_scopes.json`,
    ],
  ])("rewrites %s to <origin>/<shop>/admin/…", (_label, url, expected) => {
    expect(adminApiUrlFor(url, ORIGIN)).toBe(expected);
  });

  it("does not double the slash when the origin ends with one", () => {
    expect(adminApiUrlFor("https://x.myshopify.com/admin/api/2026-10/graphql.json", `${ORIGIN}/`)).toBe(
      `${ORIGIN}/x.myshopify.com/admin/api/2026-10/graphql.json`,
    );
  });

  it.each([
    ["another host", "https://api.trackingmore.com/admin/api/2026-10/graphql.json"],
    ["a host that only contains myshopify.com", "https://x.myshopify.com.evil.example/admin/api/2026-10/graphql.json"],
    ["a host that ends in myshopify.com without the dot", "https://evilmyshopify.com/admin/api/2026-10/graphql.json"],
    ["the shop's storefront", "https://x.myshopify.com/products/scarf?variant=1"],
    ["the OAuth entry outside /admin/", "https://x.myshopify.com/oauth/authorize"],
    ["a path that starts with admin but is not /admin/", "https://x.myshopify.com/administrator/api"],
    ["the bare /admin", "https://x.myshopify.com/admin"],
  ])("leaves %s untouched", (_label, url) => {
    expect(adminApiUrlFor(url, ORIGIN)).toBe(url);
  });
});
