import {
  type ApiContext,
  type ApiModule,
  type ApiRequest,
  type ApiResponse,
  headerValue,
  isRecord,
  parseJsonBody,
} from "./api-types";
import type { Courier } from "./couriers";
import { COUNTRY_NAMES } from "./places";
import { matchRoute, type Route } from "./router";
import {
  type CreateRejection,
  isV2Status,
  type SimAccount,
  type SimCheckpoint,
  type SimTracking,
  toV2Status,
  TRACKING_NUMBER_PATTERN,
  type TrackingInfo,
  type TrackingInfoField,
  trackingKey,
  type V2Status,
} from "./state";
import { daysSinceLatest, firstWhere, latestEventText, transitDays } from "./tracking-facts";
import { isoWithOffset, localDateTime, localMinute } from "./time";

/**
 * The TrackingMore v2 API family: TrackingMore `/v2` and its clone Tracktry `/v1` share envelope
 * (`meta:{code,type,message}`), codes, paths and item shape; they differ in prefix, key header, quota
 * code and a few texts, which is what `V2FamilyConfig` captures.
 *
 * Application errors are HTTP 200 with a 4xxx meta code (clients must check meta.code ∈ {200, 201}).
 * Exceptions: 429 is a real HTTP 429, and routing errors (unknown path 404, wrong method 405) are HTTP
 * errors as a web server would send them; both also appear in the documented meta table.
 */

export const V2_META: Readonly<Record<number, { type: string; message: string }>> = {
  200: { type: "Success", message: "Success" },
  201: { type: "Created", message: "The request was successful and a resource was created." },
  202: { type: "Bad Request", message: "The request was successful but exceeding the limit." },
  401: { type: "Unauthorized", message: "Authentication failed or user does not have permissions for the requested operation." },
  4001: { type: "Unauthorized", message: "Invalid API key." },
  4002: { type: "Unauthorized", message: "API key has been deleted." },
  4012: { type: "Bad Request", message: "The request could not be understood or was missing required parameters." },
  4013: { type: "Bad Request", message: "Tracking_number is required." },
  4014: { type: "Bad Request", message: "The value of `tracking_number` is invalid." },
  4015: { type: "Bad Request", message: "The value of `carrier_code` is invalid." },
  4016: { type: "Bad Request", message: "Tracking already exists." },
  4017: { type: "Bad Request", message: "Tracking does not exist." },
  4018: {
    type: "Bad Request",
    message: "Due to overload risks this feature requires custom activation. Contact service@trackingmore.org for more information.",
  },
  4019: { type: "Bad Request", message: "Your balance is insufficient, please recharge in time" },
  4020: { type: "Bad Request", message: "Up to 200 at a time" },
  4021: {
    type: "Bad Request",
    message:
      "Remaining quota is deficient, or the 7-day free trial has expired. To continue using API, please recharge first.",
  },
  4031: {
    type: "No Content",
    message: "The request was successful but the response is empty. Please try POST /trackings/post and then GET /trackings/get",
  },
  4032: { type: "No Content", message: "Cannot detect courier. Assign your shipment a courier instead of by auto detection." },
  4033: { type: "No Content", message: "The value of `package status` is invalid." },
  402: { type: "Payment Required", message: "Payment required." },
  403: { type: "Forbidden", message: "Access denied." },
  404: { type: "Not Found", message: "Resource was not found." },
  405: { type: "Method Not Allowed", message: "Requested method is not supported for the specified resource." },
  409: { type: "Conflict", message: "The request could not be completed due to a conflict." },
  429: { type: "Too Many Requests", message: "Exceeded API limits. Pause requests, wait two minute, and try again." },
  500: { type: "Server Error", message: "Server error" },
  503: {
    type: "Service Unavailable",
    message: "The service is temporary unavailable (e.g. scheduled Platform Maintenance). Try again later.",
  },
};

export const V2_MAX_LIST_LIMIT = 2000;
/** "The same shipment only once per 2 hours" for realtime. */
export const V2_REALTIME_WINDOW_MS = 2 * 60 * 60 * 1000;

