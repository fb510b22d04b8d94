// `npm run bench`: every figure, each measured against its baseline in the same run.
import { registrationCalls } from "./registration-calls";
import { webhookAckLatency } from "./webhook-ack-latency";

await registrationCalls();
await webhookAckLatency();
