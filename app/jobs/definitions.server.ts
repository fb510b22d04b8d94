import { z } from "zod";
import { parseTrackingMoreWebhookBody } from "~/adapters/trackingmore/webhook.server";
import type { FulfillmentSnapshot } from "~/domain/fulfillment";
import { PROVIDER_IDS } from "~/domain/tracking-observation";
import { InvalidJobPayloadError } from "./retry-policy";
import { JOB_TYPES } from "./job-types";
import { pruneFinishedJobs } from "./queue.server";
import { defineJob, type JobDefinition } from "./runner.server";
import { applyTrackingObservation } from "~/services/apply-tracking-update.server";
import { runBackfillStep } from "~/services/backfill.server";
import {
  collectCustomerData,
  customerDataRequestPayloadSchema,
  customerRedactPayloadSchema,
  redactCustomer,
  redactShop,
  shopRedactPayloadSchema,
} from "~/services/compliance.server";
import { ingestFulfillment } from "~/services/ingest-fulfillment.server";
import { applyShopRouting } from "~/services/provider-routing.server";
import { applyUpsTrackAlertEvent } from "~/services/ups-events.server";
import { pollStaleShipments } from "~/services/poll-shipments.server";
import { registerPendingShipments } from "~/services/register-shipments.server";
import { stopTrackingAtProvider } from "~/services/stop-provider-tracking.server";
import { writeFulfillmentEvent } from "~/services/write-fulfillment-event.server";
import { sendCustomerEmail } from "~/services/send-customer-email.server";
import { sendStaffDigest } from "~/services/staff-digest.server";
import { refreshTransitStatistics } from "~/services/transit-statistics.server";
import { LONGEST_RATE_LIMIT_WINDOW_MS, pruneRateLimitWindows } from "~/services/rate-limit.server";

/** Every job the worker knows. Each is thin: validate the payload, call one service, report its result. */

const shopIdPayload = z.object({ shopId: z.string().min(1) });
const isoDate = z.iso.datetime().transform((value) => new Date(value));
const nullableIsoDate = z.union([isoDate, z.null()]);

const fulfillmentSnapshotSchema: z.ZodType<FulfillmentSnapshot> = z.object({
  shopifyFulfillmentId: z.string(),
  shopifyOrderId: z.string(),
  orderName: z.string().nullable(),
  fulfillmentName: z.string().nullable(),
  status: z.string(),
  updatedAt: nullableIsoDate,
  tracking: z.array(z.object({ number: z.string(), company: z.string().nullable(), url: z.string().nullable() })),
  lineItems: z
    .array(
      z.object({ id: z.string(), title: z.string(), quantity: z.number(), variantTitle: z.string().nullable(), sku: z.string().nullable(), imageUrl: z.string().nullish() }),
    )
    .nullable(),
  customer: z
    .object({
      email: z.string().nullable(),
      phone: z.string().nullable(),
      firstName: z.string().nullable(),
      shopifyCustomerId: z.string().nullable(),
      locale: z.string().nullable(),
    })
    .nullable(),
  destinationCountry: z.string().nullable(),
}) as unknown as z.ZodType<FulfillmentSnapshot>;

export const ingestFulfillmentJob = defineJob({
  type: JOB_TYPES.ingestFulfillment,
  payload: z.object({ shop: z.string(), snapshot: fulfillmentSnapshotSchema }),
  async run({ shop, snapshot }, { services }) {
    const outcome = await ingestFulfillment(services, shop, snapshot);
    return { result: outcome.result };
  },
});

export const registerShipmentsJob = defineJob({
  type: JOB_TYPES.registerShipments,
  payload: shopIdPayload,
  async run({ shopId }, { services }) {
    const outcome = await registerPendingShipments(services, shopId);
    // More waiting than one run handles: come straight back, without counting an attempt.
    return outcome.result === "MORE_PENDING" ? { result: outcome.result, rescheduleInMs: 0 } : { result: outcome.result };
  },
});

export const applyProviderWebhookJob = defineJob({
  type: JOB_TYPES.applyProviderWebhook,
  payload: z.object({ shopId: z.string(), provider: z.literal("trackingmore"), apiVersion: z.enum(["v4", "v2"]), body: z.string() }),
  async run({ shopId, apiVersion, body }, { services }) {
    const parsed = parseTrackingMoreWebhookBody(body, apiVersion);
    if (!parsed.ok) throw new InvalidJobPayloadError(parsed.reason);
    const outcome = await applyTrackingObservation(services, shopId, parsed.observation);
    return { result: outcome.result };
  },
});

export const applyUpsEventJob = defineJob({
  type: JOB_TYPES.applyUpsEvent,
  payload: z.object({ shopId: z.string(), body: z.string() }),
  async run({ shopId, body }, { services }) {
    const outcome = await applyUpsTrackAlertEvent(services, shopId, body);
    if (outcome.result === "INVALID_EVENT") throw new InvalidJobPayloadError(outcome.reason);
    return { result: outcome.result };
  },
});

