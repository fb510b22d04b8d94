import type { IncomingMessage, ServerResponse } from "node:http";
import { isBodyDamage, sendDamagedJson } from "../lib/damaged-response";
import { readBody, requestUrl, sendJson, startHttpServer } from "../lib/http-server";
import { handleControlRequest } from "./control";
import { type ApiResult, upsError } from "./errors";
import { applyEvent, applyPreset, cieEvents, type PushEventInput, renderEventBody } from "./events";
import { OAuthServer } from "./oauth";
import { buildPackage, emptyPackage, type SimPackage, type StoredPackage } from "./packages";
import { RateLimiter } from "./rate-limiter";
import { isStatusPreset } from "./statuses";
import { handleTrackDetails, TRACK_DETAILS_PATH } from "./track-api";
import { type Subscription, SubscriptionStore, subscriptionResponse, validateSubscription } from "./track-alert";
import { type DeliveryResult, WebhookDeliverer } from "./webhooks";

/**
 * UPS simulator: OAuth client credentials, Track API and Track Alert v1 (subscriptions + webhooks) on
 * loopback, at UPS's own paths, with controls under `/__sim/…`. It models UPS's documented contract,
 * not Tracklight; see README.md for the choices made where UPS's documentation is silent.
 */

export type { SimActivity, SimAddress, SimLocation, SimPackage, DeliveryWindow } from "./packages";
export type { UpsStatus, StatusPreset } from "./statuses";
export type { SimTrackAlertEvent, PushEventInput, TrackingEventRequest } from "./events";
export type { DeliveryResult } from "./webhooks";
export type { Subscription } from "./track-alert";
export { STATUS_PRESETS, STATUS_PRESET_NAMES } from "./statuses";
export { CIE_TRACKING_NUMBERS, CIE_EVENT_COUNT } from "./events";
export { ERROR_MESSAGES } from "./errors";
export { WEBHOOK_USER_AGENT } from "./webhooks";

export type UpsApi = "oauth" | "track" | "trackalert";

export interface UpsSimulatorOptions {
  /** Default 0 (random free port). */
  port?: number;
  /** "cie" reproduces the Customer Integration Environment rules; "production" accepts any valid 1Z/1R number. Default "production". */
  environment?: "production" | "cie";
  /** Default 14399 (`expires_in` is a string in responses). */
  tokenLifetimeSeconds?: number;
  /** Gap between CIE events, and before the first one. Default 1000 (documented: "spaced 1 second apart"). */
  cieEventSpacingMs?: number;
  /** CIE event timestamps: the documented examples' (default) or the same sequence ending now. */
  cieTimestamps?: "documented" | "now";
  /** A receiver slower than this counts as failed. Default 5000. */
  webhookTimeoutMs?: number;
  /** Requests per second per client id (token, Track, Track Alert together). Default Infinity. Over → 429 "Quota Limit Exceeded". */
  rateLimitPerSecond?: number;
  /** Simulator clock: token expiry, subscription expiry, event times. Default real time. */
  now?: () => Date;
}

export interface UpsCall {
  /** Epoch ms (real clock) when the request arrived. */
  at: number;
  method: string;
  /** Path without the query string. */
  path: string;
  api: UpsApi | "control";
  clientId: string | null;
  /** 0 for a request held by a `timeout` fault. */
  httpStatus: number;
  /** `response.errors[0].code` of an error answer, else null. */
  errorCode: string | null;
  transId: string | null;
}

/**
 * `api` limits a fault to one API (default: the next API request of any kind). `truncated`/`malformed`:
 * a 200 whose body is not JSON (../lib/damaged-response.ts); a truncated answer's work was done.
 */
export type UpsFault = ({ kind: "http"; httpStatus: number; code: string; message?: string } | { kind: "timeout" } | { kind: "truncated" } | { kind: "malformed" }) & { api?: UpsApi };

