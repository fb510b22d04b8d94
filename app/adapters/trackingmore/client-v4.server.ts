import { z } from "zod";
import type {
  PollStrategy,
  RegistrationOutcome,
  RegistrationRejectionReason,
  TrackedNumber,
  TrackingProvider,
  TrackingRegistration,
} from "~/domain/ports";
import type { TrackingObservation } from "~/domain/tracking-observation";
import { ALREADY_EXISTS_CODES, QUOTA_CODES } from "./errors";
import { observationFromV4 } from "./mappers";
import { v4BatchDataSchema, v4DetectDataSchema, v4EnvelopeSchema, v4TrackingSchema } from "./schemas";
import { TrackingMoreFamilyTransport, type TransportOptions } from "./transport.server";

/**
 * TrackingMore API v4.
 * @see https://www.trackingmore.com/docs/trackingmore/  (SDKs: github.com/TrackingMore-API)
 * Limits: batch ≤ 40 items; create 3 req/s, every other endpoint 10 req/s per account.
 */

const BATCH_LIMIT = 40;
const RATE = { create: { perSecond: 3 }, other: { perSecond: 10 } } as const;

export function rejectionReasonFor(code: number): RegistrationRejectionReason {
  if ([4110, 4111, 4013, 4014].includes(code)) return "invalid_number";
  if ([4120, 4121, 4015, 4032].includes(code)) return "invalid_carrier";
  if (code === 4122) return "missing_fields";
  if (QUOTA_CODES.has(code)) return "quota_exhausted";
  return "other";
}

export class TrackingMoreV4Provider implements TrackingProvider {
  readonly id = "trackingmore" as const;
  readonly maxBatchSize = BATCH_LIMIT;
  readonly pollStrategy: PollStrategy = { kind: "by_numbers", maxNumbersPerFetch: BATCH_LIMIT };
  readonly registrationBringsHistory = true;
  readonly #transport: TrackingMoreFamilyTransport;

  constructor(options: Omit<TransportOptions, "service" | "apiKeyHeader" | "apiRoot"> & { baseUrl: string }) {
    this.#transport = new TrackingMoreFamilyTransport(
      {
        ...options,
        service: "trackingmore",
        apiKeyHeader: "Tracking-Api-Key",
        apiRoot: `${options.baseUrl.replace(/\/$/, "")}/v4`,
      },
      v4EnvelopeSchema,
    );
  }

  async register(items: readonly TrackingRegistration[]): Promise<RegistrationOutcome[]> {
    if (items.length === 0) return [];
    const body = items.map((item) => ({
      tracking_number: item.trackingNumber,
      courier_code: item.carrierCode,
      ...(item.orderName ? { order_number: item.orderName } : {}),
      ...(item.destinationCountry ? { tracking_destination_country: item.destinationCountry } : {}),
      ...(item.shipDate ? { tracking_ship_date: item.shipDate.toISOString().slice(0, 10).replaceAll("-", "") } : {}),
    }));
    const response = await this.#transport.send("batch", RATE.other, { method: "POST", path: "/trackings/batch", body });
    const data = this.#transport.parseData(v4BatchDataSchema, response.data, "batch response");

    const outcomes: RegistrationOutcome[] = [];
    for (const item of data.success) {
      outcomes.push({
        kind: "registered",
        trackingNumber: item.tracking_number,
        carrierCode: item.courier_code ?? "",
        providerTrackingId: item.id,
      });
    }
    for (const item of data.error) {
      const code = item.errorCode ?? 0;
      if (ALREADY_EXISTS_CODES.has(code)) {
        outcomes.push({ kind: "already_registered", trackingNumber: item.tracking_number, carrierCode: item.courier_code ?? "", providerTrackingId: item.id });
      } else {
        outcomes.push({
          kind: "rejected",
          trackingNumber: item.tracking_number,
          carrierCode: item.courier_code ?? "",
          reason: rejectionReasonFor(code),
          code: String(code),
          message: item.errorMessage ?? "rejected by TrackingMore",
        });
      }
    }
    return outcomes;
  }

  async fetch(items: readonly TrackedNumber[]): Promise<TrackingObservation[]> {
    const observations: TrackingObservation[] = [];
    for (let start = 0; start < items.length; start += BATCH_LIMIT) {
      const chunk = items.slice(start, start + BATCH_LIMIT);
      const carriers = new Set(chunk.map((item) => item.carrierCode));
      const response = await this.#transport.send("get", RATE.other, {
        method: "GET",
        path: "/trackings/get",
        query: {
          tracking_numbers: chunk.map((item) => item.trackingNumber).join(","),
          courier_code: carriers.size === 1 ? [...carriers][0] : undefined,
        },
      });
      const trackings = this.#transport.parseData(z.array(v4TrackingSchema), response.data ?? [], "tracking list");
      observations.push(...trackings.map(observationFromV4));
    }
    return observations;
  }

  /**
   * One cheap authenticated call (the courier list: free, creates nothing) to learn whether the
   * key works. Throws the same typed errors as every other call.
   */
  async checkAccess(): Promise<void> {
    await this.#transport.send("couriers", RATE.other, { method: "GET", path: "/couriers/all" });
  }

  async detectCarrier(trackingNumber: string): Promise<string[]> {
    // 4121 "cannot detect courier" is an answer, not a failure.
    const response = await this.#transport.send(
      "detect",
      RATE.other,
      { method: "POST", path: "/couriers/detect", body: { tracking_number: trackingNumber } },
      new Set([4121]),
    );
    if (response.metaCode === 4121) return [];
    return this.#transport.parseData(v4DetectDataSchema, response.data ?? [], "detect response").map((c) => c.courier_code);
  }

  async stopTracking(item: TrackedNumber): Promise<void> {
    let id = item.providerTrackingId ?? null;
    if (!id) {
      const [found] = await this.fetch([item]);
      id = found?.providerTrackingId ?? null;
      if (!id) return;
    }
    // Already gone (4112 invalid id / 4102 unknown) is what we wanted.
    await this.#transport.send("delete", RATE.other, { method: "DELETE", path: `/trackings/delete/${encodeURIComponent(id)}` }, new Set([4112, 4102]));
  }
}
