import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { snapshotFromWebhook, snapshotsFromBulkLine, restFulfillmentSchema } from "~/adapters/shopify-admin/fulfillment-payloads";
import { verifyShopifyWebhook } from "~/adapters/shopify-admin/webhook-verification.server";
import { TRACKTRY_SUBSTATUSES } from "~/adapters/tracktry/profile";
import { observationFromV2, observationFromV4 } from "~/adapters/trackingmore/mappers";
import { v2EnvelopeSchema, v2ListDataSchema, v2TrackingSchema, v4EnvelopeSchema, v4TrackingSchema } from "~/adapters/trackingmore/schemas";
import { parseTrackingMoreWebhookBody } from "~/adapters/trackingmore/webhook.server";
import { observationFromTrackPackage } from "~/adapters/ups/mappers";
import { trackResponseSchema } from "~/adapters/ups/schemas";
import { acceptTrackAlertEvent, parseTrackAlertEvent } from "~/adapters/ups/webhook";
import { proxyLookupFrom, verifiedProxyRequest } from "~/http/app-proxy.server";
import { z } from "zod";

/**
 * Every parser of outside input, fed random bytes, random JSON and valid shapes with random
 * values in every field: none throws (each answers with its typed failure), and a well-formed
 * input comes out with what went in. The API parsers are the adapters' own steps in their order
 * (envelope, data schema, mapper); the HTTP side of the same clients is fuzzed with truncated and
 * malformed answers in provider-faults.test.ts. Seeded: RELIABILITY_SEED replays a failure.
 */

const seed = process.env.RELIABILITY_SEED ? Number(process.env.RELIABILITY_SEED) : undefined;
const RUNS = 400;
const settings = { numRuns: RUNS, ...(seed !== undefined ? { seed } : {}) };

/** Random text in every encoding accident: UTF-8, Latin-1 and byte soup. */
const randomBody = fc.oneof(
  fc.string(),
  fc.uint8Array({ maxLength: 300 }).map((bytes) => Buffer.from(bytes).toString("utf8")),
  fc.uint8Array({ maxLength: 300 }).map((bytes) => Buffer.from(bytes).toString("latin1")),
  fc.jsonValue().map((value) => JSON.stringify(value) ?? "null"),
);
/** Any JSON value, including ones that trip careless code: __proto__ keys, deep nesting, huge numbers. */
const anyJson = fc.oneof(fc.jsonValue({ maxDepth: 4 }), fc.constant({ ["__proto__"]: { polluted: true } }), fc.constant(JSON.parse('{"__proto__":{"x":1}}')));
/** A field value of any type, mostly plausible. */
const anyField = fc.oneof(fc.string({ maxLength: 30 }), fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.constant(undefined), anyJson);
const dateLike = fc.oneof(fc.date({ noInvalidDate: true }).map((date) => date.toISOString()), fc.string({ maxLength: 25 }), fc.constant("2026-11-24 09:00:00"), fc.constant("0000-00-00"));

/** A valid-shaped object with each field replaced, now and then, by a value of any type. */
function mutated<T extends Record<string, unknown>>(valid: fc.Arbitrary<T>): fc.Arbitrary<Record<string, unknown>> {
  return valid.chain((object) =>
    fc.tuple(...Object.keys(object).map(() => fc.option(anyField, { freq: 3 }))).map((replacements) =>
      Object.fromEntries(Object.entries(object).map(([key, value], index) => [key, replacements[index] === null ? value : replacements[index]])),
    ),
  );
}

