import type { ProviderId, TrackingObservation } from "./tracking-observation";

/** What we send a provider to start tracking one number. No customer personal data: the provider does not need it. */
export interface TrackingRegistration {
  trackingNumber: string;
  carrierCode: string;
  orderName?: string | null;
  destinationCountry?: string | null;
  /** Some carriers (e.g. Deutsche Post) need the ship date to answer at all. */
  shipDate?: Date | null;
}

/**
 * `quota_exhausted` is not about the number: the account ran dry part-way through a batch,
 * and the number should be registered once the merchant tops up.
 */
export type RegistrationRejectionReason = "invalid_number" | "invalid_carrier" | "missing_fields" | "quota_exhausted" | "other";

export type RegistrationOutcome =
  | {
      kind: "registered";
      trackingNumber: string;
      carrierCode: string;
      providerTrackingId: string | null;
      /** Providers that answer a registration with current data (v4 create, UPS history) pass it on. */
      observation?: TrackingObservation;
      /** When the registration lapses and must be renewed (UPS Track Alert: 14 days); absent when it lasts. */
      subscriptionExpiresAt?: Date;
    }
  | { kind: "already_registered"; trackingNumber: string; carrierCode: string; providerTrackingId: string | null }
  | {
      kind: "rejected";
      trackingNumber: string;
      carrierCode: string;
      reason: RegistrationRejectionReason;
      code: string;
      message: string;
    };

export interface TrackedNumber {
  trackingNumber: string;
  carrierCode: string;
  providerTrackingId?: string | null;
}

/** How a provider is polled when pushes are missed. */
export type PollStrategy =
  /** Ask for specific numbers, `maxNumbersPerFetch` at a time (TrackingMore v4). */
  | { kind: "by_numbers"; maxNumbersPerFetch: number }
  /** Page through everything the account saw change since a watermark (TrackingMore v2, Tracktry). */
  | { kind: "updated_since"; pageSize: number };

export interface UpdatedSincePage {
  observations: TrackingObservation[];
  /** Null when this was the last page. */
  nextPage: number | null;
  /** Newest provider-side update time on this page: lets the caller page by time instead of offset. */
  latestUpdate: Date | null;
}

/**
 * A tracking provider as the pipeline sees it. Implementations live in `app/adapters/<provider>/`
 * and throw only `app/domain/errors.ts` types; whole-request failures throw, per-number
 * failures come back as `rejected` outcomes.
 */
export interface TrackingProvider {
  readonly id: ProviderId;
  /** Largest batch one registration call may carry. */
  readonly maxBatchSize: number;
  readonly pollStrategy: PollStrategy;
  /**
   * False when registering tells the provider nothing about the past (UPS Track Alert only
   * forwards new scans): the pipeline then reads the number's history once itself, with `fetch`.
   */
  readonly registrationBringsHistory: boolean;

  register(items: readonly TrackingRegistration[]): Promise<RegistrationOutcome[]>;
  /** Current data for numbers we registered; numbers the provider does not know are simply absent. */
  fetch(items: readonly TrackedNumber[]): Promise<TrackingObservation[]>;
  /** One page of trackings changed since `since`; only for `updated_since` providers. */
  fetchUpdatedSince?(since: Date, page: number): Promise<UpdatedSincePage>;
  /** Courier codes the provider guesses for a number, best first; empty when it cannot tell. */
  detectCarrier(trackingNumber: string): Promise<string[]>;
  stopTracking(item: TrackedNumber): Promise<void>;
}
