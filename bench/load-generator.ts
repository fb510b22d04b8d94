// Open-loop load at a fixed rate: request i is due at start + i/rate, whatever happened to the
// ones before it, and its latency is measured from when it was due (not from when it was sent),
// so a slow server cannot hide its queueing delay ("coordinated omission").
//   node --import tsx bench/load-generator.ts '<json config>'   → prints JSON { latenciesMs, errors }
import { createHmac, randomUUID } from "node:crypto";
import { Agent, request } from "node:http";

interface Config {
  url: string;
  ratePerSecond: number;
  durationMs: number;
  warmupMs: number;
  /** "shopify": signed fulfillments/create webhooks; "ups": Track Alert events with the shop's credential header. */
  kind: "shopify" | "ups";
  /** Shopify: the app secret. UPS: the shop's event credential. */
  secret: string;
  shop: string;
  /** Added to every request's index so that several runs send distinct events. */
  firstIndex?: number;
}

const config = JSON.parse(process.argv[2]!) as Config;
const agent = new Agent({ keepAlive: true, maxSockets: 64 });
const target = new URL(config.url);

function shopifyPayload(index: number): string {
  const number = `1ZBENCH${String(index).padStart(10, "0")}X`;
  return JSON.stringify({
    id: 5_000_000_000 + index,
    admin_graphql_api_id: `gid://shopify/Fulfillment/${5_000_000_000 + index}`,
    order_id: 6_000_000_000 + index,
    name: `#${10_000 + index}.1`,
    status: "success",
    created_at: "2026-11-24T09:00:00+00:00",
    updated_at: "2026-11-24T09:00:01+00:00",
    service: "manual",
    shipment_status: null,
    location_id: 91390607708,
    email: `customer${index}@example.com`,
    destination: { first_name: "Ada", last_name: "Lovelace", address1: "12 Analytical Row", city: "London", zip: "NW1 6XE", province: null, country: "United Kingdom", country_code: "GB", phone: null },
    tracking_company: "UPS",
    tracking_number: number,
    tracking_numbers: [number],
    tracking_url: `https://www.ups.com/track?tracknum=${number}`,
    tracking_urls: [`https://www.ups.com/track?tracknum=${number}`],
    line_items: [
      { id: 7_000_000_000 + index, variant_id: 8_000_000_000, title: "Linen shirt", quantity: 1, sku: "LS-M", variant_title: "M", product_id: 9_000_000_000, name: "Linen shirt - M" },
      { id: 7_100_000_000 + index, variant_id: 8_100_000_000, title: "Wool socks", quantity: 2, sku: "WS-2", variant_title: "Grey", product_id: 9_100_000_000, name: "Wool socks - Grey" },
    ],
  });
}

/** A Track Alert event as UPS sends it (every field a string), distinct per index. */
function upsPayload(index: number): string {
  const seconds = String(index % 60).padStart(2, "0");
  return JSON.stringify({
    trackingNumber: ` 1ZBENCH${String(index).padStart(10, "0")}X`,
    localActivityDate: "20261124",
    localActivityTime: `0912${seconds}`,
    gmtActivityDate: "20261124",
    gmtActivityTime: `1312${seconds}`,
    gmtOffset: "-04.00",
    activityLocation: { city: "ATLANTA", stateProvince: "GA", postalCode: "", country: "US" },
    activityStatus: { type: "I", code: "DP", description: "Departed from Facility" },
    scheduledDeliveryDate: "20261126",
    actualDeliveryDate: "",
    actualDeliveryTime: "",
    deliveryStartTime: "",
    deliveryEndTime: "",
    deliveryTimeDescription: "end of day",
    deliveryPhoto: "",
  });
}

function requestFor(index: number): { body: string; headers: Record<string, string> } {
  if (config.kind === "ups") {
    const body = upsPayload(index);
    return {
      body,
      headers: {
        "content-type": "application/json",
        "content-length": String(Buffer.byteLength(body)),
        "user-agent": "UPSPubSubTrackingService",
        credential: config.secret,
      },
    };
  }
  const body = shopifyPayload(index);
  return {
    body,
    headers: {
      "content-type": "application/json",
      "content-length": String(Buffer.byteLength(body)),
      "x-shopify-hmac-sha256": createHmac("sha256", config.secret).update(body).digest("base64"),
      "x-shopify-topic": "fulfillments/create",
      "x-shopify-shop-domain": config.shop,
      "x-shopify-api-version": "2026-10",
      "x-shopify-webhook-id": randomUUID(),
    },
  };
}

function send(index: number): Promise<number> {
  const { body, headers } = requestFor((config.firstIndex ?? 0) + index);
  return new Promise((resolve, reject) => {
    const req = request({ agent, hostname: target.hostname, port: target.port, path: target.pathname, method: "POST", headers }, (res) => {
      res.resume();
      res.on("end", () => resolve(res.statusCode ?? 0));
    });
    req.on("error", reject);
    req.end(body);
  });
}

const latencies: number[] = [];
let errors = 0;
let acknowledged = 0;
const total = Math.round(((config.durationMs + config.warmupMs) / 1000) * config.ratePerSecond);
const start = performance.now() + 50;
const pending: Promise<void>[] = [];
for (let i = 0; i < total; i++) {
  const due = start + (i * 1000) / config.ratePerSecond;
  // setTimeout alone is too coarse for sub-millisecond spacing, so the last stretch waits in
  // setImmediate steps: each one lets the event loop read the responses that arrived meanwhile
  // (a busy spin would hold them back and charge the delay to the server).
  for (let wait = due - performance.now(); wait > 0; wait = due - performance.now()) {
    if (wait > 1.5) await new Promise((resolve) => setTimeout(resolve, wait - 1));
    else await new Promise((resolve) => setImmediate(resolve));
  }
  pending.push(
    send(i).then(
      (status) => {
        const latency = performance.now() - due;
        if (status !== 200) errors++;
        else acknowledged++;
        if (status === 200 && due - start >= config.warmupMs) latencies.push(latency);
      },
      () => {
        errors++;
      },
    ),
  );
}
await Promise.all(pending);
agent.destroy();
process.stdout.write(JSON.stringify({ latenciesMs: latencies, errors, acknowledged, sent: total }));
