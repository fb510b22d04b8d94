import {
  type ApiContext,
  type ApiModule,
  type ApiRequest,
  type ApiResponse,
  headerValue,
  isRecord,
  parseJsonBody,
} from "./api-types";
import { v4CourierJson } from "./couriers";
import { matchRoute, type Route } from "./router";
import {
  type CreateRejection,
  isV4Status,
  type SimAccount,
  type SimTracking,
  TRACKING_INFO_FIELDS,
  TRACKING_NUMBER_PATTERN,
  type TrackingInfo,
  trackingKey,
} from "./state";
import { renderV4Tracking } from "./v4-shape";

/**
 * TrackingMore API v4 (`/v4`). Errors carry the HTTP status of their class (400 for 41xx, 401, 404,
 * 429, 500 for 511–513) and `data: []`, with the message texts of the official SDK READMEs.
 */

export const V4_MESSAGES: Readonly<Record<number, string>> = {
  200: "Request response is successful",
  400: "Request type error. Please check the API documentation for the request type of this API.",
  4101: "Tracking No. already exists.",
  4102: "Tracking No. no exists. Please use 「Create a tracking」 API first to create shipment.",
  4103: "You have exceeded the shipment quantity of API call. The maximum quantity is 40 shipments per call.",
  4110: "The value of tracking_number is invalid.",
  4111: "Tracking_number is required.",
  4112: "Invalid Tracking ID.",
  4113: "Retrack is not allowed. You can only retrack an expired tracking.",
  4120: "The value of courier_code is invalid.",
  4121: "Cannot detect courier.",
  4122: "Missing or invalid value of the special required fields for this courier.",
  4130: "The format of Field name is invalid.",
  4190: "You are reaching the maximum quota limitation, please upgrade your current plan.",
  401: "Authentication failed or has no permission. Please check and ensure your API Key is correct.",
  403: "Access prohibited. The request has been refused or access is not allowed.",
  404: "Page does not exist. Please check and ensure your link is correct.",
  429: "Exceeded API request limits, please try again later. Please check the API documentation for the limit of this API.",
  511: "Server error. Please contact us: service@trackingmore.org.",
  512: "Server error. Please contact us: service@trackingmore.org.",
  513: "Server error. Please contact us: service@trackingmore.org.",
};

/** The documented maximum of trackings per batch call, reused for `tracking_numbers` in GET (see handler). */
export const V4_MAX_PER_CALL = 40;

export function v4HttpStatus(metaCode: number): number {
  if (metaCode >= 4000 && metaCode < 5000) return 400;
  if (metaCode >= 511 && metaCode <= 513) return 500;
  return metaCode;
}

export function v4Ok(data: unknown): ApiResponse {
  return { httpStatus: 200, body: { meta: { code: 200, message: V4_MESSAGES[200] }, data } };
}

export function v4Error(metaCode: number, message?: string, httpStatus = v4HttpStatus(metaCode)): ApiResponse {
  return { httpStatus, body: { meta: { code: metaCode, message: message ?? V4_MESSAGES[metaCode] ?? "" }, data: [] } };
}

function invalidField(field: string): ApiResponse {
  return v4Error(4130, `The format of ${field} is invalid.`);
}

const REJECTION_CODES: Readonly<Record<CreateRejection, number>> = {
  missing_number: 4111,
  invalid_number: 4110,
  invalid_courier: 4120,
  missing_required_field: 4122,
  duplicate: 4101,
};

/**
 * Descriptive fields from a create/update body. Numbers are accepted as their text (TrackingMore's
 * backend is lenient there); objects/booleans are a 4130 naming the field. `null` clears on update.
 */
function readInfo(body: Record<string, unknown>): { ok: true; info: TrackingInfo; cleared: string[] } | { ok: false; field: string } {
  const info: TrackingInfo = {};
  const cleared: string[] = [];
  for (const field of TRACKING_INFO_FIELDS) {
    const value = body[field];
    if (value === undefined) continue;
    if (value === null) cleared.push(field);
    else if (typeof value === "string") info[field] = value;
    else if (typeof value === "number" && Number.isFinite(value)) info[field] = String(value);
    else return { ok: false, field };
  }
  return { ok: true, info, cleared };
}

interface V4Call {
  account: SimAccount;
  req: ApiRequest;
  params: string[];
}

type V4Handler = (call: V4Call) => ApiResponse;

export interface V4RateLimits {
  v4Create: number;
  v4Other: number;
}

