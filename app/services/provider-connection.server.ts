import { z } from "zod";
import { TrackingMoreV4Provider } from "~/adapters/trackingmore/client-v4.server";
import { TRACKINGMORE_V2_PROFILE, V2FamilyProvider } from "~/adapters/trackingmore/v2-family-client.server";
import { TRACKTRY_PROFILE } from "~/adapters/tracktry/profile";
import { UpsTokenSource } from "~/adapters/ups/oauth.server";
import {
  AuthenticationError,
  QuotaExhaustedError,
  RateLimitedError,
  ServiceUnavailableError,
  isExternalServiceError,
} from "~/domain/errors";
import type { ProviderId } from "~/domain/tracking-observation";
import type { ServiceContext } from "./context.server";
import {
  accountFingerprint,
  connectProvider,
  loadProviderAccount,
  type ConnectProviderInput,
  type ProviderAccountWithCredentials,
} from "./provider-accounts.server";

/**
 * The merchant's side of a provider connection: checking credentials with one real call, saving
 * them (write-only: a blank field keeps what is stored), and the words shown when the provider
 * refuses. Every function takes the shop's domain from the authenticated session, never an id
 * from the browser, so a shop can only ever reach its own account.
 */

export const PROVIDER_LABELS: Record<ProviderId, string> = {
  trackingmore: "TrackingMore",
  tracktry: "Tracktry",
  ups: "UPS",
};

/** Problems a merchant can act on, plus the ones they can only wait out. */
export type ConnectionProblem = "bad_credentials" | "quota_exhausted" | "rate_limited" | "unreachable" | "unexpected";

/** English texts, kept together so a string catalogue can take them over. `{provider}` is replaced. */
export const CONNECTION_MESSAGES = {
  ok: "{provider} accepted these credentials.",
  problems: {
    bad_credentials: "{provider} refused these credentials. Copy them again from your {provider} account and save them here.",
    bad_credentials_ups: "UPS refused this client ID and secret. Copy both again from your app on developer.ups.com (it needs the Tracking and Track Alert products) and save them here.",
    quota_exhausted: "Your {provider} account has no tracking quota left. Top up or upgrade your plan with {provider}, then save your settings here again; tracking resumes by itself.",
    rate_limited: "{provider} asked us to slow down. Wait a few minutes and try again; tracking resumes by itself.",
    unreachable: "We could not reach {provider}. Check its status page and try again in a few minutes.",
    unexpected: "{provider} gave an answer we did not expect. Try again in a few minutes; if it keeps happening, contact support.",
  },
  fields: {
    apiKeyMissing: "Enter your {provider} API key.",
    apiKeyShort: "This API key looks too short. Copy the whole key from your {provider} account.",
    webhookSecretShort: "Enter the webhook secret shown in your TrackingMore webhook settings, or leave it blank.",
    accountEmailInvalid: "Enter the e-mail address of your TrackingMore account, like name@example.com.",
    clientIdMissing: "Enter the client ID of your UPS app.",
    clientIdShort: "This client ID looks too short. Copy it from your app on developer.ups.com.",
    clientSecretMissing: "Enter the client secret of your UPS app.",
    clientSecretShort: "This client secret looks too short. Copy it from your app on developer.ups.com.",
  },
  savedUnverified: "Saved, but we could not check the credentials: {problem}",
} as const;

export function fillProvider(text: string, provider: ProviderId): string {
  return text.replaceAll("{provider}", PROVIDER_LABELS[provider]);
}

/** What to tell the merchant for a provider problem. */
export function connectionProblemMessage(provider: ProviderId, problem: ConnectionProblem): string {
  if (problem === "bad_credentials" && provider === "ups") return CONNECTION_MESSAGES.problems.bad_credentials_ups;
  return fillProvider(CONNECTION_MESSAGES.problems[problem], provider);
}

/** The account's stored block reason (see `blockProviderAccount`) as a problem the merchant can act on. */
export function problemForBlockReason(reason: string | null): ConnectionProblem | null {
  if (reason === "auth_failed") return "bad_credentials";
  if (reason === "quota_exhausted") return "quota_exhausted";
  return reason ? "unexpected" : null;
}

export function problemFor(error: unknown): ConnectionProblem {
  if (error instanceof AuthenticationError) return "bad_credentials";
  if (error instanceof QuotaExhaustedError) return "quota_exhausted";
  if (error instanceof RateLimitedError) return "rate_limited";
  if (error instanceof ServiceUnavailableError) return "unreachable";
  return "unexpected";
}

/** Blank (or absent) form fields mean "keep what is stored". */
const blankToUndefined = (value: unknown) => (typeof value === "string" && value.trim() === "" ? undefined : value);
const optionalText = z.preprocess(blankToUndefined, z.string().trim().optional());