export interface UpsSimulator {
  url: string;
  readonly environment: "production" | "cie";
  close(): Promise<void>;
  /** Adds a client or replaces its secret; re-adding a revoked client reinstates it (old tokens stay dead). */
  addClient(c: { clientId: string; clientSecret: string }): void;
  /** Afterwards token requests answer 401 and existing tokens stop working (401 250002). */
  revokeClient(clientId: string): void;
  /** Make issued tokens (of one client, or all) expired now → APIs answer 401 251004. */
  expireTokens(clientId?: string): void;
  /** Successful token requests of a client. */
  tokensIssued(clientId: string): number;
  clients(): ReadonlyArray<{ clientId: string; revoked: boolean; tokensIssued: number }>;
  /** Create or replace a package the Track API knows, with its history (oldest first). */
  setPackage(trackingNumber: string, p: SimPackage): void;
  /** The stored model of a package (for inspection), or undefined. */
  getPackage(trackingNumber: string): Readonly<StoredPackage> | undefined;
  /**
   * Production mode: append an event to a package (created if unknown) and POST it to every live
   * subscription of the number. Resolves with one result per subscription once all attempts ended.
   */
  pushEvent(trackingNumber: string, event: PushEventInput): Promise<DeliveryResult[]>;
  subscriptions(): ReadonlyArray<Subscription>;
  readonly calls: ReadonlyArray<UpsCall>;
  resetCalls(): void;
  readonly deliveries: ReadonlyArray<DeliveryResult>;
  /** The next `count` API requests (of `fault.api`, if set) get this answer instead of normal handling. */
  injectFaults(count: number, fault: UpsFault): void;
  /** Resolves when no webhook is in flight or scheduled (CIE runs included). */
  whenDeliveriesIdle(): Promise<void>;
}

const TOKEN_PATH = "/security/v1/oauth/token";
const SUBSCRIPTION_PATH = "/api/track/v1/subscription/standard/package";

function checkFault(fault: UpsFault): UpsFault {
  const api = fault.api;
  if (api !== undefined && api !== "oauth" && api !== "track" && api !== "trackalert") throw new Error('fault.api must be "oauth", "track" or "trackalert"');
  const scope = api ? { api } : {};
  if (fault.kind === "timeout") return { kind: "timeout", ...scope };
  if (isBodyDamage(fault.kind)) return { kind: fault.kind, ...scope };
  if (fault.kind === "http" && Number.isInteger(fault.httpStatus) && fault.httpStatus >= 100 && fault.httpStatus <= 599 && typeof fault.code === "string" && fault.code !== "") {
    if (fault.message !== undefined && typeof fault.message !== "string") throw new Error("fault.message must be a string");
    return { kind: "http", httpStatus: fault.httpStatus, code: fault.code, ...(fault.message !== undefined ? { message: fault.message } : {}), ...scope };
  }
  throw new Error("fault must be {kind:'timeout'|'truncated'|'malformed'} or {kind:'http', httpStatus: 100-599, code: non-empty string, message?}");
}

function classify(path: string): UpsApi | null {
  if (path.startsWith("/security/")) return "oauth";
  if (path.startsWith("/api/track/v1/subscription")) return "trackalert";
  if (path.startsWith("/api/")) return "track";
  return null;
}

function headerValue(req: IncomingMessage, name: string): string | null {
  const raw = req.headers[name];
  return (Array.isArray(raw) ? raw[0] : raw) ?? null;
}

