import { isBodyDamage } from "../lib/damaged-response";
import type { PushEventInput, SimTrackAlertEvent } from "./events";
import type { UpsApi, UpsFault, UpsSimulator } from "./index";
import type { DeliveryWindow, SimActivity, SimLocation, SimPackage } from "./packages";
import { isStatusPreset, type StatusPreset, type UpsStatus } from "./statuses";

/**
 * `/__sim/…`: the in-process controls over HTTP, so a simulator in another process (the demo, the
 * benchmark) can be driven. JSON in, JSON out; caller mistakes are `400 {error}`. Dates travel as
 * ISO-8601 strings (or epoch ms).
 *
 *   GET    /__sim/health
 *   GET    /__sim/clients                         POST /__sim/clients {clientId, clientSecret}
 *   DELETE /__sim/clients/{clientId}              (revokeClient)
 *   POST   /__sim/tokens/expire {clientId?}
 *   PUT    /__sim/packages/{trackingNumber} {activities:[{at, utcOffsetMinutes?, location?, status}], scheduledDeliveryDate?, …}
 *   GET    /__sim/packages/{trackingNumber}       (stored model)
 *   POST   /__sim/events {trackingNumber, event: {preset} | {status, at?, utcOffsetMinutes?, location?, scheduledDeliveryDate?, deliveryWindow?}}
 *                                                 → the delivery results
 *   GET    /__sim/subscriptions
 *   GET    /__sim/calls                           DELETE /__sim/calls
 *   GET    /__sim/deliveries                      POST /__sim/deliveries/wait-idle
 *   POST   /__sim/faults {count, fault: {kind:"http", httpStatus, code, message?, api?} | {kind:"timeout"|"truncated"|"malformed", api?}}
 *
 * A `status` is a preset name ("delivered"…) or `{type, code, description, simplifiedTextDescription?, statusCode?}`.
 */

export interface ControlResult {
  httpStatus: number;
  body: unknown;
}

class BadControlRequest extends Error {}

function fail(message: string): never {
  throw new BadControlRequest(message);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function str(body: Record<string, unknown>, field: string): string {
  const value = body[field];
  if (typeof value !== "string" || value === "") fail(`${field} must be a non-empty string`);
  return value;
}

function optionalStr(body: Record<string, unknown>, field: string): string | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "string") fail(`${field} must be a string`);
  return value;
}

function date(value: unknown, field: string): Date {
  const parsed = typeof value === "string" || typeof value === "number" ? new Date(value) : null;
  if (!parsed || Number.isNaN(parsed.getTime())) fail(`${field} must be an ISO-8601 date or epoch ms`);
  return parsed;
}

function optionalNumber(value: unknown, field: string): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "number") fail(`${field} must be a number`);
  return value;
}

function status(value: unknown, field: string): UpsStatus | StatusPreset {
  if (isStatusPreset(value)) return value;
  if (!isRecord(value)) fail(`${field} must be a preset name or {type, code, description, …}`);
  return {
    type: str(value, "type"),
    code: optionalStr(value, "code") ?? "",
    description: optionalStr(value, "description") ?? "",
    ...(optionalStr(value, "simplifiedTextDescription") !== undefined ? { simplifiedTextDescription: optionalStr(value, "simplifiedTextDescription") } : {}),
    ...(optionalStr(value, "statusCode") !== undefined ? { statusCode: optionalStr(value, "statusCode") } : {}),
  };
}

function location(value: unknown, field: string): SimLocation | undefined {
  if (value === undefined || value === null) return undefined;
  if (!isRecord(value)) fail(`${field} must be an object`);
  const out: SimLocation = {};
  for (const key of ["city", "stateProvince", "postalCode", "country", "slic"] as const) {
    const v = optionalStr(value, key);
    if (v !== undefined) out[key] = v;
  }
  return out;
}

