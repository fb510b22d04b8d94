import { createHmac, randomUUID } from "node:crypto";
import type { Database } from "~/db/database.server";
import { loadConfig } from "~/config.server";
import type { Clock } from "~/lib/clock";
import { systemClock } from "~/lib/clock";
import { SecretBox } from "~/lib/crypto.server";
import { createLogger } from "~/lib/logger.server";
import { ProviderThrottle } from "~/lib/provider-throttle.server";
import { createServiceContext, settingsFromConfig, type ServiceContext, type ServiceSettings } from "~/services/context.server";
import { createShopifyApp } from "~/shopify-app.server";
import type { AdminGraphql } from "~/adapters/shopify-admin/client.server";

export const TEST_API_SECRET = "tracklight-test-api-secret";

export interface TestServicesOptions {
  clock?: Clock;
  trackingMoreBaseUrl?: string;
  tracktryBaseUrl?: string;
  /** The UPS simulator, used for both UPS environments. */
  upsBaseUrl?: string;
  /** Loopback Shopify simulator; background work reaches it through the real `unauthenticated.admin`. */
  shopifyAdminOrigin?: string;
  settings?: Partial<ServiceSettings>;
  throttleMaxWaitMs?: number;
}

/** The real service context over a test database: real clients, real Shopify library, only the endpoints differ. */
export function createTestServices(db: Database, options: TestServicesOptions = {}): ServiceContext {
  const clock = options.clock ?? systemClock;
  const config = loadConfig({
    ...process.env,
    DATABASE_URL: db.url,
    ...(options.shopifyAdminOrigin ? { SHOPIFY_ADMIN_API_ORIGIN: options.shopifyAdminOrigin } : {}),
  });
  let shopifyAdmin: (shop: string) => Promise<AdminGraphql> = async () => {
    throw new Error("this test did not start the Shopify simulator");
  };
  if (options.shopifyAdminOrigin) {
    const shopify = createShopifyApp(config, db);
    shopifyAdmin = async (shop) => (await shopify.unauthenticated.admin(shop)).admin.graphql;
  }
  return createServiceContext({
    db,
    clock,
    log: createLogger("silent"),
    secrets: new SecretBox(config.ENCRYPTION_KEY),
    throttle: new ProviderThrottle(db, clock, { maxWaitMs: options.throttleMaxWaitMs ?? 5_000 }),
    settings: {
      ...settingsFromConfig(config),
      trackingMoreBaseUrl: options.trackingMoreBaseUrl ?? "http://127.0.0.1:9",
      tracktryBaseUrl: options.tracktryBaseUrl ?? "http://127.0.0.1:9",
      upsBaseUrls: { production: options.upsBaseUrl ?? "http://127.0.0.1:9", cie: options.upsBaseUrl ?? "http://127.0.0.1:9" },
      providerTimeoutMs: 5_000,
      ...options.settings,
    },
    shopifyAdmin,
  });
}

/** What Shopify stores after an install: the offline session background work uses. */
export async function storeOfflineSession(db: Database, shop: string, accessToken: string): Promise<void> {
  await db.prisma.session.upsert({
    where: { id: `offline_${shop}` },
    create: { id: `offline_${shop}`, shop, state: "", isOnline: false, accessToken, scope: "read_orders,read_fulfillments,write_fulfillments" },
    update: { accessToken },
  });
}

/** A webhook request exactly as Shopify signs it (base64 HMAC-SHA256 of the raw body with the app secret). */
export function shopifyWebhookRequest(input: {
  url?: string;
  topic: string;
  shop: string;
  payload: unknown;
  webhookId?: string;
  secret?: string;
  hmac?: string;
  omitHeaders?: string[];
}): Request {
  const body = JSON.stringify(input.payload);
  const hmac = input.hmac ?? createHmac("sha256", input.secret ?? TEST_API_SECRET).update(body).digest("base64");
  const headers: Record<string, string> = {
    "Content-Type": "application/json",
    "X-Shopify-Hmac-Sha256": hmac,
    "X-Shopify-Topic": input.topic,
    "X-Shopify-Shop-Domain": input.shop,
    "X-Shopify-API-Version": "2026-10",
    "X-Shopify-Webhook-Id": input.webhookId ?? randomUUID(),
    "X-Shopify-Triggered-At": new Date().toISOString(),
    "X-Shopify-Event-Id": randomUUID(),
  };
  for (const name of input.omitHeaders ?? []) delete headers[name];
  return new Request(input.url ?? `https://tracklight.test/webhooks/${input.topic}`, { method: "POST", headers, body });
}
