import { describe, expect, it } from "vitest";
import { loadConfig } from "~/config.server";

const API_SECRET = "shpss_0123456789abcdef0123456789abcdef";
const ENCRYPTION_KEY = Buffer.alloc(32, 9).toString("base64");

const VALID = {
  SHOPIFY_API_KEY: "0a1b2c3d4e5f",
  SHOPIFY_API_SECRET: API_SECRET,
  SHOPIFY_APP_URL: "https://tracklight.example.com",
  ENCRYPTION_KEY,
};

function errorOf(env: Record<string, string | undefined>): string {
  try {
    loadConfig(env);
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error("loadConfig accepted an invalid environment");
}

describe("loadConfig", () => {
  it("parses a minimal valid environment and fills the defaults", () => {
    expect(loadConfig(VALID)).toEqual({
      ...VALID,
      NODE_ENV: "development",
      DATABASE_URL: "file:./prisma/dev.db",
      SCOPES: "read_orders,read_fulfillments,write_fulfillments",
      ENCRYPTION_KEYS_PREVIOUS: [],
      TRACKINGMORE_API_BASE_URL: "https://api.trackingmore.com",
      TRACKINGMORE_WEBHOOK_MAX_SKEW_SECONDS: 600,
      TRACKTRY_API_BASE_URL: "https://api.tracktry.com",
      UPS_API_BASE_URL: "https://onlinetools.ups.com",
      UPS_CIE_API_BASE_URL: "https://wwwcie.ups.com",
      PROVIDER_RATE_LIMIT_PAUSE_MS: 120_000,
      PROVIDER_HTTP_TIMEOUT_MS: 15_000,
      WORKER_CONCURRENCY: 4,
      JOB_LEASE_MS: 60_000,
      LOG_LEVEL: "info",
      SMTP_POOL_SIZE: 5,
      STOREFRONT_FAILED_LOOKUP_COST: 5,
      STOREFRONT_LOOKUPS_PER_CLIENT: 30,
      STOREFRONT_LOOKUPS_PER_SHOP: 3000,
      STOREFRONT_LOOKUP_WINDOW_SECONDS: 600,
      STOREFRONT_TRUSTED_PROXY_HOPS: 0,
    });
  });

  it("coerces numbers and splits the previous keys", () => {
    const previous = [Buffer.alloc(32, 1).toString("base64"), Buffer.alloc(32, 2).toString("base64")];
    const config = loadConfig({
      ...VALID,
      NODE_ENV: "production",
      WORKER_CONCURRENCY: "8",
      TRACKINGMORE_WEBHOOK_MAX_SKEW_SECONDS: "300",
      ENCRYPTION_KEYS_PREVIOUS: ` ${previous[0]} ,${previous[1]},`,
      SHOPIFY_ADMIN_API_ORIGIN: "http://127.0.0.1:4000",
      LOG_LEVEL: "silent",
    });
    expect(config).toMatchObject({
      NODE_ENV: "production",
      WORKER_CONCURRENCY: 8,
      TRACKINGMORE_WEBHOOK_MAX_SKEW_SECONDS: 300,
      ENCRYPTION_KEYS_PREVIOUS: previous,
      SHOPIFY_ADMIN_API_ORIGIN: "http://127.0.0.1:4000",
      LOG_LEVEL: "silent",
    });
  });

  it("ignores unrelated variables", () => {
    expect(loadConfig({ ...VALID, PATH: "/usr/bin", HOME: "/root" })).not.toHaveProperty("PATH");
  });

  it("names a missing SHOPIFY_API_SECRET without echoing other secrets", () => {
    const message = errorOf({ ...VALID, SHOPIFY_API_SECRET: undefined });
    expect(message).toContain("SHOPIFY_API_SECRET");
    expect(message).not.toContain(ENCRYPTION_KEY);
    expect(message).not.toContain("ENCRYPTION_KEY");
  });

  it("names an empty SHOPIFY_API_SECRET", () => {
    expect(errorOf({ ...VALID, SHOPIFY_API_SECRET: "" })).toContain("SHOPIFY_API_SECRET");
  });

  it.each([
    ["16 bytes", Buffer.alloc(16, 5).toString("base64")],
    ["33 bytes", Buffer.alloc(33, 5).toString("base64")],
    ["a passphrase", "my-very-secret-passphrase-that-is-not-base64!"],
    ["hex instead of base64", Buffer.alloc(32, 5).toString("hex")],
  ])("names an ENCRYPTION_KEY of %s and never echoes it or the API secret", (_label, key) => {
    const message = errorOf({ ...VALID, ENCRYPTION_KEY: key });
    expect(message).toContain("ENCRYPTION_KEY");
    expect(message).toMatch(/32 bytes/);
    expect(message).not.toContain(key);
    expect(message).not.toContain(API_SECRET);
  });

  it("lists every problem at once, each by name", () => {
    const message = errorOf({ SHOPIFY_APP_URL: "not a url", ENCRYPTION_KEY: "short", WORKER_CONCURRENCY: "0", LOG_LEVEL: "loud" });
    for (const name of ["SHOPIFY_API_KEY", "SHOPIFY_API_SECRET", "SHOPIFY_APP_URL", "ENCRYPTION_KEY", "WORKER_CONCURRENCY", "LOG_LEVEL"]) {
      expect(message).toContain(name);
    }
    expect(message).not.toContain("short");
    expect(message).not.toContain("loud");
  });
});
