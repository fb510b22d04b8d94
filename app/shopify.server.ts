import { config } from "./config.server";
import { appContext } from "./context.server";
import { db } from "./db.server";
import { onShopInstalled } from "./services/shops.server";
import { createShopifyApp } from "./shopify-app.server";

// Canonical module of the Shopify Remix template: the one configured `shopifyApp()`.
const shopify = createShopifyApp(config(), db, {
  afterAuth: async (shop) => {
    await onShopInstalled(appContext(), shop);
  },
});

export default shopify;
export const addDocumentResponseHeaders = shopify.addDocumentResponseHeaders;
export const authenticate = shopify.authenticate;
export const unauthenticated = shopify.unauthenticated;
export const login = shopify.login;
export const registerWebhooks = shopify.registerWebhooks;
export const sessionStorage = shopify.sessionStorage;
