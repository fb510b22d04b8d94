import "@shopify/shopify-app-remix/adapters/node";
import { ApiVersion, AppDistribution, LogSeverity, shopifyApp } from "@shopify/shopify-app-remix/server";
import { PrismaSessionStorage } from "@shopify/shopify-app-session-storage-prisma";
import { routeAdminApiTo } from "./adapters/shopify-admin/admin-api-origin.server";
import type { AppConfig } from "./config.server";
import type { Database } from "./db/database.server";

/**
 * The Admin API version is pinned: the FulfillmentEventStatus enum our status write-back uses
 * depends on it (carrier-and-shopify-apis.md §E.2).
 */
export const ADMIN_API_VERSION = ApiVersion.October26;

export function createShopifyApp(appConfig: AppConfig, db: Database, hooks: { afterAuth?: (shop: string) => Promise<void> } = {}) {
  if (appConfig.SHOPIFY_ADMIN_API_ORIGIN) routeAdminApiTo(appConfig.SHOPIFY_ADMIN_API_ORIGIN);
  return shopifyApp({
    apiKey: appConfig.SHOPIFY_API_KEY,
    apiSecretKey: appConfig.SHOPIFY_API_SECRET,
    apiVersion: ADMIN_API_VERSION,
    scopes: appConfig.SCOPES.split(",").map((scope) => scope.trim()),
    appUrl: appConfig.SHOPIFY_APP_URL,
    authPathPrefix: "/auth",
    sessionStorage: new PrismaSessionStorage(db.prisma as never),
    distribution: AppDistribution.AppStore,
    // The library's own informational logs (e.g. its version at start-up) would only add noise to ours.
    logger: { level: appConfig.LOG_LEVEL === "debug" || appConfig.LOG_LEVEL === "trace" ? LogSeverity.Debug : LogSeverity.Warning },
    future: { unstable_newEmbeddedAuthStrategy: true, expiringOfflineAccessTokens: true },
    hooks: {
      afterAuth: async ({ session }) => {
        await hooks.afterAuth?.(session.shop);
      },
    },
  });
}
