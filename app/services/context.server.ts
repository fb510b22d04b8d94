import type { Database } from "~/db/database.server";
import type { AdminGraphql } from "~/adapters/shopify-admin/client.server";
import type { AppConfig } from "~/config.server";
import type { Clock } from "~/lib/clock";
import type { SecretBox } from "~/lib/crypto.server";
import type { Logger } from "~/lib/logger.server";
import { ProviderThrottle } from "~/lib/provider-throttle.server";

/**
 * What every service and job needs, passed explicitly so that tests can run the real services
 * against their own database, clock and simulators.
 */
export interface ServiceSettings {
  /** Public URL of the app: provider webhooks (UPS Track Alert destinations) point here. */
  appUrl: string;
  /** Signs Shopify's webhooks and app proxy requests. */
  shopifyApiSecret: string;
  /** The app's public client id: Shopify admin opens the embedded app at /apps/<it> (links in staff e-mails). */
  shopifyApiKey: string;
  trackingMoreBaseUrl: string;
  tracktryBaseUrl: string;
  upsBaseUrls: { production: string; cie: string };
  providerTimeoutMs: number;
  rateLimitPauseMs: number;
  webhookMaxSkewSeconds: number;
  /** How long a registration run may hold a batch of shipments before another run may take them. */
  registrationLeaseMs: number;
  /** Customer e-mails (app/adapters/email): `smtpUrl` null means none are sent. */
  email: EmailSettings;
}

export interface EmailSettings {
  smtpUrl: string | null;
  /** From address; the shop's name is the display name. */
  fromAddress: string;
  poolSize: number;
  /** A send that started this long ago without finishing is taken to have crashed and is tried again (the job lease). */
  sendingLeaseMs: number;
}

export interface ServiceContext {
  db: Database;
  clock: Clock;
  log: Logger;
  secrets: SecretBox;
  throttle: ProviderThrottle;
  settings: ServiceSettings;
  /** Admin GraphQL for a shop from its stored offline session (background work). */
  shopifyAdmin(shopDomain: string): Promise<AdminGraphql>;
}

export function settingsFromConfig(config: AppConfig): ServiceSettings {
  return {
    appUrl: config.SHOPIFY_APP_URL,
    shopifyApiSecret: config.SHOPIFY_API_SECRET,
    shopifyApiKey: config.SHOPIFY_API_KEY,
    trackingMoreBaseUrl: config.TRACKINGMORE_API_BASE_URL,
    tracktryBaseUrl: config.TRACKTRY_API_BASE_URL,
    upsBaseUrls: { production: config.UPS_API_BASE_URL, cie: config.UPS_CIE_API_BASE_URL },
    providerTimeoutMs: config.PROVIDER_HTTP_TIMEOUT_MS,
    rateLimitPauseMs: config.PROVIDER_RATE_LIMIT_PAUSE_MS,
    webhookMaxSkewSeconds: config.TRACKINGMORE_WEBHOOK_MAX_SKEW_SECONDS,
    // Long enough for one batch call (and the detect calls before it) to finish or time out, so a
    // crashed run's batch is retried soon, never while a live run may still be sending it.
    registrationLeaseMs: config.PROVIDER_HTTP_TIMEOUT_MS * 2 + 10_000,
    email: {
      smtpUrl: config.SMTP_URL ?? null,
      fromAddress: config.MAIL_FROM ?? `tracking@${new URL(config.SHOPIFY_APP_URL).hostname}`,
      poolSize: config.SMTP_POOL_SIZE,
      sendingLeaseMs: config.JOB_LEASE_MS,
    },
  };
}

export function createServiceContext(parts: Omit<ServiceContext, "throttle"> & { throttle?: ProviderThrottle }): ServiceContext {
  return {
    ...parts,
    throttle: parts.throttle ?? new ProviderThrottle(parts.db, parts.clock, { maxWaitMs: 5_000 }),
  };
}