export interface V2FamilyConfig {
  /** Mount point: `/v2` for TrackingMore, `/v1` for Tracktry. */
  prefix: string;
  /** Lower-case header name, e.g. `trackingmore-api-key`. */
  apiKeyHeader: string;
  /** Meta code when the account cannot pay: TrackingMore 4021, Tracktry 4019. */
  quotaCode: number;
  messageOverrides?: Partial<Record<number, string>>;
  /** Requests per second per account; `default` per endpoint or per account, see `rateLimitScope`. */
  rateLimits: { default: number; realtime: number };
  /**
   * What `rateLimits.default` counts: each endpoint separately (TrackingMore v2, the default) or every
   * endpoint of the account together (Tracktry: 1 request/s per key). Realtime always has its own bucket.
   */
  rateLimitScope?: "endpoint" | "account";
  /** Credits a successful detection costs (0.2 on TrackingMore v2). */
  detectCost: number;
}

export function v2Meta(code: number, overrides?: Partial<Record<number, string>>): { code: number; type: string; message: string } {
  const entry = V2_META[code];
  return { code, type: entry?.type ?? "", message: overrides?.[code] ?? entry?.message ?? "" };
}

/** Application-level answers are HTTP 200 whatever meta.code says, except 429 which is a real HTTP 429. */
export function v2Response(code: number, data: unknown, overrides?: Partial<Record<number, string>>, httpStatus?: number): ApiResponse {
  return {
    httpStatus: httpStatus ?? (code === 429 || code === 404 || code === 405 ? code : 200),
    body: { meta: v2Meta(code, overrides), data },
  };
}

// ---------------------------------------------------------------------------------------------
// Item rendering

export interface V2Checkpoint {
  /** Carrier local time without zone: `2020-10-30 14:42:00`. */
  Date: string;
  StatusDescription: string;
  Details: string;
  checkpoint_status: V2Status;
  substatus: string | null;
}

export interface V2CarrierInfo {
  ItemReceived: string | null;
  ItemDispatched: string | null;
  DepartfromAirport: string | null;
  ArrivalfromAbroad: string | null;
  CustomsClearance: string | null;
  DestinationArrived: string | null;
  weblink: string | null;
  phone: string | null;
  carrier_code: string | null;
  trackinfo: V2Checkpoint[];
}

export interface V2Item {
  id: string;
  tracking_number: string;
  carrier_code: string;
  status: V2Status;
  created_at: string;
  updated_at: string;
  order_create_time: string | null;
  customer_email: string[] | string | null;
  customer_phone: string | null;
  title: string | null;
  order_id: string | null;
  comment: string | null;
  customer_name: string | null;
  logistics_channel: string | null;
  destination_code: string | null;
  archived: boolean;
  original_country: string | null;
  destination_country: string | null;
  itemTimeLength: number | null;
  stayTimeLength: number | null;
  service_code: string | null;
  substatus: string | null;
  origin_info: V2CarrierInfo;
  destination_info: V2CarrierInfo;
  lastEvent: string | null;
  lastUpdateTime: string | null;
}

/** What create / batch return: the new item's identity and the fields the caller sent. */
export interface V2Summary {
  id: string;
  tracking_number: string;
  carrier_code: string;
  status: V2Status;
  created_at: string;
  customer_email: string | null;
  customer_name: string | null;
  order_id: string | null;
  title: string | null;
  order_create_time: string | null;
  comment: string | null;
  logistics_channel: string | null;
}

/** v2 has no inforeceived family: that state is `notfound001` there. */
export function toV2Substatus(substatus: string | null): string | null {
  return substatus !== null && substatus.startsWith("inforeceived") ? "notfound001" : substatus;
}

function localOf(c: SimCheckpoint | undefined): string | null {
  return c ? localDateTime(c.at, c.utcOffsetMinutes) : null;
}

export function renderV2Summary(t: SimTracking): V2Summary {
  const s = (field: TrackingInfoField) => t.info[field] ?? null;
  return {
    id: t.id,
    tracking_number: t.trackingNumber,
    carrier_code: t.courierCode,
    status: toV2Status(t.status),
    created_at: isoWithOffset(t.createdAt),
    customer_email: s("customer_email"),
    customer_name: s("customer_name"),
    order_id: s("order_number"),
    title: s("title"),
    order_create_time: s("order_date"),
    comment: s("note"),
    logistics_channel: s("logistics_channel"),
  };
}

