// `npm run bench`: every figure, each measured against its baseline in the same run.
import { customerEmailBench } from "./customer-emails";
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
