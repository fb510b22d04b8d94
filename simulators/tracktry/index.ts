import { requestUrl, startHttpServer } from "../lib/http-server";
import { ApiHost, type HostCall, type InjectedFault } from "../trackingmore/api-host";
import { type ApiModule, headerValue } from "../trackingmore/api-types";
import { CourierRegistry } from "../trackingmore/couriers";
import { type AdvanceStep, advanceTracking, AutoProgress, progressAllTrackings } from "../trackingmore/progress";
import { SlidingWindowRateLimiter } from "../trackingmore/rate-limiter";
import { SimState, type SimTracking } from "../trackingmore/state";
import { renderV2Item, type V2Item } from "../trackingmore/v2-family";
import { V4_MAX_PER_CALL } from "../trackingmore/v4";
import { handleTracktryControl } from "./control";
import { MonthlyQuotas } from "./quota";
import { createTracktryV1Api, TRACKTRY_FREE_MONTHLY_QUOTA } from "./v1";

/**
 * Tracktry simulator: API v1 at `${url}/v1` (header `Tracktry-Api-Key`), control surface at
 * `${url}/__sim/…`. Tracktry is a clone of TrackingMore's v2 API, so this is the TrackingMore simulator's
 * v2 family, store, journeys and HTTP plumbing with Tracktry's prefix, header, quota code (4019) and
 * limits. Tracktry documents no webhooks, so there are none: clients poll.
 */

export type { AdvanceStep, InjectedFault };
export type { ExplicitStep, ExplicitCheckpoint } from "../trackingmore/journey";
export type { SimTracking, SimCheckpoint, V2Status } from "../trackingmore/state";
export type { V2Item, V2Summary } from "../trackingmore/v2-family";
export { TRACKTRY_FREE_MONTHLY_QUOTA, TRACKTRY_MESSAGES } from "./v1";

export interface TracktrySimulatorOptions {
  /** Default 0 (random free port). */
  port?: number;
  /**
   * Requests per second per API key: `perKey` for every endpoint together except realtime (default 1),
   * `realtime` for POST /trackings/realtime (default 3). Infinity disables, 0 rejects everything.
   */
  rateLimits?: { perKey?: number; realtime?: number };
  /** Monthly quota of accounts added without their own. Default 500 (the free plan). */
  monthlyQuota?: number;
  /** Items one batch call accepts. Default 40 (assumed as in TrackingMore v2; more is 4020). */
  batchLimit?: number;
  /** Added to every API response (not to /__sim). Default 0. */
  latencyMs?: number;
  /** Clock for timestamps and the monthly refill. Default real time. */
  now?: () => Date;
}

export interface TracktryAccountSeed {
  apiKey: string;
  /** Numbers the account may add per calendar month. Default the simulator's `monthlyQuota`; Infinity = unmetered. */
  monthlyQuota?: number;
  /** Numbers left this month. Default the full monthly quota. */
  remaining?: number;
}

export interface TracktryAccountInfo {
  apiKey: string;
  monthlyQuota: number;
  remaining: number;
  deleted: boolean;
}

export type TracktryCall = HostCall<"v1">;

export interface TracktrySimulator {
  url: string;
  close(): Promise<void>;
  /** Adding an existing key updates its quota and revives it, keeping its trackings. */
  addAccount(seed: TracktryAccountSeed): void;
  /** Numbers left this month (the month's refill still comes when the clock enters the next month). */
  setQuota(apiKey: string, remaining: number): void;
  deleteKey(apiKey: string): void;
  /** Move one tracking forward (no webhook: Tracktry has none). Returns the tracking as GET /v1/trackings/{carrier}/{number} would. */
  advance(apiKey: string, trackingNumber: string, step: AdvanceStep, courierCode?: string): Promise<V2Item>;
  trackings(apiKey: string): ReadonlyArray<SimTracking>;
  readonly calls: ReadonlyArray<TracktryCall>;
  resetCalls(): void;
  injectFaults(count: number, fault: InjectedFault): void;
  startAutoProgress(intervalMs: number): void;
  stopAutoProgress(): void;
  accounts(): ReadonlyArray<Readonly<TracktryAccountInfo>>;
}

