import { z } from "zod";
import { parseRouting } from "~/domain/routing";
import { PROVIDER_IDS, type ProviderId } from "~/domain/tracking-observation";
import type { ServiceContext } from "./context.server";
import { disconnectProvider } from "./provider-accounts.server";
import { connectionProblemMessage, problemForBlockReason, trackingMoreWebhookUrl, type FieldErrors } from "./provider-connection.server";
import { routingRulesSchema, updateRoutingRules } from "./provider-routing.server";
import { requestBackfill } from "./shops.server";

/**
 * The settings page's use cases: what the merchant sees (never a credential: at most the last
 * four characters of a key), saving the general settings and routing with errors in the
 * merchant's words, and starting a backfill. Every function finds the shop by the domain of
 * the authenticated session, so one shop can never read or change another's settings.
 */

/** English texts, kept together so a string catalogue can take them over. */
export const SETTINGS_MESSAGES = {
  pollIntervalMinutes: "Enter a number of minutes between 30 and 1440 (24 hours).",
  stuckAfterDays: "Enter a number of days between 1 and 60.",
  pendingTooLongDays: "Enter a number of days between 1 and 60.",
  backfillDays: "Enter a number of days between 1 and 60. Shopify lets apps read the last 60 days of orders.",
  defaultProviderNotConnected: "Connect this provider before you make it the default.",
  routeProviderNotConnected: "Connect UPS before you send UPS numbers to it.",
  routeNotSupported: "UPS Track Alert only tracks UPS numbers.",
  backfillRunning: "An import is already running. Wait for it to finish before you start another one.",
} as const;

export const GENERAL_LIMITS = {
  pollIntervalMinutes: { min: 30, max: 1440 },
  stuckAfterDays: { min: 1, max: 60 },
  pendingTooLongDays: { min: 1, max: 60 },
  backfillDays: { min: 1, max: 60 },
} as const;

type GeneralField = keyof typeof GENERAL_LIMITS;

/** A whole number in range from a form field (string) or JSON (number); one merchant-readable message for every way it can be wrong. */
function wholeNumber(field: GeneralField) {
  const { min, max } = GENERAL_LIMITS[field];
  const message = SETTINGS_MESSAGES[field];
  return z.preprocess(
    (value) => (typeof value === "string" ? value.trim() : value),
    z.union([z.string().regex(/^\d{1,6}$/, message).transform(Number), z.number({ error: message })], { error: message }).pipe(
      z.number().int(message).min(min, message).max(max, message),
    ),
  );
}

export const generalSettingsSchema = z.object({
  pollIntervalMinutes: wholeNumber("pollIntervalMinutes"),
  stuckAfterDays: wholeNumber("stuckAfterDays"),
  pendingTooLongDays: wholeNumber("pendingTooLongDays"),
  backfillDays: wholeNumber("backfillDays"),
});
export type GeneralSettings = z.output<typeof generalSettingsSchema>;

export interface ProviderAccountView {
  provider: ProviderId;
  /** TrackingMore: "v4" | "v2". */
  apiVersion: string | null;
  /** UPS: "production" | "cie". */
  environment: string | null;
  /** "••••abcd": enough to recognise which key is saved, never enough to use it. */
  keyHint: string | null;
  /** Which write-only secrets are stored (their values never leave the server). */
  secretsSaved: { webhookSecret?: boolean; accountEmail?: boolean; clientSecret?: boolean };
  blocked: { reason: string; message: string; advice: string; since: string | null } | null;
  lastSuccessAt: string | null;
  ignoredEvents: number;
}

export interface BackfillView {
  id: string;
  state: string;
  active: boolean;
  sinceDate: string;
  ordersProcessed: number;
  trackingNumbersFound: number;
  /** 0–100 once Shopify has said how big the export is; null before. */
  percent: number | null;
  error: string | null;
  startedAt: string | null;
  finishedAt: string | null;
}

export interface SettingsView {
  shopDomain: string;
  providers: ProviderAccountView[];
  routing: { defaultProvider: ProviderId; carrierProviders: Record<string, ProviderId> };
  general: GeneralSettings;
  trackingMoreWebhookUrl: string;
  backfill: BackfillView | null;
}

const ACTIVE_BACKFILL_STATES = new Set(["queued", "waiting_for_shopify", "downloading"]);

export function maskHint(secret: string | null | undefined): string | null {
  if (!secret) return null;
  return `••••${secret.slice(-4)}`;
}

async function findShop(ctx: ServiceContext, shopDomain: string) {
  return ctx.db.prisma.shop.findUniqueOrThrow({ where: { domain: shopDomain } });
}