function window(value: unknown, field: string): DeliveryWindow | null | undefined {
  if (value === undefined) return undefined;
  if (value === null) return null;
  if (!isRecord(value)) fail(`${field} must be {startTime, endTime} or null`);
  return { startTime: str(value, "startTime"), endTime: str(value, "endTime") };
}

function nullableStr(value: unknown, field: string): string | null | undefined {
  if (value === undefined || value === null) return value as null | undefined;
  if (typeof value !== "string") fail(`${field} must be a string or null`);
  return value;
}

function activity(value: unknown, field: string): SimActivity {
  if (!isRecord(value)) fail(`${field} must be an object`);
  const offset = optionalNumber(value.utcOffsetMinutes, `${field}.utcOffsetMinutes`);
  const loc = location(value.location, `${field}.location`);
  return {
    at: date(value.at, `${field}.at`),
    status: status(value.status, `${field}.status`),
    ...(offset !== undefined ? { utcOffsetMinutes: offset } : {}),
    ...(loc ? { location: loc } : {}),
  };
}

function packageInput(b: Record<string, unknown>): SimPackage {
  if (!Array.isArray(b.activities)) fail("activities must be an array");
  const p: SimPackage = { activities: b.activities.map((a, i) => activity(a, `activities[${i}]`)) };
  const scheduled = nullableStr(b.scheduledDeliveryDate, "scheduledDeliveryDate");
  if (scheduled !== undefined) p.scheduledDeliveryDate = scheduled;
  const rescheduled = nullableStr(b.rescheduledDeliveryDate, "rescheduledDeliveryDate");
  if (rescheduled !== undefined) p.rescheduledDeliveryDate = rescheduled;
  const w = window(b.deliveryWindow, "deliveryWindow");
  if (w !== undefined) p.deliveryWindow = w;
  if (b.deliveredAt !== undefined) p.deliveredAt = b.deliveredAt === null ? null : date(b.deliveredAt, "deliveredAt");
  // Shapes of the descriptive fields are checked loosely: they are echoed, never interpreted.
  for (const key of ["service", "weight", "origin", "destination"] as const) {
    if (b[key] !== undefined) {
      if (!isRecord(b[key])) fail(`${key} must be an object`);
      (p as unknown as Record<string, unknown>)[key] = b[key];
    }
  }
  if (b.referenceNumbers !== undefined) {
    if (!Array.isArray(b.referenceNumbers) || !b.referenceNumbers.every((r) => isRecord(r) && typeof r.type === "string" && typeof r.number === "string")) {
      fail("referenceNumbers must be an array of {type, number}");
    }
    p.referenceNumbers = b.referenceNumbers as Array<{ type: string; number: string }>;
  }
  const deliveryLocation = optionalStr(b, "deliveryLocation");
  if (deliveryLocation !== undefined) p.deliveryLocation = deliveryLocation;
  const receivedBy = optionalStr(b, "receivedBy");
  if (receivedBy !== undefined) p.receivedBy = receivedBy;
  return p;
}

function eventInput(value: unknown): PushEventInput {
  if (!isRecord(value)) fail("event must be an object");
  if (value.preset !== undefined) {
    if (!isStatusPreset(value.preset)) fail("event.preset is not a known preset");
    return { preset: value.preset };
  }
  const e: SimTrackAlertEvent = { status: status(value.status, "event.status") };
  if (value.at !== undefined) e.at = date(value.at, "event.at");
  const offset = optionalNumber(value.utcOffsetMinutes, "event.utcOffsetMinutes");
  if (offset !== undefined) e.utcOffsetMinutes = offset;
  const loc = location(value.location, "event.location");
  if (loc) e.location = loc;
  const scheduled = nullableStr(value.scheduledDeliveryDate, "event.scheduledDeliveryDate");
  if (scheduled !== undefined) e.scheduledDeliveryDate = scheduled;
  const w = window(value.deliveryWindow, "event.deliveryWindow");
  if (w !== undefined) e.deliveryWindow = w;
  return e;
}

