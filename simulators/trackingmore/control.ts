import { isBodyDamage } from "../lib/damaged-response";
import { isRecord, parseJsonBody } from "./api-types";
import type { InjectedFault } from "./api-host";
import type { TrackingMoreSimulator } from "./index";
import type { ExplicitCheckpoint } from "./journey";
import type { AdvanceStep } from "./progress";
import type { WebhookUrlConfig } from "./state";

/**
 * `/__sim/…`: the in-process controls over HTTP, so a simulator running in another process (the demo)
 * can be driven. JSON in, JSON out; errors are `400 {error}`. Infinity does not exist in JSON, so
 * unmetered credits travel as `null`.
 *
 * Every TrackingMore-family simulator (TrackingMore, Tracktry) has these (`handleFamilyControl`):
 *   GET    /__sim/health
 *   DELETE /__sim/accounts/{apiKey}             (deleteKey)
 *   POST   /__sim/advance {apiKey, trackingNumber, courierCode?, step: "next" | {status, substatus?, checkpoints?, scheduledDeliveryDate?}}
 *   GET    /__sim/trackings?apiKey=
 *   GET    /__sim/calls                         DELETE /__sim/calls
 *   POST   /__sim/faults {count, fault}     fault: {kind:"http", httpStatus, metaCode} | {kind:"timeout"|"truncated"|"malformed"}
 *   POST   /__sim/auto-progress {intervalMs}    DELETE /__sim/auto-progress
 *
 * TrackingMore adds (`handleControlRequest`):
 *   GET    /__sim/accounts                      POST /__sim/accounts {apiKey, email?, webhookSecret?, credits?, webhookUrls?}
 *   PUT    /__sim/webhooks {apiKey, urls}       POST /__sim/credits {apiKey, credits}
 *   GET    /__sim/webhook-deliveries            POST /__sim/webhook-deliveries/wait-idle
 */

export interface ControlResult {
  httpStatus: number;
  body: unknown;
}

class BadControlRequest extends Error {}

export function fail(message: string): never {
  throw new BadControlRequest(message);
}

export function str(body: Record<string, unknown>, field: string): string {
  const value = body[field];
  if (typeof value !== "string" || value === "") fail(`${field} must be a non-empty string`);
  return value;
}

export function optionalStr(body: Record<string, unknown>, field: string): string | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "string") fail(`${field} must be a string`);
  return value;
}

/** An amount where `null` (or "Infinity") means unmetered; undefined when absent. */
export function meteredAmount(value: unknown, field = "credits"): number | undefined {
  if (value === undefined) return undefined;
  if (value === null || value === "Infinity") return Number.POSITIVE_INFINITY;
  if (typeof value !== "number" || value < 0) fail(`${field} must be a number >= 0, or null for unmetered`);
  return value;
}

/** Infinity travels as null in JSON. */
export const jsonAmount = (n: number): number | null => (Number.isFinite(n) ? n : null);

function webhookUrls(value: unknown): WebhookUrlConfig[] {
  if (!Array.isArray(value)) fail("urls must be an array");
  return value.map((entry): WebhookUrlConfig => {
    if (!isRecord(entry)) fail("each webhook URL must be an object");
    const version = entry.version;
    if (version !== "v4" && version !== "v2") fail('webhook version must be "v4" or "v2"');
    const statuses = entry.statuses;
    if (statuses !== undefined && !(Array.isArray(statuses) && statuses.every((s) => typeof s === "string"))) {
      fail("statuses must be an array of strings");
    }
    return { url: str(entry, "url"), version, ...(statuses ? { statuses: statuses as string[] } : {}) };
  });
}

function date(value: unknown, field: string): Date {
  const parsed = typeof value === "string" || typeof value === "number" ? new Date(value) : null;
  if (!parsed || Number.isNaN(parsed.getTime())) fail(`${field} must be an ISO-8601 date`);
  return parsed;
}

