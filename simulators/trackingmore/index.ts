import type { IncomingMessage, ServerResponse } from "node:http";
import { readBody, requestUrl, sendJson, sleep, startHttpServer } from "../lib/http-server";
import { type ApiModule, type ApiResponse, headerValue } from "./api-types";
import { handleControlRequest } from "./control";
import { CourierRegistry } from "./couriers";
import { applyExplicitStep, applyNextStep, type ExplicitStep } from "./journey";
import { SlidingWindowRateLimiter } from "./rate-limiter";
import { FINAL_STATUSES, type NewAccount, type SimAccount, SimState, type SimTracking, toV2Status, type WebhookUrlConfig } from "./state";
import { createTrackingMoreV2Api } from "./v2";
import { renderV2Item } from "./v2-family";
import { createV4Api, V4_MAX_PER_CALL } from "./v4";
import { renderV4Tracking, type V4Tracking } from "./v4-shape";
import { WebhookDispatcher, type WebhookDelivery, type WebhookJob } from "./webhooks";

/**
 * TrackingMore simulator: API v4 at `${url}/v4`, legacy v2 at `${url}/v2`, control surface at
 * `${url}/__sim/…`. A model of TrackingMore's documented contract (envelopes, codes, limits, webhooks),
 * used by integration tests and by the offline demo. See the module docs of v4.ts, v2-family.ts and
 * webhooks.ts for the behaviour chosen where TrackingMore's documentation is silent.
 */

export type { SimAccount, SimCheckpoint, SimTracking, V4Status, V2Status, WebhookUrlConfig } from "./state";
export type { V4Tracking } from "./v4-shape";
export type { V2Item, V2Summary } from "./v2-family";
export type { WebhookDelivery } from "./webhooks";
export type { ExplicitStep, ExplicitCheckpoint } from "./journey";
export { signV2Webhook, signV4Webhook } from "./webhooks";
export { DEFAULT_COURIERS, type Courier } from "./couriers";

export interface TrackingMoreSimulatorOptions {
  /** Default 0 (random free port). */
  port?: number;
  /** Requests per second per account per endpoint. Defaults are TrackingMore's documented ones. Infinity disables. */
  rateLimits?: { v4Create?: number; v4Other?: number; v2?: number; v2Realtime?: number };
  /** Retry n waits 2^n × base. Default 15 000, so retry 1 comes after the documented 30 s. */
  webhookRetryBaseMs?: number;
  /** Default 14. */
  webhookMaxRetries?: number;
  /** Per-attempt webhook timeout. Default 10 000. */
  webhookTimeoutMs?: number;
  /**
   * Items one batch call accepts. Default 40, the documented limit; lower models an account whose
   * real limit is below the documented one (clients must split on 4103/4020).
   */
  batchLimit?: number;
  /** Added to every API response (not to /__sim). Default 0. */
  latencyMs?: number;
  /** Clock for created/update/checkpoint timestamps and webhook signatures. Default real time. */
  now?: () => Date;
}

export type AdvanceStep = "next" | ExplicitStep;

export interface SimCall {
  /** Epoch ms (real clock) when the request arrived. */
  at: number;
  method: string;
  /** Path without the query string, e.g. `/v4/trackings/get`. */
  path: string;
  /** Raw query string without `?`. */
  query: string;
  api: "v4" | "v2" | "control";
  apiKey: string | null;
  /** 0 for a request held by a `timeout` fault. */
  httpStatus: number;
  /** meta.code of the answer; 0 for control calls and held requests. */
  metaCode: number;
}

export type InjectedFault = { kind: "http"; httpStatus: number; metaCode: number } | { kind: "timeout" };

export interface TrackingMoreSimulator {
  url: string;
  close(): Promise<void>;
  addAccount(a: NewAccount & { webhookUrls?: WebhookUrlConfig[] }): void;
  setWebhookUrls(apiKey: string, urls: WebhookUrlConfig[]): void;
  setCredits(apiKey: string, credits: number): void;
  deleteKey(apiKey: string): void;
  /**
   * Move one tracking forward and push webhooks. Resolves after the first delivery attempts finished
   * (retries continue in the background). `courierCode` disambiguates a number tracked with several couriers.
   */
  advance(apiKey: string, trackingNumber: string, step: AdvanceStep, courierCode?: string): Promise<V4Tracking>;
  trackings(apiKey: string): ReadonlyArray<SimTracking>;
  readonly calls: ReadonlyArray<SimCall>;
  resetCalls(): void;
  readonly webhookDeliveries: ReadonlyArray<WebhookDelivery>;
  /** Resolves when no webhook attempt is in flight or scheduled. */
  whenWebhooksIdle(): Promise<void>;
  injectFaults(count: number, fault: InjectedFault): void;
  startAutoProgress(intervalMs: number): void;
  stopAutoProgress(): void;
  /** Account settings for inspection (credits Infinity = unmetered). */
  accounts(): ReadonlyArray<Readonly<Pick<SimAccount, "apiKey" | "email" | "webhookSecret" | "credits" | "deleted" | "webhookUrls">>>;
}