function fault(value: unknown): UpsFault {
  if (!isRecord(value)) fail("fault must be an object");
  const api = value.api;
  if (api !== undefined && api !== "oauth" && api !== "track" && api !== "trackalert") fail('fault.api must be "oauth", "track" or "trackalert"');
  const scope: { api?: UpsApi } = api ? { api } : {};
  if (value.kind === "timeout") return { kind: "timeout", ...scope };
  if (isBodyDamage(value.kind)) return { kind: value.kind, ...scope };
  if (value.kind === "http" && typeof value.httpStatus === "number" && typeof value.code === "string") {
    const message = optionalStr(value, "message");
    return { kind: "http", httpStatus: value.httpStatus, code: value.code, ...(message !== undefined ? { message } : {}), ...scope };
  }
  fail("fault must be {kind:'timeout'|'truncated'|'malformed'} or {kind:'http', httpStatus, code, message?}");
}

export async function handleControlRequest(sim: UpsSimulator, method: string, url: URL, rawBody: Buffer): Promise<ControlResult> {
  const path = url.pathname.replace(/\/+$/, "");
  const body = (): Record<string, unknown> => {
    const text = rawBody.toString("utf8").trim();
    if (text === "") return {};
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      fail("body is not valid JSON");
    }
    if (!isRecord(parsed)) fail("body must be a JSON object");
    return parsed;
  };
  const ok = (data?: unknown, httpStatus = 200): ControlResult => ({ httpStatus, body: data === undefined ? { ok: true } : { ok: true, data } });

  try {
    switch (`${method} ${path}`) {
      case "GET /__sim/health":
        return ok({ url: sim.url, environment: sim.environment });
      case "GET /__sim/clients":
        return ok(sim.clients());
      case "POST /__sim/clients": {
        const b = body();
        sim.addClient({ clientId: str(b, "clientId"), clientSecret: str(b, "clientSecret") });
        return ok(undefined, 201);
      }
      case "POST /__sim/tokens/expire": {
        sim.expireTokens(optionalStr(body(), "clientId"));
        return ok();
      }
      case "POST /__sim/events": {
        const b = body();
        return ok(await sim.pushEvent(str(b, "trackingNumber"), eventInput(b.event)));
      }
      case "GET /__sim/subscriptions":
        return ok(sim.subscriptions());
      case "GET /__sim/calls":
        return ok(sim.calls);
      case "DELETE /__sim/calls":
        sim.resetCalls();
        return ok();
      case "GET /__sim/deliveries":
        return ok(sim.deliveries);
      case "POST /__sim/deliveries/wait-idle":
        await sim.whenDeliveriesIdle();
        return ok();
      case "POST /__sim/faults": {
        const b = body();
        if (typeof b.count !== "number") fail("count must be a number");
        sim.injectFaults(b.count, fault(b.fault));
        return ok();
      }
    }
    const client = /^\/__sim\/clients\/([^/]+)$/.exec(path);
    if (client && method === "DELETE") {
      sim.revokeClient(decodeURIComponent(client[1]!));
      return ok();
    }
    const pkg = /^\/__sim\/packages\/([^/]+)$/.exec(path);
    if (pkg && method === "PUT") {
      sim.setPackage(decodeURIComponent(pkg[1]!), packageInput(body()));
      return ok();
    }
    if (pkg && method === "GET") {
      const stored = sim.getPackage(decodeURIComponent(pkg[1]!));
      return stored ? ok(stored) : { httpStatus: 404, body: { error: `no package ${decodeURIComponent(pkg[1]!)}` } };
    }
    return { httpStatus: 404, body: { error: `no control endpoint ${method} ${url.pathname}` } };
  } catch (error) {
    // Caller mistakes are plain Errors (unknown client, bad date…); anything else (TypeError…) is a
    // simulator bug and goes out as a 500 through the shared server.
    if (error instanceof BadControlRequest || (error instanceof Error && error.constructor === Error)) {
      return { httpStatus: 400, body: { error: error.message } };
    }
    throw error;
  }
}