const trackingNumber = fc.stringMatching(/^[A-Z0-9]{8,30}$/);
const v4Status = fc.constantFrom("pending", "notfound", "transit", "pickup", "delivered", "expired", "undelivered", "exception", "inforeceived", "weird");
const v4Checkpoint = fc.record({
  checkpoint_date: dateLike,
  checkpoint_delivery_status: v4Status,
  checkpoint_delivery_substatus: fc.string({ maxLength: 12 }),
  tracking_detail: fc.string({ maxLength: 40 }),
  location: fc.string({ maxLength: 20 }),
  country_iso2: fc.string({ maxLength: 3 }),
});
const v4TrackingWith = (checkpoint: fc.Arbitrary<Record<string, unknown>>) => fc.record({
  id: fc.stringMatching(/^[0-9a-f]{8,32}$/),
  tracking_number: trackingNumber,
  courier_code: fc.constantFrom("ups", "usps", "fedex", "dhl", "royal-mail"),
  delivery_status: v4Status,
  substatus: fc.string({ maxLength: 12 }),
  latest_checkpoint_time: dateLike,
  scheduled_delivery_date: dateLike,
  origin_info: fc.record({ trackinfo: fc.array(checkpoint, { maxLength: 4 }) }),
});
const v4Tracking = v4TrackingWith(v4Checkpoint);
/** Damage anywhere: at the top and inside the checkpoints. */
const damagedV4Tracking = mutated(v4TrackingWith(mutated(v4Checkpoint)));
const v2Item = fc.record({
  id: fc.stringMatching(/^[0-9a-f]{8,32}$/),
  tracking_number: trackingNumber,
  carrier_code: fc.constantFrom("ups", "usps", "dhl"),
  status: fc.constantFrom("pending", "notfound", "transit", "pickup", "delivered", "undelivered", "exception", "expired"),
  substatus: fc.string({ maxLength: 12 }),
  lastUpdateTime: dateLike,
  updated_at: dateLike,
  origin_info: fc.record({ trackinfo: fc.array(fc.record({ Date: dateLike, StatusDescription: fc.string(), Details: fc.string(), checkpoint_status: fc.string() }), { maxLength: 4 }) }),
});
const upsText = fc.oneof(fc.stringMatching(/^[0-9]{0,8}$/), fc.string({ maxLength: 10 }));
const upsEvent = fc.record({
  trackingNumber: trackingNumber.map((n) => ` 1Z${n} `),
  localActivityDate: upsText,
  localActivityTime: upsText,
  gmtActivityDate: upsText,
  gmtActivityTime: upsText,
  gmtOffset: fc.constantFrom("-04.00", "+01.00", "", "x"),
  activityLocation: fc.record({ city: fc.string(), stateProvince: fc.string(), postalCode: fc.string(), country: fc.string({ maxLength: 3 }) }),
  activityStatus: fc.record({ type: fc.constantFrom("D", "I", "X", "P", "M", ""), code: fc.string({ maxLength: 3 }), description: fc.string() }),
  scheduledDeliveryDate: upsText,
  actualDeliveryDate: upsText,
  actualDeliveryTime: upsText,
  deliveryPhoto: fc.string({ maxLength: 20 }),
});
const upsActivity = fc.record({
  date: upsText,
  time: upsText,
  gmtDate: upsText,
  gmtTime: upsText,
  gmtOffset: fc.string({ maxLength: 6 }),
  status: fc.record({ type: fc.constantFrom("D", "I", "X"), code: fc.string({ maxLength: 3 }), description: fc.string() }),
});
const upsPackageWith = (activity: fc.Arbitrary<Record<string, unknown>>) =>
  fc.record({
    trackingNumber: trackingNumber.map((n) => `1Z${n}`),
    activity: fc.array(activity, { maxLength: 4 }),
    deliveryDate: fc.array(fc.record({ type: fc.constantFrom("DEL", "SDD", "RDD"), date: upsText }), { maxLength: 2 }),
  });
const upsPackage = upsPackageWith(upsActivity);
const damagedUpsPackage = mutated(upsPackageWith(mutated(upsActivity)));
const restFulfillment = fc.record({
  id: fc.oneof(fc.nat(), fc.string({ minLength: 1, maxLength: 12 })),
  order_id: fc.oneof(fc.nat(), fc.string({ minLength: 1, maxLength: 12 })),
  name: fc.string({ maxLength: 12 }),
  status: fc.constantFrom("success", "cancelled", "SUCCESS", "pending"),
  updated_at: dateLike,
  tracking_company: fc.string({ maxLength: 12 }),
  tracking_numbers: fc.array(trackingNumber, { maxLength: 5 }),
  tracking_urls: fc.array(fc.webUrl(), { maxLength: 5 }),
  email: fc.emailAddress(),
  destination: fc.record({ country_code: fc.string({ maxLength: 3 }), first_name: fc.string(), phone: fc.string() }),
  line_items: fc.array(fc.record({ id: fc.nat(), title: fc.string(), quantity: fc.nat(20) }), { maxLength: 3 }),
});

const NOT_JSON = Symbol("not JSON");
function jsonOf(rawBody: string): unknown {
  try {
    return JSON.parse(rawBody);
  } catch {
    return NOT_JSON;
  }
}

/** The adapters' steps for an API answer: envelope, then the data, then the mapper. */
function parseV4TrackingList(rawBody: string) {
  const json = jsonOf(rawBody);
  if (json === NOT_JSON) return { ok: false as const };
  const envelope = v4EnvelopeSchema.safeParse(json);
  if (!envelope.success) return { ok: false as const };
  const list = z.array(v4TrackingSchema).safeParse(envelope.data.data ?? []);
  return list.success ? { ok: true as const, observations: list.data.map(observationFromV4) } : { ok: false as const };
}