export function createV4Api(ctx: ApiContext, rateLimits: V4RateLimits): ApiModule {
  const { state } = ctx;
  const render = (t: SimTracking) => renderV4Tracking(t, state.couriers.get(t.courierCode), ctx.now());

  const byId = (account: SimAccount, id: string): SimTracking | undefined =>
    /^[0-9a-f]{32}$/.test(id) ? state.findById(account, id) : undefined;

  const create: V4Handler = ({ account, req }) => {
    // Quota is checked before the payload, as for batch: an exhausted account cannot even learn about duplicates.
    if (!state.hasCredit(account)) return v4Error(4190);
    const parsed = parseJsonBody(req.body);
    // An unparseable body reads as no parameters at all, hence "Tracking_number is required".
    const body = parsed.ok && isRecord(parsed.value) ? parsed.value : {};
    const read = readInfo(body);
    if (!read.ok) return invalidField(read.field);
    const check = state.checkNew(account, body.tracking_number, body.courier_code, read.info);
    if (!check.ok) return v4Error(REJECTION_CODES[check.reason]);
    return v4Ok(render(state.create(account, { trackingNumber: check.trackingNumber, courier: check.courier, info: read.info, via: "v4" })));
  };

  const batch: V4Handler = ({ account, req }) => {
    const parsed = parseJsonBody(req.body);
    if (!parsed.ok || !Array.isArray(parsed.value)) return v4Error(400);
    const items: unknown[] = parsed.value;
    // All-or-nothing on size: nothing is created when the batch is too large.
    if (items.length > ctx.batchLimit) return v4Error(4103);
    if (!state.hasCredit(account)) return v4Error(4190);
    const success: Array<{ id: string; tracking_number: string; courier_code: string }> = [];
    const error: Array<{ id: string; tracking_number: string; courier_code: string; errorCode: number; errorMessage: string }> = [];
    const reserved = new Set<string>();
    for (const raw of items) {
      const item = isRecord(raw) ? raw : {};
      const echo = {
        tracking_number: typeof item.tracking_number === "string" ? item.tracking_number : "",
        courier_code: typeof item.courier_code === "string" ? item.courier_code : "",
      };
      const fail = (code: number, message?: string) =>
        error.push({ id: "", ...echo, errorCode: code, errorMessage: message ?? V4_MESSAGES[code] ?? "" });
      const read = readInfo(item);
      if (!read.ok) {
        fail(4130, `The format of ${read.field} is invalid.`);
        continue;
      }
      const check = state.checkNew(account, item.tracking_number, item.courier_code, read.info, reserved);
      if (!check.ok) {
        fail(REJECTION_CODES[check.reason]);
        continue;
      }
      if (!state.hasCredit(account)) {
        fail(4190);
        continue;
      }
      const t = state.create(account, { trackingNumber: check.trackingNumber, courier: check.courier, info: read.info, via: "v4" });
      reserved.add(trackingKey(t.trackingNumber, t.courierCode));
      success.push({ id: t.id, tracking_number: t.trackingNumber, courier_code: t.courierCode });
    }
    return v4Ok({ success, error });
  };

  const get: V4Handler = ({ account, req }) => {
    const q = req.query;
    const numbers = (q.get("tracking_numbers") ?? "")
      .split(",")
      .map((n) => n.trim())
      .filter((n) => n.length > 0);
    // Undocumented for GET; we apply the per-call maximum TrackingMore uses everywhere else (4103).
    if (numbers.length > V4_MAX_PER_CALL) return v4Error(4103);
    const courierCode = q.get("courier_code") || null;
    // An unknown code is reported rather than silently matching nothing, as create does.
    if (courierCode !== null && !state.couriers.get(courierCode)) return v4Error(4120);
    const status = q.get("delivery_status") || null;
    if (status !== null && !isV4Status(status)) return invalidField("delivery_status");
    const bounds: Record<string, number | null> = {};
    for (const field of ["created_date_min", "created_date_max", "updated_date_min", "updated_date_max"]) {
      const raw = q.get(field);
      if (!raw) {
        bounds[field] = null;
        continue;
      }
      const ms = Date.parse(raw);
      if (Number.isNaN(ms)) return invalidField(field);
      bounds[field] = ms;
    }
    const within = (ms: number, min: number | null | undefined, max: number | null | undefined) =>
      (min == null || ms >= min) && (max == null || ms <= max);
    // Out-of-range paging values are clamped rather than rejected: TrackingMore documents 1–200 but no error for it.
    const itemsAmount = Math.min(200, Math.max(1, Number.parseInt(q.get("items_amount") ?? "", 10) || 100));
    const page = Math.max(1, Number.parseInt(q.get("pages_amount") ?? "", 10) || 1);
    const wanted = numbers.length > 0 ? new Set(numbers) : null;
    const matches = [...account.trackings.values()]
      .filter(
        (t) =>
          (wanted === null || wanted.has(t.trackingNumber)) &&
          (courierCode === null || t.courierCode === courierCode) &&
          (status === null || t.status === status) &&
          within(t.createdAt.getTime(), bounds.created_date_min, bounds.created_date_max) &&
          within(t.updatedAt.getTime(), bounds.updated_date_min, bounds.updated_date_max),
      )
      // Newest first (dashboard order); `seq` keeps the order total when timestamps tie.
      .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime() || b.seq - a.seq);
    return v4Ok(matches.slice((page - 1) * itemsAmount, page * itemsAmount).map(render));
  };

  const update: V4Handler = ({ account, req, params }) => {
    const t = byId(account, params[0] ?? "");
    if (!t) return v4Error(4112);
    const parsed = parseJsonBody(req.body);
    const body = parsed.ok && isRecord(parsed.value) ? parsed.value : {};
    const read = readInfo(body);
    if (!read.ok) return invalidField(read.field);
    Object.assign(t.info, read.info);
    for (const field of read.cleared) delete t.info[field as keyof TrackingInfo];
    if (Object.keys(read.info).length > 0 || read.cleared.length > 0) t.updatedAt = ctx.now();
    return v4Ok(render(t));
  };

  const remove: V4Handler = ({ account, params }) => {
    const t = byId(account, params[0] ?? "");
    if (!t) return v4Error(4112);
    state.remove(account, t.id);
    return v4Ok(render(t));
  };

  /** Retracking restarts carrier polling: the tracking goes back to `pending` and the journey resumes. Free of charge. */
  const retrack: V4Handler = ({ account, params }) => {
    const t = byId(account, params[0] ?? "");
    if (!t) return v4Error(4112);
    if (t.status !== "expired") return v4Error(4113);
    t.status = "pending";
    t.substatus = null;
    t.updatedAt = ctx.now();
    return v4Ok(render(t));
  };

  const couriersAll: V4Handler = () => v4Ok(state.couriers.all().map(v4CourierJson));

  /** Free in v4. */
  const detect: V4Handler = ({ req }) => {
    const parsed = parseJsonBody(req.body);
    const body = parsed.ok && isRecord(parsed.value) ? parsed.value : {};
    const number = body.tracking_number;
    if (number === undefined || number === null || number === "") return v4Error(4111);
    if (typeof number !== "string" || !TRACKING_NUMBER_PATTERN.test(number)) return v4Error(4110);
    const found = state.couriers.detect(number);
    if (found.length === 0) return v4Error(4121);
    return v4Ok(found.map(v4CourierJson));
  };

  const routes: Route<V4Handler>[] = [
    { method: "POST", pattern: /^\/trackings\/create\/?$/, endpoint: "trackings/create", handler: create },
    { method: "POST", pattern: /^\/trackings\/batch\/?$/, endpoint: "trackings/batch", handler: batch },
    { method: "GET", pattern: /^\/trackings\/get\/?$/, endpoint: "trackings/get", handler: get },
    { method: "PUT", pattern: /^\/trackings\/update(?:\/([^/]*))?$/, endpoint: "trackings/update", handler: update },
    { method: "DELETE", pattern: /^\/trackings\/delete(?:\/([^/]*))?$/, endpoint: "trackings/delete", handler: remove },
    { method: "POST", pattern: /^\/trackings\/retrack(?:\/([^/]*))?$/, endpoint: "trackings/retrack", handler: retrack },
    { method: "GET", pattern: /^\/couriers\/all\/?$/, endpoint: "couriers/all", handler: couriersAll },
    { method: "POST", pattern: /^\/couriers\/detect\/?$/, endpoint: "couriers/detect", handler: detect },
  ];

  return {
    prefix: "/v4",
    apiKeyHeader: "tracking-api-key",
    faultResponse: (httpStatus, metaCode) => v4Error(metaCode, undefined, httpStatus),
    async handle(req) {
      const apiKey = headerValue(req.headers, "tracking-api-key");
      const auth = state.authenticate(apiKey);
      // Missing, unknown and deleted keys are indistinguishable in v4.
      if (auth.kind !== "ok") return v4Error(401);
      const match = matchRoute(routes, req.method, req.path);
      if (match.kind === "not-found") return v4Error(404);
      if (match.kind === "wrong-method") return v4Error(400);
      const limit = match.route.endpoint === "trackings/create" ? rateLimits.v4Create : rateLimits.v4Other;
      if (!ctx.limiter.tryAcquire(`v4\u0000${auth.account.apiKey}\u0000${match.route.endpoint}`, limit)) return v4Error(429);
      return match.route.handler({ account: auth.account, req, params: match.params });
    },
  };
}
