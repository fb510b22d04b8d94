import { requestUrl, startHttpServer } from "../lib/http-server";
import { ApiHost, type HostCall, type InjectedFault } from "./api-host";
import type { ApiModule } from "./api-types";
import { handleControlRequest } from "./control";
import { CourierRegistry } from "./couriers";
import { type AdvanceStep, advanceTracking, AutoProgress, progressAllTrackings } from "./progress";
import { SlidingWindowRateLimiter } from "./rate-limiter";
import { type NewAccount, type SimAccount, SimState, type SimTracking, toV2Status, type WebhookUrlConfig } from "./state";
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
export type { AdvanceStep } from "./progress";
export type { InjectedFault } from "./api-host";

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

export type SimCall = HostCall<"v4" | "v2">;

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
  const host = new ApiHost(apis, latencyMs);

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

  const autoProgress = new AutoProgress(async () => {
    const changed = progressAllTrackings(state, now);
    await webhooks.dispatch(changed.flatMap(({ account, tracking }) => webhookJobs(account, tracking)));
  });

  const sim: TrackingMoreSimulator = {
    url: "",
    close: async () => {
      sim.stopAutoProgress();
      webhooks.close();
      host.close();
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
      const { account, tracking, courier, changed } = advanceTracking(state, apiKey, trackingNumber, step, courierCode, now());
      if (changed) await webhooks.dispatch(webhookJobs(account, tracking));
      return renderV4Tracking(tracking, courier, now());
    },
    trackings: (apiKey) => [...state.requireAccount(apiKey).trackings.values()].sort((a, b) => a.seq - b.seq),
    calls: host.calls,
    resetCalls: () => host.resetCalls(),
    webhookDeliveries: webhooks.deliveries,
    whenWebhooksIdle: () => webhooks.whenIdle(),
    injectFaults: (count, fault) => host.injectFaults(count, fault),
    startAutoProgress: (intervalMs) => autoProgress.start(intervalMs),
    stopAutoProgress: () => autoProgress.stop(),
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

  const server = await startHttpServer((req, res) => host.handle(req, res, requestUrl(req), (method, url, body) => handleControlRequest(sim, method, url, body)), {
    port: options.port ?? 0,
  });
  sim.url = server.url;
  return sim;
}