/** What the settings form sends for a provider: secrets may be blank when one is stored. */
export const providerConnectionInputSchema = z.discriminatedUnion("provider", [
  z.object({
    provider: z.literal("trackingmore"),
    apiVersion: z.enum(["v4", "v2"]).default("v4"),
    apiKey: optionalText,
    webhookSecret: optionalText,
    accountEmail: optionalText,
  }),
  z.object({ provider: z.literal("tracktry"), apiKey: optionalText }),
  z.object({
    provider: z.literal("ups"),
    environment: z.enum(["production", "cie"]).default("production"),
    clientId: optionalText,
    clientSecret: optionalText,
  }),
]);
export type ProviderConnectionInput = z.input<typeof providerConnectionInputSchema>;

export type FieldErrors = Record<string, string>;

type Resolved = { ok: true; connect: ConnectProviderInput } | { ok: false; fieldErrors: FieldErrors };

/** Merge typed fields over the stored credentials and check them in a merchant's words. */
function resolveCredentials(input: z.output<typeof providerConnectionInputSchema>, stored: ProviderAccountWithCredentials | null): Resolved {
  const errors: FieldErrors = {};
  const label = (text: string) => fillProvider(text, input.provider);
  switch (input.provider) {
    case "trackingmore":
    case "tracktry": {
      const previous = stored?.provider === input.provider ? stored.credentials : null;
      const apiKey = input.apiKey ?? previous?.apiKey;
      if (!apiKey) errors.apiKey = label(CONNECTION_MESSAGES.fields.apiKeyMissing);
      else if (apiKey.length < 8) errors.apiKey = label(CONNECTION_MESSAGES.fields.apiKeyShort);
      if (input.provider === "tracktry") {
        if (Object.keys(errors).length > 0) return { ok: false, fieldErrors: errors };
        return { ok: true, connect: { provider: "tracktry", credentials: { apiKey: apiKey! } } };
      }
      const previousTm = stored?.provider === "trackingmore" ? stored.credentials : null;
      const webhookSecret = input.webhookSecret ?? previousTm?.webhookSecret ?? null;
      const accountEmail = input.accountEmail ?? previousTm?.accountEmail ?? null;
      if (accountEmail && !z.email().safeParse(accountEmail).success) errors.accountEmail = CONNECTION_MESSAGES.fields.accountEmailInvalid;
      if (Object.keys(errors).length > 0) return { ok: false, fieldErrors: errors };
      return { ok: true, connect: { provider: "trackingmore", apiVersion: input.apiVersion, credentials: { apiKey: apiKey!, webhookSecret, accountEmail } } };
    }
    case "ups": {
      const previous = stored?.provider === "ups" ? stored.credentials : null;
      const clientId = input.clientId ?? previous?.clientId;
      const clientSecret = input.clientSecret ?? previous?.clientSecret;
      if (!clientId) errors.clientId = CONNECTION_MESSAGES.fields.clientIdMissing;
      else if (clientId.length < 8) errors.clientId = CONNECTION_MESSAGES.fields.clientIdShort;
      if (!clientSecret) errors.clientSecret = CONNECTION_MESSAGES.fields.clientSecretMissing;
      else if (clientSecret.length < 8) errors.clientSecret = CONNECTION_MESSAGES.fields.clientSecretShort;
      if (Object.keys(errors).length > 0) return { ok: false, fieldErrors: errors };
      return { ok: true, connect: { provider: "ups", environment: input.environment, credentials: { clientId: clientId!, clientSecret: clientSecret! } } };
    }
  }
}

async function shopIdFor(ctx: ServiceContext, shopDomain: string): Promise<string> {
  const shop = await ctx.db.prisma.shop.findUniqueOrThrow({ where: { domain: shopDomain }, select: { id: true } });
  return shop.id;
}