function advanceStep(value: unknown): AdvanceStep {
  if (value === undefined || value === "next") return "next";
  if (!isRecord(value)) fail('step must be "next" or an object');
  const checkpoints = value.checkpoints;
  if (checkpoints !== undefined && !Array.isArray(checkpoints)) fail("step.checkpoints must be an array");
  const scheduled = value.scheduledDeliveryDate;
  if (scheduled !== undefined && scheduled !== null && typeof scheduled !== "string") fail("step.scheduledDeliveryDate must be a string or null");
  return {
    status: str(value, "status"),
    ...(optionalStr(value, "substatus") !== undefined ? { substatus: optionalStr(value, "substatus") } : {}),
    ...(checkpoints
      ? {
          checkpoints: checkpoints.map((c, i): ExplicitCheckpoint => {
            if (!isRecord(c)) fail(`step.checkpoints[${i}] must be an object`);
            const offset = c.utcOffsetMinutes;
            if (offset !== undefined && typeof offset !== "number") fail(`step.checkpoints[${i}].utcOffsetMinutes must be a number`);
            return {
              at: date(c.at, `step.checkpoints[${i}].at`),
              description: str(c, "description"),
              ...(optionalStr(c, "location") !== undefined ? { location: optionalStr(c, "location") } : {}),
              ...(optionalStr(c, "status") !== undefined ? { status: optionalStr(c, "status") } : {}),
              ...(optionalStr(c, "substatus") !== undefined ? { substatus: optionalStr(c, "substatus") } : {}),
              ...(offset !== undefined ? { utcOffsetMinutes: offset } : {}),
            };
          }),
        }
      : {}),
    ...(scheduled !== undefined ? { scheduledDeliveryDate: scheduled as string | null } : {}),
  };
}

function fault(value: unknown): InjectedFault {
  if (!isRecord(value)) fail("fault must be an object");
  if (value.kind === "timeout") return { kind: "timeout" };
  if (isBodyDamage(value.kind)) return { kind: value.kind };
  if (value.kind === "http" && typeof value.httpStatus === "number" && typeof value.metaCode === "number") {
    return { kind: "http", httpStatus: value.httpStatus, metaCode: value.metaCode };
  }
  fail("fault must be {kind:'timeout'|'truncated'|'malformed'} or {kind:'http', httpStatus, metaCode}");
}

/** What every family simulator offers the control surface. */
export interface ControlTarget {
  readonly url: string;
  advance(apiKey: string, trackingNumber: string, step: AdvanceStep, courierCode?: string): Promise<unknown>;
  trackings(apiKey: string): ReadonlyArray<unknown>;
  readonly calls: ReadonlyArray<unknown>;
  resetCalls(): void;
  deleteKey(apiKey: string): void;
  injectFaults(count: number, fault: InjectedFault): void;
  startAutoProgress(intervalMs: number): void;
  stopAutoProgress(): void;
}

export interface ControlRequest {
  /** `METHOD /path` without a trailing slash, e.g. `POST /__sim/credits`. */
  route: string;
  url: URL;
  /** The JSON object body; a caller mistake (400) when it is not one. */
  body(): Record<string, unknown>;
}

/** A simulator's own routes: a result, or undefined when the route is not one of them. */
export type ExtraControlRoutes = (request: ControlRequest) => Promise<ControlResult | undefined> | ControlResult | undefined;

export const controlOk = (data?: unknown, httpStatus = 200): ControlResult => ({ httpStatus, body: data === undefined ? { ok: true } : { ok: true, data } });