/** Everything the settings page shows. Credentials are opened only to derive the hint and dropped here. */
export async function readSettings(ctx: ServiceContext, shopDomain: string): Promise<SettingsView> {
  const shop = await ctx.db.prisma.shop.findUniqueOrThrow({
    where: { domain: shopDomain },
    include: { providerAccounts: { orderBy: { createdAt: "asc" } }, backfillRuns: { orderBy: { createdAt: "desc" }, take: 1 } },
  });
  const providers = shop.providerAccounts.map((row): ProviderAccountView => {
    const opened = openCredentials(ctx, row.credentialsEncrypted);
    const provider = row.provider as ProviderId;
    const problem = problemForBlockReason(row.blockedReason);
    return {
      provider,
      apiVersion: row.apiVersion,
      environment: row.environment,
      keyHint: maskHint(provider === "ups" ? opened.clientId : opened.apiKey),
      secretsSaved:
        provider === "ups"
          ? { clientSecret: Boolean(opened.clientSecret) }
          : provider === "trackingmore"
            ? { webhookSecret: Boolean(opened.webhookSecret), accountEmail: Boolean(opened.accountEmail) }
            : {},
      blocked:
        row.blockedReason && problem
          ? { reason: row.blockedReason, message: row.blockedMessage ?? "", advice: connectionProblemMessage(provider, problem), since: row.blockedAt?.toISOString() ?? null }
          : null,
      lastSuccessAt: row.lastSuccessAt?.toISOString() ?? null,
      ignoredEvents: row.ignoredEvents,
    };
  });
  const routing = parseRouting(shop.trackingProvider, shop.carrierProviders, PROVIDER_IDS);
  const run = shop.backfillRuns[0];
  return {
    shopDomain: shop.domain,
    providers,
    routing: { defaultProvider: routing.defaultProvider, carrierProviders: { ...routing.byCarrier } },
    general: {
      pollIntervalMinutes: shop.pollIntervalMinutes,
      stuckAfterDays: shop.stuckAfterDays,
      pendingTooLongDays: shop.pendingTooLongDays,
      backfillDays: shop.backfillDays,
    },
    trackingMoreWebhookUrl: trackingMoreWebhookUrl(ctx, shop.webhookToken),
    backfill: run ? backfillView(run) : null,
  };
}

/** Only strings are kept, and only the fields a hint is derived from; a credential object never leaves this function. */
function openCredentials(ctx: ServiceContext, sealed: string): Record<string, string | undefined> {
  const opened = ctx.secrets.openJson(sealed);
  if (!opened || typeof opened !== "object") return {};
  const pick = (key: string) => {
    const value = (opened as Record<string, unknown>)[key];
    return typeof value === "string" && value ? value : undefined;
  };
  return { apiKey: pick("apiKey"), clientId: pick("clientId"), clientSecret: pick("clientSecret"), webhookSecret: pick("webhookSecret"), accountEmail: pick("accountEmail") };
}

function backfillView(run: {
  id: string;
  state: string;
  sinceDate: Date;
  ordersProcessed: number;
  trackingNumbersFound: number;
  bytesRead: number;
  totalBytes: number | null;
  linesProcessed: number;
  totalObjects: number | null;
  error: string | null;
  startedAt: Date | null;
  finishedAt: Date | null;
}): BackfillView {
  let percent: number | null = null;
  if (run.state === "completed") percent = 100;
  else if (run.totalBytes) percent = Math.min(99, Math.floor((run.bytesRead / run.totalBytes) * 100));
  return {
    id: run.id,
    state: run.state,
    active: ACTIVE_BACKFILL_STATES.has(run.state),
    sinceDate: run.sinceDate.toISOString(),
    ordersProcessed: run.ordersProcessed,
    trackingNumbersFound: run.trackingNumbersFound,
    percent,
    error: run.error,
    startedAt: run.startedAt?.toISOString() ?? null,
    finishedAt: run.finishedAt?.toISOString() ?? null,
  };
}

export type SaveResult<T> = { ok: true; value: T } | { ok: false; fieldErrors: FieldErrors };

export function fieldErrorsOf(error: z.ZodError): FieldErrors {
  const errors: FieldErrors = {};
  for (const issue of error.issues) {
    const key = issue.path.map(String).join(".") || "form";
    errors[key] ??= issue.message;
  }
  return errors;
}

/** Poll interval, "stuck" and "pending too long" days, backfill window. */
export async function saveGeneralSettings(ctx: ServiceContext, shopDomain: string, input: unknown): Promise<SaveResult<GeneralSettings>> {
  const parsed = generalSettingsSchema.safeParse(input);
  if (!parsed.success) return { ok: false, fieldErrors: fieldErrorsOf(parsed.error) };
  await ctx.db.prisma.shop.update({ where: { domain: shopDomain }, data: parsed.data });
  return { ok: true, value: parsed.data };
}