export async function startUpsSimulator(options: UpsSimulatorOptions = {}): Promise<UpsSimulator> {
  const now = options.now ?? (() => new Date());
  const environment = options.environment ?? "production";
  if (environment !== "production" && environment !== "cie") throw new Error('environment must be "production" or "cie"');
  const tokenLifetimeSeconds = options.tokenLifetimeSeconds ?? 14_399;
  if (!(Number.isInteger(tokenLifetimeSeconds) && tokenLifetimeSeconds > 0)) throw new Error("tokenLifetimeSeconds must be a positive integer");
  const spacingMs = options.cieEventSpacingMs ?? 1000;
  if (!(spacingMs >= 0)) throw new Error("cieEventSpacingMs must be >= 0");
  const cieTimestamps = options.cieTimestamps ?? "documented";
  const webhookTimeoutMs = options.webhookTimeoutMs ?? 5000;
  if (!(webhookTimeoutMs > 0)) throw new Error("webhookTimeoutMs must be > 0");

  const oauth = new OAuthServer(now, tokenLifetimeSeconds);
  const limiter = new RateLimiter(options.rateLimitPerSecond ?? Number.POSITIVE_INFINITY);
  const packages = new Map<string, StoredPackage>();
  const subscriptions = new SubscriptionStore(now);
  const deliverer = new WebhookDeliverer(webhookTimeoutMs);
  const calls: UpsCall[] = [];
  const faults: Array<{ remaining: number; fault: UpsFault }> = [];
  let releaseHeld: () => void = () => {};
  const held = new Promise<void>((resolve) => {
    releaseHeld = resolve;
  });

  const takeFault = (api: UpsApi): UpsFault | undefined => {
    const index = faults.findIndex((f) => f.fault.api === undefined || f.fault.api === api);
    if (index < 0) return undefined;
    const entry = faults[index]!;
    entry.remaining -= 1;
    if (entry.remaining <= 0) faults.splice(index, 1);
    return entry.fault;
  };

  /**
   * One CIE run per accepted number and submission: the 7 documented events, `spacingMs` apart, the first
   * one `spacingMs` after the answer. The run owns a fresh package that becomes the number's Track API
   * history (a newer run replaces it; an older run still delivers its remaining events).
   */
  const startCieRun = (trackingNumber: string, url: string, credential: string): void => {
    const pkg = emptyPackage(trackingNumber);
    packages.set(trackingNumber, pkg);
    // A run publishes in order: an event due while the previous attempt is still running waits for it,
    // so a slow receiver (or a tiny spacing) cannot see the sequence shuffled.
    let previous: Promise<unknown> = Promise.resolve();
    cieEvents(cieTimestamps, now()).forEach((event, i) => {
      deliverer.schedule((i + 1) * spacingMs, () => {
        const send = previous.then(() => {
          const activity = applyEvent(pkg, event, now());
          // The documented first example has a leading space in trackingNumber; reproduced so receivers learn to trim.
          const body = renderEventBody(trackingNumber, pkg, activity, { leadingSpace: i === 0 });
          return deliverer.deliver({ url, credential, trackingNumber, body });
        });
        previous = send;
        return send;
      });
    });
  };

  const route = (api: UpsApi, req: IncomingMessage, url: URL, body: Buffer): ApiResult => {
    const method = req.method ?? "GET";
    const path = url.pathname;
    const details = TRACK_DETAILS_PATH.exec(path);
    const expected = path === TOKEN_PATH ? "POST" : path === SUBSCRIPTION_PATH ? "POST" : details ? "GET" : null;
    if (expected === null) return upsError(404, "404", oauth.identify(req.headers));
    if (method !== expected) return upsError(405, "405", oauth.identify(req.headers));

    if (api === "oauth") return oauth.handleToken(req.headers, body, (clientId) => limiter.tryAcquire(clientId));

    const bearer = oauth.checkBearer(req.headers);
    if (!bearer.ok) return bearer.result;
    const clientId = bearer.clientId;
    if (!limiter.tryAcquire(clientId)) return upsError(429, "429", clientId);

    if (details) return handleTrackDetails(req.headers, details[1]!, url.searchParams, clientId, (n) => packages.get(n));

    const checked = validateSubscription(req.headers, body, clientId, environment);
    if (!checked.ok) return checked.result;
    const { accepted, invalid } = checked;
    const result: ApiResult = { httpStatus: 200, body: subscriptionResponse(accepted, invalid), clientId, errorCode: null };
    // CIE "will not create any subscription": it only plays the test sequence to the destination.
    if (environment === "cie") result.afterResponse = () => accepted.trackingNumbers.forEach((n) => startCieRun(n, accepted.url, accepted.credential));
    else subscriptions.subscribe(accepted);
    return result;
  };

  const handleApi = async (api: UpsApi, req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> => {
    const arrived = Date.now();
    const body = await readBody(req);
    const base = { at: arrived, method: req.method ?? "GET", path: url.pathname, api, transId: headerValue(req, "transid") };
    const fault = takeFault(api);
    if (fault?.kind === "timeout") {
      calls.push({ ...base, clientId: oauth.identify(req.headers), httpStatus: 0, errorCode: null });
      // Never answer; close() destroys the socket.
      await held;
      return;
    }
    if (fault?.kind === "truncated" || fault?.kind === "malformed") {
      const done = fault.kind === "truncated" ? route(api, req, url, body) : undefined;
      sendDamagedJson(res, fault.kind, done?.body);
      calls.push({ ...base, clientId: done?.clientId ?? oauth.identify(req.headers), httpStatus: 200, errorCode: null });
      done?.afterResponse?.();
      return;
    }
    const result = fault ? upsError(fault.httpStatus, fault.code, oauth.identify(req.headers), fault.message !== undefined ? { message: fault.message } : {}) : route(api, req, url, body);
    sendJson(res, result.httpStatus, result.body);
    calls.push({ ...base, clientId: result.clientId, httpStatus: result.httpStatus, errorCode: result.errorCode });
    result.afterResponse?.();
  };

  const normalize = (trackingNumber: string): string => {
    if (typeof trackingNumber !== "string" || trackingNumber.trim() === "") throw new Error("trackingNumber must be a non-empty string");
    return trackingNumber.trim().toUpperCase();
  };

  const sim: UpsSimulator = {
    url: "",
    environment,
    close: async () => {
      deliverer.close();
      releaseHeld();
      await server.close();
    },
    addClient: (c) => oauth.addClient(c.clientId, c.clientSecret),
    revokeClient: (clientId) => oauth.revokeClient(clientId),
    expireTokens: (clientId) => oauth.expireTokens(clientId),
    tokensIssued: (clientId) => oauth.tokensIssued(clientId),
    clients: () => oauth.listClients(),
    setPackage(trackingNumber, p) {
      const n = normalize(trackingNumber);
      packages.set(n, buildPackage(n, p));
    },
    getPackage: (trackingNumber) => packages.get(normalize(trackingNumber)),
    async pushEvent(trackingNumber, event) {
      if (environment === "cie") throw new Error("pushEvent needs environment 'production': CIE creates no subscriptions, it only plays the test sequence");
      const n = normalize(trackingNumber);
      let pkg = packages.get(n);
      if (!pkg) {
        pkg = emptyPackage(n);
        packages.set(n, pkg);
      }
      let activity;
      if ("preset" in event) {
        if (!isStatusPreset(event.preset)) throw new Error(`unknown preset ${JSON.stringify(event.preset)}`);
        activity = applyPreset(pkg, event.preset, now());
      } else {
        activity = applyEvent(pkg, event, now());
      }
      const body = renderEventBody(n, pkg, activity);
      return Promise.all(subscriptions.live(n).map((s) => deliverer.deliver({ url: s.url, credential: s.credential, trackingNumber: n, body })));
    },
    subscriptions: () => subscriptions.all(),
    calls,
    resetCalls: () => {
      calls.length = 0;
    },
    deliveries: deliverer.deliveries,
    injectFaults(count, fault) {
      if (!Number.isInteger(count) || count < 0) throw new Error("injectFaults: count must be an integer >= 0");
      const checked = checkFault(fault);
      if (count > 0) faults.push({ remaining: count, fault: checked });
    },
    whenDeliveriesIdle: () => deliverer.whenIdle(),
  };

  const server = await startHttpServer(
    async (req, res) => {
      const url = requestUrl(req);
      if (url.pathname === "/__sim" || url.pathname.startsWith("/__sim/")) {
        const arrived = Date.now();
        const body = await readBody(req);
        const result = await handleControlRequest(sim, req.method ?? "GET", url, body);
        sendJson(res, result.httpStatus, result.body);
        calls.push({ at: arrived, method: req.method ?? "GET", path: url.pathname, api: "control", clientId: null, httpStatus: result.httpStatus, errorCode: null, transId: null });
        return;
      }
      const api = classify(url.pathname);
      if (api) return handleApi(api, req, res, url);
      sendJson(res, 404, upsError(404, "404", null).body);
    },
    { port: options.port ?? 0 },
  );
  sim.url = server.url;
  return sim;
}

