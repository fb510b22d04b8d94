import { z } from "zod";
import { TrackingMoreV4Provider } from "~/adapters/trackingmore/client-v4.server";
import { TRACKINGMORE_V2_PROFILE, V2FamilyProvider } from "~/adapters/trackingmore/v2-family-client.server";
import { AuthenticationError, QuotaExhaustedError, type ExternalServiceError } from "~/domain/errors";
import type { TrackingProvider } from "~/domain/ports";
import type { ProviderId } from "~/domain/tracking-observation";
import { sha256Hex } from "~/lib/crypto.server";
import { enqueueJob } from "~/jobs/queue.server";
import { JOB_TYPES } from "~/jobs/job-types";
import type { ServiceContext } from "./context.server";

/**
 * A shop's connection to a tracking provider: credentials sealed at rest, the "blocked" state a
 * merchant sees when the provider refuses our key or quota, and the client built from them.
 */

export const providerCredentialsSchema = z.object({
  apiKey: z.string().trim().min(8, "API key looks too short"),
  webhookSecret: z.string().trim().min(1).nullish(),
  accountEmail: z.email().nullish(),
});
export type ProviderCredentials = z.infer<typeof providerCredentialsSchema>;

export type TrackingMoreApiVersion = "v4" | "v2";

export interface ProviderAccountWithCredentials {
  id: string;
  shopId: string;
  provider: ProviderId;
  apiVersion: string | null;
  accountFingerprint: string;
  blockedReason: string | null;
  credentials: ProviderCredentials;
}

export type BlockReason = "auth_failed" | "quota_exhausted";

/** Shops that share one provider account share its rate limits; the key is never stored in the clear. */
export function accountFingerprint(provider: ProviderId, apiKey: string): string {
  return sha256Hex(`${provider}:${apiKey}`).slice(0, 32);
}

export async function connectProvider(
  ctx: ServiceContext,
  shopId: string,
  input: { provider: ProviderId; apiVersion?: TrackingMoreApiVersion | null; credentials: ProviderCredentials },
): Promise<void> {
  const credentials = providerCredentialsSchema.parse(input.credentials);
  const sealed = ctx.secrets.sealJson(credentials);
  const fingerprint = accountFingerprint(input.provider, credentials.apiKey);
  const now = ctx.clock.now();
  await ctx.db.prisma.$transaction(async (tx) => {
    await tx.providerAccount.upsert({
      where: { shopId_provider: { shopId, provider: input.provider } },
      create: {
        shopId,
        provider: input.provider,
        apiVersion: input.apiVersion ?? null,
        credentialsEncrypted: sealed,
        accountFingerprint: fingerprint,
      },
      update: {
        apiVersion: input.apiVersion ?? null,
        credentialsEncrypted: sealed,
        accountFingerprint: fingerprint,
        blockedReason: null,
        blockedMessage: null,
        blockedAt: null,
      },
    });
    await tx.shop.update({ where: { id: shopId }, data: { trackingProvider: input.provider } });
    // Shipments that waited for a provider (or for the merchant to fix a blocked one) go now.
    await enqueueJob(tx, now, JOB_TYPES.registerShipments, { shopId }, { shopId, singletonKey: `register:${shopId}` });
  });
}

export async function loadProviderAccount(ctx: ServiceContext, shopId: string, provider: ProviderId): Promise<ProviderAccountWithCredentials | null> {
  const row = await ctx.db.prisma.providerAccount.findUnique({ where: { shopId_provider: { shopId, provider } } });
  if (!row) return null;
  const credentials = providerCredentialsSchema.parse(ctx.secrets.openJson(row.credentialsEncrypted));
  return {
    id: row.id,
    shopId: row.shopId,
    provider: row.provider as ProviderId,
    apiVersion: row.apiVersion,
    accountFingerprint: row.accountFingerprint,
    blockedReason: row.blockedReason,
    credentials,
  };
}

export function buildTrackingProvider(ctx: ServiceContext, account: ProviderAccountWithCredentials): TrackingProvider {
  const common = {
    baseUrl: ctx.settings.trackingMoreBaseUrl,
    apiKey: account.credentials.apiKey,
    accountKey: `${account.provider}:${account.accountFingerprint}`,
    throttle: ctx.throttle,
    clock: ctx.clock,
    timeoutMs: ctx.settings.providerTimeoutMs,
    rateLimitPauseMs: ctx.settings.rateLimitPauseMs,
  };
  switch (account.provider) {
    case "trackingmore":
      return account.apiVersion === "v2" ? new V2FamilyProvider(TRACKINGMORE_V2_PROFILE, common) : new TrackingMoreV4Provider(common);
    default:
      throw new Error(`provider ${account.provider} is not available yet`);
  }
}

/** Provider errors the merchant must act on. Anything else is the job queue's business. */
export function blockReasonFor(error: unknown): BlockReason | null {
  if (error instanceof AuthenticationError) return "auth_failed";
  if (error instanceof QuotaExhaustedError) return "quota_exhausted";
  return null;
}

/**
 * Stop calling the provider for this shop until the merchant fixes the cause. Recording it once
 * instead of retrying is what keeps a bad key from turning into a retry storm.
 */
export async function blockProviderAccount(ctx: ServiceContext, accountId: string, reason: BlockReason, error: ExternalServiceError): Promise<void> {
  await ctx.db.prisma.providerAccount.update({
    where: { id: accountId },
    data: { blockedReason: reason, blockedMessage: error.message, blockedAt: ctx.clock.now() },
  });
  ctx.log.warn({ accountId, reason, code: error.code }, "provider account blocked");
}

export async function recordProviderSuccess(ctx: ServiceContext, accountId: string): Promise<void> {
  await ctx.db.prisma.providerAccount.update({ where: { id: accountId }, data: { lastSuccessAt: ctx.clock.now() } });
}
