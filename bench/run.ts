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

// `npm run bench -- <word> …` runs only the benches whose name contains one of the words
// (e.g. `npm run bench -- lookup emails`): the whole run takes a while on a small machine.
const BENCHES: ReadonlyArray<readonly [string, () => unknown]> = [
  ["registration-calls", registrationCalls],
  ["ups-subscription-calls", upsSubscriptionCalls],
  ["webhook-ack-latency", webhookAckLatency],
  ["ups-webhook-ack-latency", upsWebhookAckLatency],
  ["shipments-index", shipmentsIndexLatency],
  ["tracking-lookup", trackingLookupLatency],
  ["tracking-page-assets", trackingPageAssetsSize],
  ["customer-emails", customerEmailBench],
  ["pipeline-scale-out", pipelineScaleOut],
  ["backfill-memory", backfillMemory],
];

const wanted = process.argv.slice(2);
for (const [name, run] of BENCHES) {
  if (wanted.length === 0 || wanted.some((word) => name.includes(word))) await run();
}