function parseV2FamilyList(rawBody: string, provider: "trackingmore" | "tracktry") {
  const json = jsonOf(rawBody);
  if (json === NOT_JSON) return { ok: false as const };
  const envelope = v2EnvelopeSchema.safeParse(json);
  if (!envelope.success) return { ok: false as const };
  const list = v2ListDataSchema.safeParse(envelope.data.data ?? { items: [] });
  if (!list.success) return { ok: false as const };
  const observations = [];
  for (const item of list.data.items) {
    const tracking = v2TrackingSchema.safeParse(item);
    if (!tracking.success) return { ok: false as const };
    observations.push(observationFromV2(tracking.data, provider, provider === "tracktry" ? TRACKTRY_SUBSTATUSES : undefined));
  }
  return { ok: true as const, observations };
}

function parseUpsTrackResponse(rawBody: string) {
  const json = jsonOf(rawBody);
  if (json === NOT_JSON) return { ok: false as const };
  const parsed = trackResponseSchema.safeParse(json);
  if (!parsed.success) return { ok: false as const };
  return { ok: true as const, observations: (parsed.data.trackResponse.shipment ?? []).flatMap((shipment) => (shipment.package ?? []).map(observationFromTrackPackage)) };
}

function parseShopifyFulfillment(rawBody: string) {
  const verdict = verifyShopifyWebhook({
    method: "POST",
    headers: new Headers({ "x-shopify-hmac-sha256": "x", "x-shopify-topic": "fulfillments/create", "x-shopify-shop-domain": "a.myshopify.com", "x-shopify-webhook-id": "1", "x-shopify-api-version": "2026-10" }),
    rawBody,
    apiSecret: "fuzz-secret",
  });
  // The HMAC is wrong on purpose: verification must refuse, typed, whatever the body.
  if (verdict.ok) throw new Error("an unsigned body was accepted");
  const json = jsonOf(rawBody);
  if (json === NOT_JSON) return { ok: false as const };
  const parsed = restFulfillmentSchema.safeParse(json);
  return parsed.success ? { ok: true as const, snapshot: snapshotFromWebhook(parsed.data) } : { ok: false as const };
}

/** The proxy's query: the shop check (a thrown 400 Response is its typed refusal), then the lookup. */
function parseProxyQuery(pairs: Array<[string, string]>) {
  const url = new URL("https://tracklight.test/proxy/api/track");
  for (const [key, value] of pairs) url.searchParams.append(key, value);
  let verified;
  try {
    verified = verifiedProxyRequest(new Request(url));
  } catch (thrown) {
    if (thrown instanceof Response && thrown.status === 400) return { ok: false as const };
    throw thrown;
  }
  return proxyLookupFrom(verified);
}

