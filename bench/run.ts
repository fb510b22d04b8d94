// `npm run bench`: every figure, each measured against its baseline in the same run.
import { backfillMemory } from "./backfill-memory";
import { customerEmailBench } from "./customer-emails";
import { pipelineScaleOut } from "./pipeline-scale-out";
import { registrationCalls } from "./registration-calls";
import { shipmentsIndexLatency } from "./shipments-index";
import { trackingLookupLatency } from "./tracking-lookup";
import { trackingPageAssetsSize } from "./tracking-page-assets";
import { upsSubscriptionCalls, upsWebhookAckLatency } from "./ups-track-alert";
import { webhookAckLatency } from "./webhook-ack-latency";

await registrationCalls();
await upsSubscriptionCalls();
await webhookAckLatency();
await upsWebhookAckLatency();
await shipmentsIndexLatency();
await trackingLookupLatency();
trackingPageAssetsSize();
await customerEmailBench();
await pipelineScaleOut();
await backfillMemory();