export async function handleFamilyControl(
  sim: ControlTarget,
  method: string,
  url: URL,
  rawBody: Buffer,
  extra: ExtraControlRoutes = () => undefined,
): Promise<ControlResult> {
  const path = url.pathname.replace(/\/+$/, "");
  const parsed = parseJsonBody(rawBody);
  const body = (): Record<string, unknown> => {
    if (!parsed.ok) fail("body is not valid JSON");
    if (!isRecord(parsed.value)) fail("body must be a JSON object");
    return parsed.value;
  };
  const ok = controlOk;

  try {
    const route = `${method} ${path}`;
    switch (route) {
      case "GET /__sim/health":
        return ok({ url: sim.url });
      case "POST /__sim/advance": {
        const b = body();
        const tracking = await sim.advance(str(b, "apiKey"), str(b, "trackingNumber"), advanceStep(b.step), optionalStr(b, "courierCode"));
        return ok(tracking);
      }
      case "GET /__sim/trackings": {
        const apiKey = url.searchParams.get("apiKey");
        if (!apiKey) fail("apiKey query parameter is required");
        return ok(sim.trackings(apiKey));
      }
      case "GET /__sim/calls":
        return ok(sim.calls);
      case "DELETE /__sim/calls":
        sim.resetCalls();
        return ok();
      case "POST /__sim/faults": {
        const b = body();
        if (typeof b.count !== "number") fail("count must be a number");
        sim.injectFaults(b.count, fault(b.fault));
        return ok();
      }
      case "POST /__sim/auto-progress": {
        const b = body();
        if (typeof b.intervalMs !== "number") fail("intervalMs must be a number");
        sim.startAutoProgress(b.intervalMs);
        return ok();
      }
      case "DELETE /__sim/auto-progress":
        sim.stopAutoProgress();
        return ok();
    }
    const accountDelete = /^\/__sim\/accounts\/([^/]+)$/.exec(path);
    if (method === "DELETE" && accountDelete) {
      sim.deleteKey(decodeURIComponent(accountDelete[1]));
      return ok();
    }
    const own = await extra({ route, url, body });
    if (own) return own;
    return { httpStatus: 404, body: { error: `no control endpoint ${method} ${url.pathname}` } };
  } catch (error) {
    // The simulator reports caller mistakes (unknown account, bad status, > 4 URLs) as plain Errors; anything
    // else (TypeError…) is a simulator bug and goes out as a 500 through the shared server.
    if (error instanceof BadControlRequest || (error instanceof Error && error.constructor === Error)) {
      return { httpStatus: 400, body: { error: error.message } };
    }
    throw error;
  }
}

export function handleControlRequest(sim: TrackingMoreSimulator, method: string, url: URL, rawBody: Buffer): Promise<ControlResult> {
  return handleFamilyControl(sim, method, url, rawBody, async ({ route, body }) => {
    switch (route) {
      case "GET /__sim/accounts":
        return controlOk(sim.accounts().map((a) => ({ ...a, credits: jsonAmount(a.credits) })));
      case "POST /__sim/accounts": {
        const b = body();
        const c = meteredAmount(b.credits);
        sim.addAccount({
          apiKey: str(b, "apiKey"),
          ...(optionalStr(b, "email") !== undefined ? { email: optionalStr(b, "email") } : {}),
          ...(optionalStr(b, "webhookSecret") !== undefined ? { webhookSecret: optionalStr(b, "webhookSecret") } : {}),
          ...(c !== undefined ? { credits: c } : {}),
          ...(b.webhookUrls !== undefined ? { webhookUrls: webhookUrls(b.webhookUrls) } : {}),
        });
        return controlOk(undefined, 201);
      }
      case "PUT /__sim/webhooks": {
        const b = body();
        sim.setWebhookUrls(str(b, "apiKey"), webhookUrls(b.urls));
        return controlOk();
      }
      case "POST /__sim/credits": {
        const b = body();
        const c = meteredAmount(b.credits);
        if (c === undefined) fail("credits is required");
        sim.setCredits(str(b, "apiKey"), c);
        return controlOk();
      }
      case "GET /__sim/webhook-deliveries":
        return controlOk(sim.webhookDeliveries);
      case "POST /__sim/webhook-deliveries/wait-idle":
        await sim.whenWebhooksIdle();
        return controlOk();
    }
    return undefined;
  });
}