/** The one real call: a courier list for the TrackingMore family, a token for UPS. */
async function probe(ctx: ServiceContext, connect: ConnectProviderInput): Promise<void> {
  const common = { throttle: ctx.throttle, clock: ctx.clock, timeoutMs: ctx.settings.providerTimeoutMs, rateLimitPauseMs: ctx.settings.rateLimitPauseMs };
  switch (connect.provider) {
    case "trackingmore": {
      const options = {
        ...common,
        baseUrl: ctx.settings.trackingMoreBaseUrl,
        apiKey: connect.credentials.apiKey,
        accountKey: `trackingmore:${accountFingerprint("trackingmore", connect.credentials.apiKey)}`,
      };
      if (connect.apiVersion === "v2") await new V2FamilyProvider(TRACKINGMORE_V2_PROFILE, options).checkAccess();
      else await new TrackingMoreV4Provider(options).checkAccess();
      return;
    }
    case "tracktry":
      await new V2FamilyProvider(TRACKTRY_PROFILE, {
        ...common,
        baseUrl: ctx.settings.tracktryBaseUrl,
        apiKey: connect.credentials.apiKey,
        accountKey: `tracktry:${accountFingerprint("tracktry", connect.credentials.apiKey)}`,
      }).checkAccess();
      return;
    case "ups": {
      const environment = connect.environment ?? "production";
      // A fresh source, not the shared cache: a cached token would answer without asking UPS.
      await new UpsTokenSource({
        baseUrl: environment === "cie" ? ctx.settings.upsBaseUrls.cie : ctx.settings.upsBaseUrls.production,
        clientId: connect.credentials.clientId,
        clientSecret: connect.credentials.clientSecret,
        clock: ctx.clock,
        timeoutMs: ctx.settings.providerTimeoutMs,
      }).token();
      return;
    }
  }
}

export type ConnectionTestResult =
  | { ok: true; provider: ProviderId; message: string }
  | { ok: false; provider: ProviderId; problem: ConnectionProblem; message: string; fieldErrors?: undefined }
  | { ok: false; provider: ProviderId; problem: "invalid_input"; message: string; fieldErrors: FieldErrors };

async function check(ctx: ServiceContext, connect: ConnectProviderInput): Promise<ConnectionTestResult> {
  try {
    await probe(ctx, connect);
    return { ok: true, provider: connect.provider, message: fillProvider(CONNECTION_MESSAGES.ok, connect.provider) };
  } catch (error) {
    if (!isExternalServiceError(error)) throw error;
    const problem = problemFor(error);
    ctx.log.info({ provider: connect.provider, problem, code: error.code, status: error.status }, "provider connection test failed");
    return { ok: false, provider: connect.provider, problem, message: connectionProblemMessage(connect.provider, problem) };
  }
}

/**
 * Make ONE real call to the provider with the credentials in the form (blank fields: the stored
 * ones) and say whether they work, in words the merchant can act on. Nothing is saved.
 */
export async function testProviderConnection(ctx: ServiceContext, shopDomain: string, input: unknown): Promise<ConnectionTestResult> {
  const parsed = providerConnectionInputSchema.parse(input);
  const shopId = await shopIdFor(ctx, shopDomain);
  const stored = await loadProviderAccount(ctx, shopId, parsed.provider);
  const resolved = resolveCredentials(parsed, stored);
  if (!resolved.ok) return { ok: false, provider: parsed.provider, problem: "invalid_input", message: Object.values(resolved.fieldErrors)[0]!, fieldErrors: resolved.fieldErrors };
  return check(ctx, resolved.connect);
}

export type SaveProviderResult =
  | { saved: true; provider: ProviderId; message: string; warning: string | null }
  | { saved: false; provider: ProviderId; message: string; fieldErrors: FieldErrors };

/**
 * Save a provider's credentials (blank fields keep the stored secrets) through `connectProvider`.
 * They are checked with one real call first: credentials the provider refuses are not saved, so
 * a typo never pauses tracking. When the provider cannot answer (busy, unreachable, no quota),
 * they are saved with a warning: the key may well be right.
 */
export async function saveProviderConnection(ctx: ServiceContext, shopDomain: string, input: unknown): Promise<SaveProviderResult> {
  const parsed = providerConnectionInputSchema.parse(input);
  const shopId = await shopIdFor(ctx, shopDomain);
  const stored = await loadProviderAccount(ctx, shopId, parsed.provider);
  const resolved = resolveCredentials(parsed, stored);
  if (!resolved.ok) return { saved: false, provider: parsed.provider, message: Object.values(resolved.fieldErrors)[0]!, fieldErrors: resolved.fieldErrors };
  const result = await check(ctx, resolved.connect);
  if (!result.ok && result.problem === "bad_credentials") {
    const field = parsed.provider === "ups" ? "clientSecret" : "apiKey";
    return { saved: false, provider: parsed.provider, message: result.message, fieldErrors: { [field]: result.message } };
  }
  await connectProvider(ctx, shopId, resolved.connect);
  return {
    saved: true,
    provider: parsed.provider,
    message: `${PROVIDER_LABELS[parsed.provider]} saved.`,
    warning: result.ok ? null : CONNECTION_MESSAGES.savedUnverified.replace("{problem}", result.message),
  };
}

/** Where the merchant points TrackingMore's webhooks: the token names the shop, the signature authenticates. */
export function trackingMoreWebhookUrl(ctx: ServiceContext, webhookToken: string): string {
  return `${ctx.settings.appUrl.replace(/\/$/, "")}/webhooks/trackingmore/${webhookToken}`;
}