/**
 * `emailStyle`: the documented get-one sample carries `customer_email` as an array while the create
 * response, update response and webhook samples carry a string. We reproduce that inconsistency so
 * clients are written against what TrackingMore actually sends.
 */
export function renderV2Item(t: SimTracking, courier: Courier | undefined, now: Date, emailStyle: "array" | "string" = "array"): V2Item {
  const s = (field: TrackingInfoField) => t.info[field] ?? null;
  const email = t.info.customer_email;
  const latest = t.checkpoints[0];
  const crossBorder = t.route.origin.countryIso2 !== t.route.destination.countryIso2;
  return {
    id: t.id,
    tracking_number: t.trackingNumber,
    carrier_code: t.courierCode,
    status: toV2Status(t.status),
    created_at: isoWithOffset(t.createdAt),
    updated_at: isoWithOffset(t.updatedAt),
    order_create_time: s("order_date"),
    customer_email: emailStyle === "array" ? (email ? [email] : []) : (email ?? null),
    customer_phone: s("customer_sms"),
    title: s("title"),
    order_id: s("order_number"),
    comment: s("note"),
    customer_name: s("customer_name"),
    logistics_channel: s("logistics_channel"),
    destination_code: s("tracking_destination_country"),
    archived: t.archived,
    original_country: COUNTRY_NAMES[t.route.origin.countryIso2] ?? null,
    destination_country: COUNTRY_NAMES[t.route.destination.countryIso2] ?? null,
    itemTimeLength: transitDays(t, now),
    stayTimeLength: daysSinceLatest(t, now),
    service_code: null,
    substatus: toV2Substatus(t.substatus),
    origin_info: {
      ItemReceived: localOf(firstWhere(t, () => true)),
      ItemDispatched: localOf(firstWhere(t, (c) => c.status === "transit")),
      DepartfromAirport: null,
      ArrivalfromAbroad: crossBorder ? localOf(firstWhere(t, (c) => c.countryIso2 === t.route.destination.countryIso2)) : null,
      CustomsClearance: null,
      DestinationArrived: localOf(firstWhere(t, (c) => c.substatus === "transit003")),
      weblink: courier?.url ?? null,
      phone: courier?.phone ?? null,
      carrier_code: t.courierCode,
      trackinfo: t.checkpoints.map((c) => ({
        Date: localDateTime(c.at, c.utcOffsetMinutes),
        StatusDescription: c.description,
        Details: c.location,
        checkpoint_status: toV2Status(c.status),
        substatus: toV2Substatus(c.substatus),
      })),
    },
    destination_info: {
      ItemReceived: null,
      ItemDispatched: null,
      DepartfromAirport: null,
      ArrivalfromAbroad: null,
      CustomsClearance: null,
      DestinationArrived: null,
      weblink: null,
      phone: null,
      carrier_code: null,
      trackinfo: [],
    },
    lastEvent: latestEventText(t),
    lastUpdateTime: latest ? localMinute(latest.at, latest.utcOffsetMinutes) : null,
  };
}

// ---------------------------------------------------------------------------------------------
// Request handling

const REJECTION_CODES: Readonly<Record<CreateRejection, number>> = {
  missing_number: 4013,
  invalid_number: 4014,
  invalid_courier: 4015,
  missing_required_field: 4012,
  duplicate: 4016,
};

/** v2 parameter → the store's (v4) field name. */
const V2_FIELD_MAP: ReadonlyArray<[v2: string, field: TrackingInfoField]> = [
  ["title", "title"],
  ["logistics_channel", "logistics_channel"],
  ["customer_name", "customer_name"],
  ["customer_email", "customer_email"],
  ["customer_phone", "customer_sms"],
  ["order_id", "order_number"],
  ["order_create_time", "order_date"],
  ["tracking_ship_date", "tracking_ship_date"],
  ["tracking_postal_code", "tracking_postal_code"],
  ["tracking_account_number", "tracking_courier_account"],
  ["destination_code", "tracking_destination_country"],
  // After destination_code so the more specific courier parameter wins when both are sent.
  ["tracking_destination_country", "tracking_destination_country"],
  ["lang", "language"],
  ["comment", "note"],
];