export const routingFormSchema = z.object({
  defaultProvider: z.enum(PROVIDER_IDS),
  carrierProviders: z.record(z.string(), z.enum(PROVIDER_IDS)).default({}),
});

/**
 * Default provider and carrier → provider rules. Only connected providers may be chosen (a rule
 * to a provider that is not connected would silently fall back to the default).
 */
export async function saveRouting(
  ctx: ServiceContext,
  shopDomain: string,
  input: unknown,
): Promise<SaveResult<{ defaultProvider: ProviderId; carrierProviders: Record<string, ProviderId> }>> {
  const shop = await ctx.db.prisma.shop.findUniqueOrThrow({ where: { domain: shopDomain }, include: { providerAccounts: { select: { provider: true } } } });
  const parsed = routingFormSchema.safeParse(input);
  if (!parsed.success) return { ok: false, fieldErrors: fieldErrorsOf(parsed.error) };
  const connected = new Set(shop.providerAccounts.map((account) => account.provider));
  const errors: FieldErrors = {};
  if (!connected.has(parsed.data.defaultProvider)) errors.defaultProvider = SETTINGS_MESSAGES.defaultProviderNotConnected;
  for (const [carrier, provider] of Object.entries(parsed.data.carrierProviders)) {
    if (!connected.has(provider)) errors[`carrierProviders.${carrier}`] = SETTINGS_MESSAGES.routeProviderNotConnected;
  }
  const rules = routingRulesSchema.safeParse(parsed.data);
  if (!rules.success) {
    for (const issue of rules.error.issues) {
      const key = issue.path.map(String).join(".");
      errors[key] ??= issue.message === "UPS Track Alert only tracks UPS numbers" ? SETTINGS_MESSAGES.routeNotSupported : issue.message;
    }
  }
  if (Object.keys(errors).length > 0) return { ok: false, fieldErrors: errors };
  const saved = await updateRoutingRules(ctx, shop.id, rules.data);
  return { ok: true, value: saved };
}

/**
 * The page's routing form: the default provider and whether UPS numbers go to UPS Track Alert.
 * Routes for other carriers (set elsewhere) are kept as they are.
 */
export async function saveRoutingChoices(
  ctx: ServiceContext,
  shopDomain: string,
  input: { defaultProvider: unknown; upsToUps: boolean },
): Promise<SaveResult<{ defaultProvider: ProviderId; carrierProviders: Record<string, ProviderId> }>> {
  const shop = await ctx.db.prisma.shop.findUniqueOrThrow({ where: { domain: shopDomain }, select: { trackingProvider: true, carrierProviders: true } });
  const current = parseRouting(shop.trackingProvider, shop.carrierProviders, PROVIDER_IDS).byCarrier;
  const carrierProviders: Record<string, ProviderId> = Object.fromEntries(Object.entries(current).filter(([carrier]) => carrier !== "ups"));
  if (input.upsToUps) carrierProviders.ups = "ups";
  return saveRouting(ctx, shopDomain, { defaultProvider: input.defaultProvider, carrierProviders });
}

/** Disconnect a provider of the session's shop; its open shipments move to what remains. */
export async function removeProvider(ctx: ServiceContext, shopDomain: string, provider: ProviderId): Promise<void> {
  const shop = await findShop(ctx, shopDomain);
  await disconnectProvider(ctx, shop.id, provider);
}

export type StartBackfillResult = { started: true; runId: string; backfillDays: number } | { started: false; fieldErrors: FieldErrors };

/**
 * Re-import the last N days of orders. The window typed next to the button is validated and
 * saved first, so the merchant gets what the page shows. One run at a time.
 */
export async function startBackfill(ctx: ServiceContext, shopDomain: string, input: unknown): Promise<StartBackfillResult> {
  const parsed = generalSettingsSchema.pick({ backfillDays: true }).safeParse(input);
  if (!parsed.success) return { started: false, fieldErrors: fieldErrorsOf(parsed.error) };
  const shop = await ctx.db.prisma.shop.update({ where: { domain: shopDomain }, data: { backfillDays: parsed.data.backfillDays } });
  const runId = await requestBackfill(ctx, shop.id, parsed.data.backfillDays);
  if (!runId) return { started: false, fieldErrors: { backfill: SETTINGS_MESSAGES.backfillRunning } };
  return { started: true, runId, backfillDays: parsed.data.backfillDays };
}
