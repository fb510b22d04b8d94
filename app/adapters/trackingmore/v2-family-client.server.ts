import { z } from "zod";
import type {
  PollStrategy,
  RegistrationOutcome,
  TrackedNumber,
  TrackingProvider,
  TrackingRegistration,
  UpdatedSincePage,
} from "~/domain/ports";
import type { ProviderId, TrackingObservation } from "~/domain/tracking-observation";
import type { ThrottleRule } from "~/lib/provider-throttle.server";
import { parseProviderInstant } from "../shared/provider-dates";
import { rejectionReasonFor } from "./client-v4.server";
import { ALREADY_EXISTS_CODES } from "./errors";
import { observationFromV2 } from "./mappers";
import { TRACKINGMORE_SUBSTATUSES, type SubstatusTable } from "./status-codes";
import { v2BatchDataSchema, v2DetectDataSchema, v2EnvelopeSchema, v2ListDataSchema, v2TrackingSchema } from "./schemas";
import { TrackingMoreFamilyTransport, type TransportOptions } from "./transport.server";

/**
 * The "v2 family": TrackingMore API v2 and Tracktry v1 are the same API under different hosts,
 * key headers and limits (carrier-and-shopify-apis.md §A.1, §B, vendor-docs/). One client,
 * configured per provider.
 */
export interface V2FamilyProfile {
  provider: ProviderId & ("trackingmore" | "tracktry");
  substatuses: SubstatusTable;
  versionPath: "/v2" | "/v1";
  apiKeyHeader: string;
  /** Requests per second per account, for every endpoint (documented: 1). */
  rate: ThrottleRule;
  batchLimit: number;
  listPageSize: number;
}

export const TRACKINGMORE_V2_PROFILE: V2FamilyProfile = {
  provider: "trackingmore",
  substatuses: TRACKINGMORE_SUBSTATUSES,
  versionPath: "/v2",
  apiKeyHeader: "Trackingmore-Api-Key",
  rate: { perSecond: 1 },
  batchLimit: 40,
  listPageSize: 2000,
};

/**
 * `GET /trackings/getuserinfo` ("Get account info"). The v2 docs list the endpoint without a body;
 * the one public client reading it takes trackings left from `data.plan.remaining_order`. Anything
 * else (missing, null, not a number) is read as "not reported" rather than an error: the figure is
 * a courtesy on the dashboard, never a reason to stop tracking.
 */
const v2UserInfoSchema = z
  .object({ plan: z.object({ remaining_order: z.union([z.number(), z.string(), z.null()]).optional() }).partial().nullish() })
  .partial()
  .nullish();

/** Trackings the account may still create, or null when the provider does not say. */
export type RemainingQuota = { remaining: number } | null;

export class V2FamilyProvider implements TrackingProvider {
  readonly id: ProviderId;
  readonly maxBatchSize: number;
  readonly pollStrategy: PollStrategy;
  readonly registrationBringsHistory = true;
  readonly #transport: TrackingMoreFamilyTransport;
  readonly #profile: V2FamilyProfile;