const NO_WEBHOOK_FIELDS = ["webhookUrls", "webhookSecret"] as const;

export async function startTracktrySimulator(options: TracktrySimulatorOptions = {}): Promise<TracktrySimulator> {
  const now = options.now ?? (() => new Date());
  const defaultQuota = options.monthlyQuota ?? TRACKTRY_FREE_MONTHLY_QUOTA;
  const state = new SimState(new CourierRegistry(), now);
  const quotas = new MonthlyQuotas(state, now);
  const ctx = { state, limiter: new SlidingWindowRateLimiter(), now, batchLimit: options.batchLimit ?? V4_MAX_PER_CALL };
  const v1 = createTracktryV1Api(ctx, { default: options.rateLimits?.perKey ?? 1, realtime: options.rateLimits?.realtime ?? 3 });
  // The month turns over on the first request after it began.
  const metered: ApiModule = {
    prefix: v1.prefix,
    apiKeyHeader: v1.apiKeyHeader,
    faultResponse: (httpStatus, metaCode) => v1.faultResponse(httpStatus, metaCode),
    handle(req) {
      const auth = state.authenticate(headerValue(req.headers, v1.apiKeyHeader));
      if (auth.kind === "ok") quotas.refill(auth.account);
      return v1.handle(req);
    },
  };
  const host = new ApiHost([{ api: "v1" as const, module: metered }], options.latencyMs ?? 0);
  // Nothing to push: a change is only visible to the next poll.
  const autoProgress = new AutoProgress(async () => {
    progressAllTrackings(state, now);
  });

  const sim: TracktrySimulator = {
    url: "",
    close: async () => {
      autoProgress.stop();
      host.close();
      await server.close();
    },
    addAccount(seed) {
      for (const field of NO_WEBHOOK_FIELDS) {
        if ((seed as unknown as Record<string, unknown>)[field] !== undefined) {
          throw new Error(`Tracktry accounts have no ${field}: Tracktry documents no webhooks, clients poll GET /v1/trackings/get`);
        }
      }
      const monthlyQuota = seed.monthlyQuota ?? defaultQuota;
      state.addAccount({ apiKey: seed.apiKey });
      quotas.set(seed.apiKey, monthlyQuota, seed.remaining ?? monthlyQuota);
    },
    setQuota: (apiKey, remaining) => quotas.setRemaining(apiKey, remaining),
    deleteKey: (apiKey) => state.deleteKey(apiKey),
    async advance(apiKey, trackingNumber, step, courierCode) {
      const { tracking, courier } = advanceTracking(state, apiKey, trackingNumber, step, courierCode, now());
      return renderV2Item(tracking, courier, now());
    },
    trackings: (apiKey) => [...state.requireAccount(apiKey).trackings.values()].sort((a, b) => a.seq - b.seq),
    calls: host.calls,
    resetCalls: () => host.resetCalls(),
    injectFaults: (count, fault) => host.injectFaults(count, fault),
    startAutoProgress: (intervalMs) => autoProgress.start(intervalMs),
    stopAutoProgress: () => autoProgress.stop(),
    accounts: () =>
      state.allAccounts().map((account) => {
        quotas.refill(account);
        return { apiKey: account.apiKey, monthlyQuota: quotas.monthlyQuota(account.apiKey), remaining: account.credits, deleted: account.deleted };
      }),
  };

  const server = await startHttpServer((req, res) => host.handle(req, res, requestUrl(req), (method, url, body) => handleTracktryControl(sim, method, url, body)), {
    port: options.port ?? 0,
  });
  sim.url = server.url;
  return sim;
}