export const applyShopRoutingJob = defineJob({
  type: JOB_TYPES.applyShopRouting,
  payload: shopIdPayload,
  async run({ shopId }, { services }) {
    const outcome = await applyShopRouting(services, shopId);
    // Shipments that changed under us are moved on the next pass.
    return outcome.result === "APPLIED" && outcome.conflicts > 0 ? { result: "CONFLICTS", rescheduleInMs: 1_000 } : { result: outcome.result };
  },
});

export const pollShipmentsJob = defineJob({
  type: JOB_TYPES.pollShipments,
  payload: shopIdPayload,
  async run({ shopId }, { services }) {
    return { result: (await pollStaleShipments(services, shopId)).result };
  },
});

export const stopProviderTrackingJob = defineJob({
  type: JOB_TYPES.stopProviderTracking,
  payload: z.object({
    shopId: z.string(),
    shipmentId: z.string(),
    provider: z.enum(PROVIDER_IDS),
    trackingNumber: z.string(),
    carrierCode: z.string().nullable(),
    providerTrackingId: z.string().nullable(),
  }),
  async run(request, { services }) {
    return { result: await stopTrackingAtProvider(services, request) };
  },
});

export const backfillShopJob = defineJob({
  type: JOB_TYPES.backfillShop,
  payload: z.object({ shopId: z.string(), runId: z.string() }),
  async run({ runId }, { services }) {
    const step = await runBackfillStep(services, runId);
    return step.result === "WAITING_FOR_SHOPIFY" ? { result: step.result, rescheduleInMs: step.checkAgainInMs } : { result: step.result };
  },
});

export const redactShopJob = defineJob({
  type: JOB_TYPES.redactShop,
  payload: shopRedactPayloadSchema,
  async run({ shop_domain }, { services }) {
    return { result: await redactShop(services, shop_domain) };
  },
});

export const redactCustomerJob = defineJob({
  type: JOB_TYPES.redactCustomer,
  payload: customerRedactPayloadSchema,
  async run(payload, { services }) {
    return { result: (await redactCustomer(services, payload)).result };
  },
});

export const customerDataRequestJob = defineJob({
  type: JOB_TYPES.customerDataRequest,
  payload: customerDataRequestPayloadSchema,
  async run(payload, { services }) {
    return { result: (await collectCustomerData(services, payload)).result };
  },
});

export const refreshTransitStatisticsJob = defineJob({
  type: JOB_TYPES.refreshTransitStatistics,
  payload: shopIdPayload,
  async run({ shopId }, { services }) {
    return { result: (await refreshTransitStatistics(services, shopId)).result };
  },
});

export const writeFulfillmentEventJob = defineJob({
  type: JOB_TYPES.writeFulfillmentEvent,
  payload: z.object({ writeId: z.string().min(1) }),
  async run({ writeId }, { services, job }) {
    return { result: (await writeFulfillmentEvent(services, writeId, job)).result };
  },
});

export const sendCustomerEmailJob = defineJob({
  type: JOB_TYPES.sendCustomerEmail,
  payload: z.object({ notificationId: z.string().min(1) }),
  async run({ notificationId }, { services, job }) {
    const outcome = await sendCustomerEmail(services, notificationId, { finalAttempt: job.attempts >= job.maxAttempts });
    return outcome.retryInMs === undefined ? { result: outcome.result } : { result: outcome.result, rescheduleInMs: outcome.retryInMs };
  },
});

export const sendStaffDigestJob = defineJob({
  type: JOB_TYPES.sendStaffDigest,
  payload: shopIdPayload,
  async run({ shopId }, { services }) {
    return { result: (await sendStaffDigest(services, shopId)).result };
  },
});

/** Finished jobs are kept a week: long enough to deduplicate Shopify's retries (48 h) and to look into problems. */
export const JOB_RETENTION_MS = 7 * 24 * 60 * 60_000;

export const pruneJobsJob = defineJob({
  type: JOB_TYPES.pruneJobs,
  payload: z.object({}),
  async run(_payload, { services }) {
    const removed = await pruneFinishedJobs(services.db, new Date(services.clock.now().getTime() - JOB_RETENTION_MS));
    await pruneRateLimitWindows(services.db, services.clock.now(), LONGEST_RATE_LIMIT_WINDOW_MS);
    return { result: `PRUNED_${removed}` };
  },
});

export const ALL_JOBS: ReadonlyArray<JobDefinition<never>> = [
  ingestFulfillmentJob,
  registerShipmentsJob,
  applyProviderWebhookJob,
  applyUpsEventJob,
  applyShopRoutingJob,
  pollShipmentsJob,
  stopProviderTrackingJob,
  backfillShopJob,
  redactShopJob,
  redactCustomerJob,
  customerDataRequestJob,
  pruneJobsJob,
  writeFulfillmentEventJob,
  refreshTransitStatisticsJob,
  sendCustomerEmailJob,
  sendStaffDigestJob,
] as unknown as ReadonlyArray<JobDefinition<never>>;
