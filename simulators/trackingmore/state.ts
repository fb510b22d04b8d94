import { randomBytes } from "node:crypto";
import type { Courier, CourierRegistry } from "./couriers";
import { type Place, PLACES_BY_COUNTRY, placesIn } from "./places";

/**
 * Accounts, credits and trackings. One store serves both API versions, as one TrackingMore account
 * does: a tracking created through v2 is visible through v4 and vice versa. Descriptive fields are
 * stored under their v4 names; the v2 layer maps its aliases (order_id, comment, lang, …).
 */

export const V4_STATUSES = [
  "pending",
  "notfound",
  "inforeceived",
  "transit",
  "pickup",
  "undelivered",
  "delivered",
  "exception",
  "expired",
] as const;
export type V4Status = (typeof V4_STATUSES)[number];

/** v2 has no `inforeceived`: it reports that state as `notfound` + `notfound001`. */
export const V2_STATUSES = ["pending", "notfound", "transit", "pickup", "delivered", "undelivered", "exception", "expired"] as const;
export type V2Status = (typeof V2_STATUSES)[number];

/** States a parcel does not leave on its own; auto-progress and `advance('next')` stop here. */
export const FINAL_STATUSES: ReadonlySet<V4Status> = new Set<V4Status>(["delivered", "exception", "expired"]);

export function isV4Status(value: unknown): value is V4Status {
  return typeof value === "string" && (V4_STATUSES as readonly string[]).includes(value);
}

export function isV2Status(value: unknown): value is V2Status {
  return typeof value === "string" && (V2_STATUSES as readonly string[]).includes(value);
}

export function toV2Status(status: V4Status): V2Status {
  return status === "inforeceived" ? "notfound" : status;
}

/** Documented format: 5–50 characters of letters, digits and dashes (TrackingMore answers 4110 / 4014 otherwise). */
export const TRACKING_NUMBER_PATTERN = /^[A-Za-z0-9-]{5,50}$/;

/** Documented maximum of webhook URLs per account. */
export const MAX_WEBHOOK_URLS = 4;

export const TRACKING_INFO_FIELDS = [
  "order_number",
  "order_date",
  "order_id",
  "customer_name",
  "customer_email",
  "customer_sms",
  "recipient_postcode",
  "title",
  "logistics_channel",
  "note",
  "label",
  "language",
  "tracking_postal_code",
  "tracking_ship_date",
  "tracking_destination_country",
  "tracking_origin_country",
  "tracking_key",
  "tracking_courier_account",
] as const;
export type TrackingInfoField = (typeof TRACKING_INFO_FIELDS)[number];
export type TrackingInfo = Partial<Record<TrackingInfoField, string>>;

export interface SimCheckpoint {
  at: Date;
  /** Offset of the place the event happened at; checkpoint times are rendered in carrier local time. */
  utcOffsetMinutes: number;
  description: string;
  location: string;
  city: string;
  state: string;
  zip: string;
  countryIso2: string;
  status: V4Status;
  substatus: string | null;
  rawStatus: string;
}

export interface SimRoute {
  origin: Place;
  hub: Place;
  destination: Place;
}

export interface SimTracking {
  readonly id: string;
  readonly trackingNumber: string;
  readonly courierCode: string;
  readonly createdAt: Date;
  readonly createdVia: "v4" | "v2";
  /** Creation order, to keep listings stable when the clock does not move between creates. */
  readonly seq: number;
  readonly route: SimRoute;
  updatedAt: Date;
  status: V4Status;
  substatus: string | null;
  /** Newest first, as TrackingMore returns `trackinfo`. */
  checkpoints: SimCheckpoint[];
  scheduledDeliveryDate: string | null;
  info: TrackingInfo;
  archived: boolean;
  /** Index of the last scripted journey step applied (0 = just created). */
  journeyStep: number;
  /** Last v2 `/trackings/realtime` hit, for the documented once-per-2-hours rule. */
  lastRealtimeAt: Date | null;
}

export interface WebhookUrlConfig {
  url: string;
  version: "v4" | "v2";
  /** Status names in the URL's own API version; absent = every status. */
  statuses?: string[];
}

export interface SimAccount {
  readonly apiKey: string;
  email: string;
  webhookSecret: string | null;
  credits: number;
  deleted: boolean;
  webhookUrls: WebhookUrlConfig[];
  trackings: Map<string, SimTracking>;
  /** Tracking ids per number: `find` runs on every create and push, and accounts hold tens of thousands. */
  trackingIdsByNumber: Map<string, Set<string>>;
}

