import { shopifyErrorFrom } from "./adapters/shopify-admin/client.server";
import { config } from "./config.server";
import { db } from "./db.server";
import { systemClock } from "./lib/clock";
import { SecretBox } from "./lib/crypto.server";
import { logger } from "./lib/logger.server";
import { createServiceContext, settingsFromConfig, type ServiceContext } from "./services/context.server";

let context: ServiceContext | undefined;

/** The services' context for this process (web or worker). */
export function appContext(): ServiceContext {
  const appConfig = config();
  context ??= createServiceContext({
    db,
    clock: systemClock,
    log: logger(),
    secrets: new SecretBox(appConfig.ENCRYPTION_KEY, appConfig.ENCRYPTION_KEYS_PREVIOUS),
    settings: settingsFromConfig(appConfig),
    // Imported lazily: shopify.server needs this context for its afterAuth hook.
    // A shop with no offline session (never installed, or uninstalled) becomes a typed, terminal
    // AuthenticationError here, so jobs stop instead of retrying until their attempts run out.
    shopifyAdmin: async (shop) => {
      const { unauthenticated } = await import("./shopify.server");
      try {
        return (await unauthenticated.admin(shop)).admin.graphql;
      } catch (error) {
        throw shopifyErrorFrom(error);
      }
    },
  });
  return context;
}