describe("provider and Shopify payload parsers under random input", () => {
  it("TrackingMore v4 and v2 webhook bodies: random bytes and JSON never throw", () => {
    fc.assert(
      fc.property(fc.oneof(randomBody, anyJson.map((value) => JSON.stringify({ data: value }))), fc.constantFrom("v4" as const, "v2" as const), (body, version) => {
        const verdict = parseTrackingMoreWebhookBody(body, version);
        if (!verdict.ok) expect(verdict.status).toBe(400);
      }),
      settings,
    );
  });

  it("TrackingMore v4 webhook: valid shapes with any field damaged never throw; intact ones keep their number and checkpoints", () => {
    fc.assert(
      fc.property(damagedV4Tracking, (tracking) => {
        parseTrackingMoreWebhookBody(JSON.stringify({ code: 200, data: tracking }), "v4");
      }),
      settings,
    );
    fc.assert(
      fc.property(v4Tracking, (tracking) => {
        const verdict = parseTrackingMoreWebhookBody(JSON.stringify({ code: 200, data: tracking }), "v4");
        expect(verdict.ok).toBe(true);
        if (!verdict.ok) return;
        expect(verdict.observation.trackingNumber).toBe(tracking.tracking_number);
        expect(verdict.observation.events.length).toBeLessThanOrEqual(tracking.origin_info.trackinfo.length);
      }),
      settings,
    );
  });

  it("TrackingMore v4, v2 and Tracktry API answers: random and damaged bodies never throw; valid lists map every item", () => {
    fc.assert(
      fc.property(fc.oneof(randomBody, fc.array(damagedV4Tracking, { maxLength: 3 }).map((data) => JSON.stringify({ meta: { code: 200 }, data }))), (body) => {
        parseV4TrackingList(body);
      }),
      settings,
    );
    fc.assert(
      fc.property(fc.oneof(randomBody, fc.array(mutated(v2Item), { maxLength: 3 }).map((items) => JSON.stringify({ meta: { code: 200 }, data: { items } }))), fc.constantFrom("trackingmore" as const, "tracktry" as const), (body, provider) => {
        parseV2FamilyList(body, provider);
      }),
      settings,
    );
    fc.assert(
      fc.property(fc.array(v4Tracking, { maxLength: 3 }), (data) => {
        const parsed = parseV4TrackingList(JSON.stringify({ meta: { code: 200, message: "Success" }, data }));
        expect(parsed.ok).toBe(true);
        if (parsed.ok) expect(parsed.observations.map((o) => o.trackingNumber)).toEqual(data.map((t) => t.tracking_number));
      }),
      settings,
    );
    fc.assert(
      fc.property(fc.array(v2Item, { maxLength: 3 }), fc.constantFrom("trackingmore" as const, "tracktry" as const), (items, provider) => {
        const parsed = parseV2FamilyList(JSON.stringify({ meta: { code: 200, type: "Success" }, data: { items } }), provider);
        expect(parsed.ok).toBe(true);
        if (parsed.ok) expect(parsed.observations.map((o) => [o.provider, o.trackingNumber])).toEqual(items.map((t) => [provider, t.tracking_number]));
      }),
      settings,
    );
  });

  it("UPS Track Alert events: never throw, the fast acceptance check agrees with the full parse, and the number comes out trimmed", () => {
    fc.assert(
      fc.property(fc.oneof(randomBody, mutated(upsEvent).map((event) => JSON.stringify(event))), (body) => {
        const parsed = parseTrackAlertEvent(body);
        expect(acceptTrackAlertEvent(body).ok).toBe(parsed.ok);
      }),
      settings,
    );
    fc.assert(
      fc.property(upsEvent, (event) => {
        const parsed = parseTrackAlertEvent(JSON.stringify(event));
        expect(parsed.ok).toBe(true);
        if (parsed.ok) expect(parsed.observation.trackingNumber).toBe(event.trackingNumber.trim());
      }),
      settings,
    );
  });

  it("UPS Track API answers: random and damaged bodies never throw; valid packages keep their number", () => {
    fc.assert(
      fc.property(fc.oneof(randomBody, fc.array(damagedUpsPackage, { maxLength: 2 }).map((pkgs) => JSON.stringify({ trackResponse: { shipment: [{ package: pkgs }] } }))), (body) => {
        parseUpsTrackResponse(body);
      }),
      settings,
    );
    fc.assert(
      fc.property(fc.array(upsPackage, { minLength: 1, maxLength: 2 }), (pkgs) => {
        const parsed = parseUpsTrackResponse(JSON.stringify({ trackResponse: { shipment: [{ package: pkgs }] } }));
        expect(parsed.ok).toBe(true);
        if (parsed.ok) expect(parsed.observations.map((o) => o.trackingNumber)).toEqual(pkgs.map((p) => p.trackingNumber));
      }),
      settings,
    );
  });

  it("Shopify fulfillment webhooks and bulk lines: never throw; valid payloads keep their numbers, ids and URLs", () => {
    fc.assert(
      fc.property(fc.oneof(randomBody, mutated(restFulfillment).map((payload) => JSON.stringify(payload))), (body) => {
        parseShopifyFulfillment(body);
      }),
      settings,
    );
    fc.assert(
      fc.property(fc.oneof(anyJson, mutated(restFulfillment)), fc.array(anyJson, { maxLength: 3 }), (line, children) => {
        snapshotsFromBulkLine(line, children);
      }),
      settings,
    );
    fc.assert(
      fc.property(restFulfillment, (payload) => {
        const parsed = parseShopifyFulfillment(JSON.stringify(payload));
        expect(parsed.ok).toBe(true);
        if (!parsed.ok) return;
        expect(parsed.snapshot.shopifyFulfillmentId).toBe(String(payload.id));
        expect(parsed.snapshot.tracking.map((t) => t.number)).toEqual(payload.tracking_numbers);
        expect(parsed.snapshot.tracking.map((t) => t.url)).toEqual(payload.tracking_numbers.map((_, i) => payload.tracking_urls[i] ?? null));
      }),
      settings,
    );
  });

  it("app proxy queries: any parameters never throw; a signed-shape lookup by number comes out trimmed", () => {
    const key = fc.oneof(fc.constantFrom("shop", "order", "email", "phone", "number", "token", "logged_in_customer_id", "path_prefix"), fc.string({ maxLength: 8 }));
    fc.assert(
      fc.property(fc.array(fc.tuple(key, fc.oneof(fc.string({ maxLength: 300 }), fc.constant("a.myshopify.com"))), { maxLength: 8 }), (pairs) => {
        parseProxyQuery(pairs);
      }),
      settings,
    );
    fc.assert(
      fc.property(fc.stringMatching(/^[A-Za-z0-9]{1,60}$/), fc.stringMatching(/^ {0,3}$/), (number, padding) => {
        const parsed = parseProxyQuery([["shop", "fuzz.myshopify.com"], ["number", `${padding}${number}${padding}`]]);
        expect(parsed).toEqual({ ok: true, lookup: { kind: "number", trackingNumber: number } });
      }),
      settings,
    );
  });
});
