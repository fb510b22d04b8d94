import { z } from "zod";

/**
 * Every setting the app reads from the environment, validated once. Secrets live only here and
 * in encrypted columns; nothing else reads process.env.
 */

const base64Key = z
  .string()
  .refine((value) => Buffer.from(value, "base64").length === 32, "must be 32 bytes, base64-encoded (openssl rand -base64 32)");

const configSchema = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  DATABASE_URL: z.string().default("file:./prisma/dev.db"),
  SHOPIFY_API_KEY: z.string().min(1),
  SHOPIFY_API_SECRET: z.string().min(1),
  SHOPIFY_APP_URL: z.url(),
  SCOPES: z.string().default("read_orders,read_fulfillments,write_fulfillments"),
  /** Loopback origin of the Shopify simulator; unset in production. */
  SHOPIFY_ADMIN_API_ORIGIN: z.url().optional(),
  /** Encrypts provider credentials at rest. */
  ENCRYPTION_KEY: base64Key,
  /** Comma-separated older keys, still accepted for decryption while rotating. */
  ENCRYPTION_KEYS_PREVIOUS: z
    .string()
    .optional()
    .transform((value) => (value ? value.split(",").map((key) => key.trim()).filter(Boolean) : [])),
  TRACKINGMORE_API_BASE_URL: z.url().default("https://api.trackingmore.com"),
  TRACKTRY_API_BASE_URL: z.url().default("https://api.tracktry.com"),
  UPS_API_BASE_URL: z.url().default("https://onlinetools.ups.com"),
  /** UPS's Customer Integration Environment, for shops that choose "test" in settings. */
  UPS_CIE_API_BASE_URL: z.url().default("https://wwwcie.ups.com"),
  /** How far a TrackingMore v4 webhook `timestamp` may be from our clock before it is refused as a replay. */
  TRACKINGMORE_WEBHOOK_MAX_SKEW_SECONDS: z.coerce.number().int().positive().default(600),
  /** TrackingMore documents a 120 s pause after a 429. */
  PROVIDER_RATE_LIMIT_PAUSE_MS: z.coerce.number().int().positive().default(120_000),
  PROVIDER_HTTP_TIMEOUT_MS: z.coerce.number().int().positive().default(15_000),
  WORKER_CONCURRENCY: z.coerce.number().int().positive().default(4),
  JOB_LEASE_MS: z.coerce.number().int().positive().default(60_000),
  /** Storefront tracking lookups (app proxy): fixed windows shared by every web process (ADR 15). */
  STOREFRONT_LOOKUP_WINDOW_SECONDS: z.coerce.number().int().positive().default(600),
  /** Units per customer (forwarded IP, else logged-in customer) and window; a lookup costs 1, one that finds nothing costs STOREFRONT_FAILED_LOOKUP_COST. */
  STOREFRONT_LOOKUPS_PER_CLIENT: z.coerce.number().int().positive().default(30),
  /** Units per shop and window over all its customers. */
  STOREFRONT_LOOKUPS_PER_SHOP: z.coerce.number().int().positive().default(3000),
  STOREFRONT_FAILED_LOOKUP_COST: z.coerce.number().int().positive().default(5),
  /** Proxies of our own in front of the web process that append to X-Forwarded-For: the customer address Shopify forwarded is that many entries from the right. */
  STOREFRONT_TRUSTED_PROXY_HOPS: z.coerce.number().int().min(0).default(0),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  /** Customer e-mails go out through this server, e.g. smtp://user:pass@host:587 (smtps:// for implicit TLS). Unset: none are sent. */
  SMTP_URL: z.url().refine((value) => /^smtps?:\/\//.test(value), "must start with smtp:// or smtps://").optional(),
  /** The envelope and From address of customer e-mails (the shop's name is shown as the sender). */
  MAIL_FROM: z.email().optional(),
  /** Connections kept open to the SMTP server by each worker. */
  SMTP_POOL_SIZE: z.coerce.number().int().positive().max(50).default(5),
});

export type AppConfig = z.infer<typeof configSchema>;

export function loadConfig(env: Record<string, string | undefined> = process.env): AppConfig {
  const parsed = configSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `  ${issue.path.join(".")}: ${issue.message}`).join("\n");
    throw new Error(`Invalid environment:\n${problems}`);
  }
  return parsed.data;
}

let cached: AppConfig | undefined;

export function config(): AppConfig {
  cached ??= loadConfig();
  return cached;
}