function checkFault(fault: InjectedFault): InjectedFault {
  if (fault.kind === "timeout") return { kind: "timeout" };
  if (fault.kind === "http" && Number.isInteger(fault.httpStatus) && fault.httpStatus >= 100 && fault.httpStatus <= 599 && Number.isInteger(fault.metaCode)) {
    return { kind: "http", httpStatus: fault.httpStatus, metaCode: fault.metaCode };
  }
  throw new Error("fault must be {kind:'timeout'} or {kind:'http', httpStatus: 100-599, metaCode: integer}");
}

export async function startTrackingMoreSimulator(options: TrackingMoreSimulatorOptions = {}): Promise<TrackingMoreSimulator> {
  const now = options.now ?? (() => new Date());
  const latencyMs = options.latencyMs ?? 0;
  const rateLimits = {
    v4Create: options.rateLimits?.v4Create ?? 3,
    v4Other: options.rateLimits?.v4Other ?? 10,
    v2: options.rateLimits?.v2 ?? 1,
    v2Realtime: options.rateLimits?.v2Realtime ?? 3,
  };
  const couriers = new CourierRegistry();
  const state = new SimState(couriers, now);
  const ctx = { state, limiter: new SlidingWindowRateLimiter(), now, batchLimit: options.batchLimit ?? V4_MAX_PER_CALL };
  const apis: Array<{ api: "v4" | "v2"; module: ApiModule }> = [
    { api: "v4", module: createV4Api(ctx, rateLimits) },
    { api: "v2", module: createTrackingMoreV2Api(ctx, rateLimits) },
  ];
  const webhooks = new WebhookDispatcher({
    // "Retry 1 = 30 s", doubling: 2^n × 15 s (see README, retry schedule).
    retryBaseMs: options.webhookRetryBaseMs ?? 15_000,
    maxRetries: options.webhookMaxRetries ?? 14,
    timeoutMs: options.webhookTimeoutMs ?? 10_000,
    now,
  });
  const calls: SimCall[] = [];
  const faults: Array<{ remaining: number; fault: InjectedFault }> = [];
  let releaseHeld: () => void = () => {};
  const held = new Promise<void>((resolve) => {
    releaseHeld = resolve;
  });
  let autoProgress: NodeJS.Timeout | null = null;
  let progressing = false;

  const takeFault = (): InjectedFault | undefined => {
    const head = faults[0];
    if (!head) return undefined;
    head.remaining -= 1;
    if (head.remaining <= 0) faults.shift();
    return head.fault;
  };

  const webhookJobs = (account: SimAccount, t: SimTracking): WebhookJob[] => {
    if (account.deleted) return [];
    const courier = couriers.get(t.courierCode);
    const at = now();
    return account.webhookUrls
      .filter((u) => !u.statuses || u.statuses.includes(u.version === "v4" ? t.status : toV2Status(t.status)))
      .map((u) => ({
        url: u.url,
        version: u.version,
        trackingNumber: t.trackingNumber,
        // v4 signs with the webhook secret; accounts without one (older setups) sign with their e-mail.
        signingKey: u.version === "v4" ? (account.webhookSecret ?? account.email) : account.email,
        data: u.version === "v4" ? renderV4Tracking(t, courier, at) : renderV2Item(t, courier, at, "string"),
      }));
  };

  const progressAll = async (): Promise<void> => {
    if (progressing) return;
    progressing = true;
    try {
      const jobs: WebhookJob[] = [];
      for (const account of state.allAccounts()) {
        if (account.deleted) continue;
        for (const t of account.trackings.values()) {
          const courier = couriers.get(t.courierCode);
          if (!courier || FINAL_STATUSES.has(t.status)) continue;
          if (applyNextStep(t, courier, now())) jobs.push(...webhookJobs(account, t));
        }
      }
      await webhooks.dispatch(jobs);
    } finally {
      progressing = false;
    }
  };

  const handleApi = async (api: "v4" | "v2", module: ApiModule, req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> => {
    const arrived = Date.now();
    const body = await readBody(req);
    const method = req.method ?? "GET";
    const base = { at: arrived, method, path: url.pathname, query: url.search.slice(1), api, apiKey: headerValue(req.headers, module.apiKeyHeader) };
    const fault = takeFault();
    if (fault?.kind === "timeout") {
      calls.push({ ...base, httpStatus: 0, metaCode: 0 });
      // Never answer; close() destroys the socket.
      await held;
      return;
    }
    let result: ApiResponse;
    try {
      result = fault
        ? module.faultResponse(fault.httpStatus, fault.metaCode)
        : await module.handle({ method, path: url.pathname.slice(module.prefix.length) || "/", query: url.searchParams, headers: req.headers, body });
    } catch (error) {
      calls.push({ ...base, httpStatus: 500, metaCode: 0 });
      throw error;
    }
    if (latencyMs > 0) await sleep(latencyMs);
    sendJson(res, result.httpStatus, result.body);
    calls.push({ ...base, httpStatus: result.httpStatus, metaCode: result.body.meta.code });
  };

  const sim: TrackingMoreSimulator = {
    url: "",
    close: async () => {
      sim.stopAutoProgress();
      webhooks.close();
      releaseHeld();
      await server.close();
    },
    addAccount(a) {
      state.addAccount(a);
      if (a.webhookUrls) state.setWebhookUrls(a.apiKey, a.webhookUrls);
    },
    setWebhookUrls: (apiKey, urls) => state.setWebhookUrls(apiKey, urls),
    setCredits: (apiKey, credits) => state.setCredits(apiKey, credits),
    deleteKey: (apiKey) => state.deleteKey(apiKey),
    async advance(apiKey, trackingNumber, step, courierCode) {
      const account = state.requireAccount(apiKey);
      const matches = state.find(account, trackingNumber, courierCode);
      if (matches.length === 0) throw new Error(`no tracking ${trackingNumber} in account ${apiKey}`);
      if (matches.length > 1) {
        throw new Error(`${trackingNumber} is tracked with ${matches.map((t) => t.courierCode).join(", ")}; pass courierCode`);
      }
      const t = matches[0]!;
      const courier = couriers.get(t.courierCode);
      if (!courier) throw new Error(`tracking ${t.id} has unknown courier ${t.courierCode}`);
      let changed = true;
      if (step === "next") changed = applyNextStep(t, courier, now());
      else applyExplicitStep(t, step, now());
      if (changed) await webhooks.dispatch(webhookJobs(account, t));
      return renderV4Tracking(t, courier, now());
    },
    trackings: (apiKey) => [...state.requireAccount(apiKey).trackings.values()].sort((a, b) => a.seq - b.seq),
    calls,
    resetCalls: () => {
      calls.length = 0;
    },
    webhookDeliveries: webhooks.deliveries,
    whenWebhooksIdle: () => webhooks.whenIdle(),
    injectFaults(count, fault) {
      if (!Number.isInteger(count) || count < 0) throw new Error("injectFaults: count must be an integer >= 0");
      if (count > 0) faults.push({ remaining: count, fault: checkFault(fault) });
    },
    startAutoProgress(intervalMs) {
      if (!(intervalMs > 0)) throw new Error("startAutoProgress: intervalMs must be > 0");
      sim.stopAutoProgress();
      // progressAll never rejects in practice (delivery failures are recorded, not thrown); guard anyway so
      // a bug shows up in the call log rather than as an unhandled rejection killing the demo.
      autoProgress = setInterval(() => void progressAll().catch(() => undefined), intervalMs);
      autoProgress.unref();
    },
    stopAutoProgress() {
      if (autoProgress) clearInterval(autoProgress);
      autoProgress = null;
    },
    accounts: () =>
      state.allAccounts().map((a) => ({
        apiKey: a.apiKey,
        email: a.email,
        webhookSecret: a.webhookSecret,
        credits: a.credits,
        deleted: a.deleted,
        webhookUrls: a.webhookUrls.map((u) => ({ ...u })),
      })),
  };

  const server = await startHttpServer(
    async (req, res) => {
      const url = requestUrl(req);
      if (url.pathname === "/__sim" || url.pathname.startsWith("/__sim/")) {
        const arrived = Date.now();
        const body = await readBody(req);
        const result = await handleControlRequest(sim, req.method ?? "GET", url, body);
        sendJson(res, result.httpStatus, result.body);
        calls.push({ at: arrived, method: req.method ?? "GET", path: url.pathname, query: url.search.slice(1), api: "control", apiKey: null, httpStatus: result.httpStatus, metaCode: 0 });
        return;
      }
      for (const { api, module } of apis) {
        if (url.pathname === module.prefix || url.pathname.startsWith(`${module.prefix}/`)) return handleApi(api, module, req, res, url);
      }
      sendJson(res, 404, { error: `no simulated API at ${url.pathname}; use /v4, /v2 or /__sim` });
    },
    { port: options.port ?? 0 },
  );
  sim.url = server.url;
  return sim;
}