function readV2Info(body: Record<string, unknown>): { ok: true; info: TrackingInfo; cleared: TrackingInfoField[] } | { ok: false } {
  const info: TrackingInfo = {};
  const cleared: TrackingInfoField[] = [];
  for (const [param, field] of V2_FIELD_MAP) {
    const value = body[param];
    if (value === undefined) continue;
    if (value === null) cleared.push(field);
    else if (typeof value === "string") info[field] = value;
    else if (typeof value === "number" && Number.isFinite(value)) info[field] = String(value);
    else return { ok: false };
  }
  return { ok: true, info, cleared };
}

interface V2Call {
  account: SimAccount;
  req: ApiRequest;
  params: string[];
}

type V2Handler = (call: V2Call) => ApiResponse;

export function createV2FamilyApi(ctx: ApiContext, config: V2FamilyConfig): ApiModule {
  const { state } = ctx;
  const reply = (code: number, data: unknown = []) => v2Response(code, data, config.messageOverrides);
  const item = (t: SimTracking, emailStyle: "array" | "string" = "array") =>
    renderV2Item(t, state.couriers.get(t.courierCode), ctx.now(), emailStyle);

  const bodyRecord = (req: ApiRequest): Record<string, unknown> | null => {
    const parsed = parseJsonBody(req.body);
    if (!parsed.ok) return null;
    if (parsed.value === undefined) return {};
    return isRecord(parsed.value) ? parsed.value : null;
  };

  const checkNumber = (value: unknown): number | null => {
    if (value === undefined || value === null || value === "") return 4013;
    if (typeof value !== "string" || !TRACKING_NUMBER_PATTERN.test(value)) return 4014;
    return null;
  };

  const findOne = (account: SimAccount, carrierCode: string, number: string): SimTracking | number => {
    if (!state.couriers.get(carrierCode)) return 4015;
    return state.find(account, number, carrierCode)[0] ?? 4017;
  };

  const create: V2Handler = ({ account, req }) => {
    if (!state.hasCredit(account)) return reply(config.quotaCode);
    const body = bodyRecord(req);
    if (!body) return reply(4012);
    const read = readV2Info(body);
    if (!read.ok) return reply(4012);
    const check = state.checkNew(account, body.tracking_number, body.carrier_code, read.info);
    if (!check.ok) return reply(REJECTION_CODES[check.reason]);
    const t = state.create(account, { trackingNumber: check.trackingNumber, courier: check.courier, info: read.info, via: "v2" });
    return reply(200, renderV2Summary(t));
  };

  const batch: V2Handler = ({ account, req }) => {
    const parsed = parseJsonBody(req.body);
    if (!parsed.ok || !Array.isArray(parsed.value)) return reply(4012);
    const items: unknown[] = parsed.value;
    if (items.length > ctx.batchLimit) return reply(4020);
    if (!state.hasCredit(account)) return reply(config.quotaCode);
    const trackings: V2Summary[] = [];
    const errors: Array<{ tracking_number: string; carrier_code: string; code: number; message: string }> = [];
    const reserved = new Set<string>();
    for (const raw of items) {
      const entry = isRecord(raw) ? raw : {};
      const echo = {
        tracking_number: typeof entry.tracking_number === "string" ? entry.tracking_number : "",
        carrier_code: typeof entry.carrier_code === "string" ? entry.carrier_code : "",
      };
      const fail = (code: number) => errors.push({ ...echo, code, message: v2Meta(code, config.messageOverrides).message });
      const read = readV2Info(entry);
      if (!read.ok) {
        fail(4012);
        continue;
      }
      const check = state.checkNew(account, entry.tracking_number, entry.carrier_code, read.info, reserved);
      if (!check.ok) {
        fail(REJECTION_CODES[check.reason]);
        continue;
      }
      if (!state.hasCredit(account)) {
        fail(config.quotaCode);
        continue;
      }
      const t = state.create(account, { trackingNumber: check.trackingNumber, courier: check.courier, info: read.info, via: "v2" });
      reserved.add(trackingKey(t.trackingNumber, t.courierCode));
      trackings.push(renderV2Summary(t));
    }
    return reply(201, { submitted: items.length, added: trackings.length, trackings, errors });
  };

  const list: V2Handler = ({ account, req }) => {
    const q = req.query;
    const status = q.get("status") || null;
    if (status !== null && !isV2Status(status)) return reply(4033);
    const bounds: Record<string, number | null> = {};
    for (const field of ["created_at_min", "created_at_max", "update_time_min", "update_time_max"]) {
      const raw = q.get(field);
      if (!raw) {
        bounds[field] = null;
        continue;
      }
      if (!/^\d+$/.test(raw)) return reply(4012);
      bounds[field] = Number(raw) * 1000;
    }
    const within = (ms: number, min: number | null | undefined, max: number | null | undefined) => {
      // Bounds are whole unix seconds; compare at that precision so `max = created second` includes it.
      const sec = Math.floor(ms / 1000) * 1000;
      return (min == null || sec >= min) && (max == null || sec <= max);
    };
    const page = Math.max(1, Number.parseInt(q.get("page") ?? "", 10) || 1);
    // Clamped, not rejected: the docs state the maximum but no error for exceeding it.
    const limit = Math.min(V2_MAX_LIST_LIMIT, Math.max(1, Number.parseInt(q.get("limit") ?? "", 10) || 100));
    const matches = [...account.trackings.values()]
      .filter(
        (t) =>
          (status === null || toV2Status(t.status) === status) &&
          within(t.createdAt.getTime(), bounds.created_at_min, bounds.created_at_max) &&
          within(t.updatedAt.getTime(), bounds.update_time_min, bounds.update_time_max),
      )
      .sort((a, b) => a.updatedAt.getTime() - b.updatedAt.getTime() || a.seq - b.seq);
    return reply(200, {
      page,
      limit,
      // A string in TrackingMore's answers, unlike page and limit.
      total: String(matches.length),
      items: matches.slice((page - 1) * limit, page * limit).map((t) => item(t)),
    });
  };

  /**
   * Realtime fetches the carrier now. A number not yet tracked is created on the way (1 credit). Asking
   * again within 2 hours gets 4031 "response is empty" (HTTP 200): the documented rule has no code of
   * its own and 4031 is the one that tells the client to fall back to GET.
   */
  const realtime: V2Handler = ({ account, req }) => {
    const body = bodyRecord(req);
    if (!body) return reply(4012);
    const numberProblem = checkNumber(body.tracking_number);
    if (numberProblem !== null) return reply(numberProblem);
    const courier = state.couriers.get(body.carrier_code);
    if (!courier) return reply(4015);
    const now = ctx.now();
    let t = state.find(account, body.tracking_number as string, courier.code)[0];
    if (t) {
      if (t.lastRealtimeAt && now.getTime() - t.lastRealtimeAt.getTime() < V2_REALTIME_WINDOW_MS) return reply(4031);
    } else {
      if (!state.hasCredit(account)) return reply(config.quotaCode);
      const read = readV2Info(body);
      if (!read.ok) return reply(4012);
      const check = state.checkNew(account, body.tracking_number, body.carrier_code, read.info);
      if (!check.ok) return reply(REJECTION_CODES[check.reason]);
      t = state.create(account, { trackingNumber: check.trackingNumber, courier: check.courier, info: read.info, via: "v2" });
    }
    t.lastRealtimeAt = now;
    return reply(200, { items: [item(t)] });
  };

  const getOne: V2Handler = ({ account, params }) => {
    const found = findOne(account, params[0] ?? "", params[1] ?? "");
    return typeof found === "number" ? reply(found) : reply(200, item(found));
  };

  const updateOne: V2Handler = ({ account, req, params }) => {
    const found = findOne(account, params[0] ?? "", params[1] ?? "");
    if (typeof found === "number") return reply(found);
    const body = bodyRecord(req);
    if (!body) return reply(4012);
    const read = readV2Info(body);
    if (!read.ok) return reply(4012);
    if (body.archived !== undefined && typeof body.archived !== "boolean") return reply(4012);
    Object.assign(found.info, read.info);
    for (const field of read.cleared) delete found.info[field];
    if (typeof body.archived === "boolean") found.archived = body.archived;
    found.updatedAt = ctx.now();
    return reply(200, item(found, "string"));
  };

  const deleteOne: V2Handler = ({ account, params }) => {
    const found = findOne(account, params[0] ?? "", params[1] ?? "");
    if (typeof found === "number") return reply(found);
    state.remove(account, found.id);
    return reply(200, []);
  };

  const carriers: V2Handler = () =>
    reply(
      200,
      state.couriers.all().map((c) => ({ name: c.name, code: c.code, phone: c.phone, homepage: c.url, type: c.type, picture: null })),
    );

  /** Charged only when a courier is found (0.2 credit on TrackingMore v2; free in v4). */
  const detect: V2Handler = ({ account, req }) => {
    const body = bodyRecord(req);
    if (!body) return reply(4012);
    const numberProblem = checkNumber(body.tracking_number);
    if (numberProblem !== null) return reply(numberProblem);
    if (!state.hasCredit(account, config.detectCost)) return reply(config.quotaCode);
    const found = state.couriers.detect(body.tracking_number as string);
    if (found.length === 0) return reply(4032);
    state.charge(account, config.detectCost);
    return reply(
      200,
      found.map((c) => ({ name: c.name, code: c.code })),
    );
  };

  /**
   * "Get account info" (`GET /trackings/getuserinfo`, listed on every v2 doc page and in Tracktry's
   * SDKs; free, no credit needed). The docs give no response body; the one public client reading it
   * takes what is left from `data.plan.remaining_order`, so that is the field modelled here. Credits
   * are whole numbers of trackings left (0.2-credit detections round down); an unmetered account
   * reports no figure (`remaining_order: null`).
   */
  const userInfo: V2Handler = ({ account }) =>
    reply(200, { plan: { remaining_order: Number.isFinite(account.credits) ? Math.floor(account.credits) : null } });

  const one = /^\/trackings\/([^/]+)\/([^/]+)(?:\/[^/]+)?\/?$/;
  const routes: Route<V2Handler>[] = [
    { method: "POST", pattern: /^\/trackings\/post\/?$/, endpoint: "POST trackings/post", handler: create },
    { method: "POST", pattern: /^\/trackings\/batch\/?$/, endpoint: "POST trackings/batch", handler: batch },
    { method: "GET", pattern: /^\/trackings\/get\/?$/, endpoint: "GET trackings/get", handler: list },
    { method: "POST", pattern: /^\/trackings\/realtime\/?$/, endpoint: "POST trackings/realtime", handler: realtime },
    { method: "GET", pattern: /^\/trackings\/getuserinfo\/?$/, endpoint: "GET trackings/getuserinfo", handler: userInfo },
    { method: "GET", pattern: one, endpoint: "GET trackings/{carrier}/{number}", handler: getOne },
    // PUT/DELETE take no language suffix.
    { method: "PUT", pattern: /^\/trackings\/([^/]+)\/([^/]+)\/?$/, endpoint: "PUT trackings/{carrier}/{number}", handler: updateOne },
    { method: "DELETE", pattern: /^\/trackings\/([^/]+)\/([^/]+)\/?$/, endpoint: "DELETE trackings/{carrier}/{number}", handler: deleteOne },
    { method: "GET", pattern: /^\/carriers\/?$/, endpoint: "GET carriers", handler: carriers },
    { method: "POST", pattern: /^\/carriers\/detect\/?$/, endpoint: "POST carriers/detect", handler: detect },
  ];

  return {
    prefix: config.prefix,
    apiKeyHeader: config.apiKeyHeader,
    faultResponse: (httpStatus, metaCode) => v2Response(metaCode, [], config.messageOverrides, httpStatus),
    async handle(req) {
      const auth = state.authenticate(headerValue(req.headers, config.apiKeyHeader));
      if (auth.kind === "missing") return reply(401);
      if (auth.kind === "unknown") return reply(4001);
      if (auth.kind === "deleted") return reply(4002);
      const match = matchRoute(routes, req.method, req.path);
      if (match.kind === "not-found") return reply(404);
      if (match.kind === "wrong-method") return reply(405);
      const realtime = match.route.endpoint === "POST trackings/realtime";
      const limit = realtime ? config.rateLimits.realtime : config.rateLimits.default;
      const bucket = realtime || config.rateLimitScope !== "account" ? match.route.endpoint : "all endpoints";
      if (!ctx.limiter.tryAcquire(`${config.prefix}\u0000${auth.account.apiKey}\u0000${bucket}`, limit)) return reply(429);
      return match.route.handler({ account: auth.account, req, params: match.params });
    },
  };
}