export interface NewAccount {
  apiKey: string;
  email?: string;
  webhookSecret?: string;
  /** Default Infinity (unmetered). */
  credits?: number;
}

export type AuthResult =
  | { kind: "ok"; account: SimAccount }
  | { kind: "missing" }
  | { kind: "unknown" }
  | { kind: "deleted" };

export type CreateRejection = "missing_number" | "invalid_number" | "invalid_courier" | "missing_required_field" | "duplicate";

export type CreateCheck =
  | { ok: true; trackingNumber: string; courier: Courier }
  | { ok: false; reason: CreateRejection };

/** Credits are fractional (v2 detect costs 0.2); round to tenths so 1 − 5 × 0.2 is exactly 0. */
function roundCredits(value: number): number {
  return Number.isFinite(value) ? Math.round(value * 10) / 10 : value;
}

function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

export function trackingKey(trackingNumber: string, courierCode: string): string {
  return `${courierCode}\u0000${trackingNumber}`;
}

export class SimState {
  private readonly accounts = new Map<string, SimAccount>();
  private seq = 0;

  constructor(
    readonly couriers: CourierRegistry,
    readonly now: () => Date,
  ) {}

  /**
   * Adding an existing key updates its settings and revives it, keeping its trackings: the demo seeds
   * accounts on every start and must not fail when the simulator outlived the app.
   */
  addAccount(input: NewAccount): SimAccount {
    if (typeof input.apiKey !== "string" || input.apiKey.length === 0) throw new Error("addAccount: apiKey is required");
    const credits = input.credits ?? Number.POSITIVE_INFINITY;
    if (typeof credits !== "number" || Number.isNaN(credits) || credits < 0) throw new Error("addAccount: credits must be a number >= 0");
    const email = input.email ?? `${input.apiKey}@accounts.simulator.invalid`;
    const existing = this.accounts.get(input.apiKey);
    if (existing) {
      existing.email = email;
      existing.webhookSecret = input.webhookSecret ?? null;
      existing.credits = credits;
      existing.deleted = false;
      return existing;
    }
    const account: SimAccount = {
      apiKey: input.apiKey,
      email,
      webhookSecret: input.webhookSecret ?? null,
      credits,
      deleted: false,
      webhookUrls: [],
      trackings: new Map(),
      trackingIdsByNumber: new Map(),
    };
    this.accounts.set(input.apiKey, account);
    return account;
  }

  authenticate(apiKey: string | null): AuthResult {
    if (apiKey === null || apiKey === "") return { kind: "missing" };
    const account = this.accounts.get(apiKey);
    if (!account) return { kind: "unknown" };
    if (account.deleted) return { kind: "deleted" };
    return { kind: "ok", account };
  }

  /** For the control surface: throws on unknown keys so test mistakes are loud. Deleted keys are still reachable. */
  requireAccount(apiKey: string): SimAccount {
    const account = this.accounts.get(apiKey);
    if (!account) throw new Error(`unknown simulator account ${JSON.stringify(apiKey)}`);
    return account;
  }

  allAccounts(): SimAccount[] {
    return [...this.accounts.values()];
  }

  setWebhookUrls(apiKey: string, urls: WebhookUrlConfig[]): void {
    const account = this.requireAccount(apiKey);
    if (!Array.isArray(urls)) throw new Error("setWebhookUrls: urls must be an array");
    if (urls.length > MAX_WEBHOOK_URLS) throw new Error(`TrackingMore allows at most ${MAX_WEBHOOK_URLS} webhook URLs per account`);
    const checked = urls.map((entry) => {
      let parsed: URL;
      try {
        parsed = new URL(entry.url);
      } catch {
        throw new Error(`webhook URL is not a URL: ${JSON.stringify(entry.url)}`);
      }
      if (parsed.protocol !== "http:" && parsed.protocol !== "https:") throw new Error(`webhook URL must be http(s): ${entry.url}`);
      if (entry.version !== "v4" && entry.version !== "v2") throw new Error(`webhook version must be "v4" or "v2"`);
      if (entry.statuses !== undefined) {
        const valid = entry.version === "v4" ? isV4Status : isV2Status;
        for (const status of entry.statuses) {
          if (!valid(status)) throw new Error(`unknown ${entry.version} status ${JSON.stringify(status)} in webhook filter`);
        }
      }
      return { url: entry.url, version: entry.version, ...(entry.statuses ? { statuses: [...entry.statuses] } : {}) };
    });
    account.webhookUrls = checked;
  }