  constructor(profile: V2FamilyProfile, options: Omit<TransportOptions, "service" | "apiKeyHeader" | "apiRoot"> & { baseUrl: string }) {
    this.#profile = profile;
    this.id = profile.provider;
    this.maxBatchSize = profile.batchLimit;
    this.pollStrategy = { kind: "updated_since", pageSize: profile.listPageSize };
    this.#transport = new TrackingMoreFamilyTransport(
      {
        ...options,
        service: profile.provider,
        apiKeyHeader: profile.apiKeyHeader,
        apiRoot: options.baseUrl.replace(/\/$/, "") + profile.versionPath,
      },
      v2EnvelopeSchema,
    );
  }

  async register(items: readonly TrackingRegistration[]): Promise<RegistrationOutcome[]> {
    if (items.length === 0) return [];
    const body = items.map((item) => ({
      tracking_number: item.trackingNumber,
      carrier_code: item.carrierCode,
      ...(item.orderName ? { order_id: item.orderName } : {}),
      ...(item.destinationCountry ? { destination_code: item.destinationCountry.toLowerCase() } : {}),
      ...(item.shipDate ? { tracking_ship_date: item.shipDate.toISOString().slice(0, 10).replaceAll("-", "") } : {}),
    }));
    const response = await this.#transport.send("all", this.#profile.rate, { method: "POST", path: "/trackings/batch", body });
    const data = this.#transport.parseData(v2BatchDataSchema, response.data, "batch response");
    const outcomes: RegistrationOutcome[] = data.trackings.map((item) => ({
      kind: "registered",
      trackingNumber: item.tracking_number,
      carrierCode: item.carrier_code ?? "",
      providerTrackingId: item.id,
    }));
    for (const item of data.errors) {
      if (ALREADY_EXISTS_CODES.has(item.code)) {
        outcomes.push({ kind: "already_registered", trackingNumber: item.tracking_number, carrierCode: item.carrier_code ?? "", providerTrackingId: null });
      } else {
        outcomes.push({
          kind: "rejected",
          trackingNumber: item.tracking_number,
          carrierCode: item.carrier_code ?? "",
          reason: rejectionReasonFor(item.code),
          code: String(item.code),
          message: item.message ?? `rejected by ${this.#profile.provider}`,
        });
      }
    }
    return outcomes;
  }

  /** The v2 family has no multi-number lookup; this is one call per number, so it is kept for the rare cases (already-registered numbers). */
  async fetch(items: readonly TrackedNumber[]): Promise<TrackingObservation[]> {
    const observations: TrackingObservation[] = [];
    for (const item of items) {
      const response = await this.#transport.send(
        "all",
        this.#profile.rate,
        { method: "GET", path: `/trackings/${encodeURIComponent(item.carrierCode)}/${encodeURIComponent(item.trackingNumber)}` },
        new Set([4017, 4031]),
      );
      if (response.metaCode === 4017 || response.metaCode === 4031) continue;
      observations.push(observationFromV2(this.#transport.parseData(v2TrackingSchema, response.data, "tracking"), this.id, this.#profile.substatuses));
    }
    return observations;
  }

  async fetchUpdatedSince(since: Date, page: number): Promise<UpdatedSincePage> {
    const limit = this.#profile.listPageSize;
    const response = await this.#transport.send("all", this.#profile.rate, {
      method: "GET",
      path: "/trackings/get",
      query: { page: String(page), limit: String(limit), update_time_min: String(Math.floor(since.getTime() / 1000)) },
    });
    const list = this.#transport.parseData(v2ListDataSchema, response.data ?? { items: [] }, "tracking list");
    const trackings = list.items.map((item) => this.#transport.parseData(v2TrackingSchema, item, "tracking"));
    let latestUpdate: Date | null = null;
    for (const tracking of trackings) {
      const updated = parseProviderInstant(tracking.updated_at)?.date ?? null;
      if (updated && (!latestUpdate || updated > latestUpdate)) latestUpdate = updated;
    }
    const total = list.total ?? trackings.length;
    return {
      observations: trackings.map((tracking) => observationFromV2(tracking, this.id, this.#profile.substatuses)),
      nextPage: page * limit < total && trackings.length > 0 ? page + 1 : null,
      latestUpdate,
    };
  }

  /**
   * One cheap authenticated call (the carrier list: free, creates nothing) to learn whether the
   * key works. Throws the same typed errors as every other call.
   */
  async checkAccess(): Promise<void> {
    await this.#transport.send("all", this.#profile.rate, { method: "GET", path: "/carriers" });
  }

  /** What the account has left, from one free call; throws the usual typed errors (bad key, 429). */
  async quota(): Promise<RemainingQuota> {
    const response = await this.#transport.send("all", this.#profile.rate, { method: "GET", path: "/trackings/getuserinfo" });
    const parsed = v2UserInfoSchema.safeParse(response.data);
    const raw = parsed.success ? parsed.data?.plan?.remaining_order : null;
    const remaining = typeof raw === "string" && /^\d+(\.\d+)?$/.test(raw.trim()) ? Number(raw) : raw;
    return typeof remaining === "number" && Number.isFinite(remaining) && remaining >= 0 ? { remaining: Math.floor(remaining) } : null;
  }

  async detectCarrier(trackingNumber: string): Promise<string[]> {
    const response = await this.#transport.send(
      "all",
      this.#profile.rate,
      { method: "POST", path: "/carriers/detect", body: { tracking_number: trackingNumber } },
      new Set([4032]),
    );
    if (response.metaCode === 4032) return [];
    return this.#transport.parseData(v2DetectDataSchema, response.data ?? [], "detect response").map((c) => c.code);
  }

  async stopTracking(item: TrackedNumber): Promise<void> {
    await this.#transport.send(
      "all",
      this.#profile.rate,
      { method: "DELETE", path: `/trackings/${encodeURIComponent(item.carrierCode)}/${encodeURIComponent(item.trackingNumber)}` },
      new Set([4017]),
    );
  }
}