  setCredits(apiKey: string, credits: number): void {
    if (typeof credits !== "number" || Number.isNaN(credits) || credits < 0) throw new Error("setCredits: credits must be a number >= 0");
    this.requireAccount(apiKey).credits = credits;
  }

  deleteKey(apiKey: string): void {
    this.requireAccount(apiKey).deleted = true;
  }

  hasCredit(account: SimAccount, cost = 1): boolean {
    return account.credits >= cost;
  }

  charge(account: SimAccount, cost = 1): void {
    account.credits = roundCredits(account.credits - cost);
  }

  /**
   * Validation shared by every create path, in the order TrackingMore reports problems: number, courier,
   * courier-specific fields, then duplicates. `reserved` holds keys taken earlier in the same batch.
   */
  checkNew(account: SimAccount, trackingNumber: unknown, courierCode: unknown, info: TrackingInfo, reserved?: ReadonlySet<string>): CreateCheck {
    if (trackingNumber === undefined || trackingNumber === null || trackingNumber === "") return { ok: false, reason: "missing_number" };
    if (typeof trackingNumber !== "string" || !TRACKING_NUMBER_PATTERN.test(trackingNumber)) return { ok: false, reason: "invalid_number" };
    const courier = this.couriers.get(courierCode);
    if (!courier) return { ok: false, reason: "invalid_courier" };
    if (courier.requiredFields.some((field) => !info[field as TrackingInfoField])) return { ok: false, reason: "missing_required_field" };
    const key = trackingKey(trackingNumber, courier.code);
    if (reserved?.has(key) || this.find(account, trackingNumber, courier.code).length > 0) return { ok: false, reason: "duplicate" };
    return { ok: true, trackingNumber, courier };
  }

  /** Creates and charges one credit; callers have validated with checkNew and checked hasCredit. */
  create(account: SimAccount, input: { trackingNumber: string; courier: Courier; info: TrackingInfo; via: "v4" | "v2" }): SimTracking {
    const now = this.now();
    const tracking: SimTracking = {
      id: randomBytes(16).toString("hex"),
      trackingNumber: input.trackingNumber,
      courierCode: input.courier.code,
      createdAt: now,
      createdVia: input.via,
      seq: ++this.seq,
      route: pickRoute(input.trackingNumber, input.courier, input.info.tracking_destination_country),
      updatedAt: now,
      status: "pending",
      substatus: null,
      checkpoints: [],
      scheduledDeliveryDate: null,
      info: { ...input.info },
      archived: false,
      journeyStep: 0,
      lastRealtimeAt: null,
    };
    account.trackings.set(tracking.id, tracking);
    const ids = account.trackingIdsByNumber.get(tracking.trackingNumber) ?? new Set<string>();
    account.trackingIdsByNumber.set(tracking.trackingNumber, ids.add(tracking.id));
    this.charge(account, 1);
    return tracking;
  }

  find(account: SimAccount, trackingNumber: string, courierCode?: string): SimTracking[] {
    const ids = account.trackingIdsByNumber.get(trackingNumber);
    if (!ids) return [];
    return [...ids].map((id) => account.trackings.get(id)!).filter((t) => courierCode === undefined || t.courierCode === courierCode);
  }

  findById(account: SimAccount, id: string): SimTracking | undefined {
    return account.trackings.get(id);
  }

  remove(account: SimAccount, id: string): void {
    const tracking = account.trackings.get(id);
    if (!tracking) return;
    account.trackings.delete(id);
    const ids = account.trackingIdsByNumber.get(tracking.trackingNumber);
    ids?.delete(id);
    if (ids?.size === 0) account.trackingIdsByNumber.delete(tracking.trackingNumber);
  }
}

/**
 * Deterministic per number, so a journey replays identically across runs. A destination country we
 * have places for moves the last leg there (cross-border shipments end in the buyer's country).
 */
function pickRoute(trackingNumber: string, courier: Courier, destinationCountry: string | undefined): SimRoute {
  const home = placesIn(courier.countryIso2) ?? PLACES_BY_COUNTRY.US;
  const away = placesIn(destinationCountry) ?? home;
  const h = fnv1a(trackingNumber);
  return {
    origin: home[h % home.length],
    hub: home[(h + 1) % home.length],
    destination: away === home ? home[(h + 2) % home.length] : away[h % away.length],
  };
}
