import type { IncomingHttpHeaders } from "node:http";
import { type ApiResult, upsError } from "./errors";
import { CIE_TRACKING_NUMBERS } from "./events";
import { DAY_MS } from "./time";

/**
 * Track Alert v1: `POST /api/track/v1/subscription/standard/package`.
 *
 * Checks run in the order of the vendor's error table and the first failure answers:
 * transId (VSS002 missing, VSS003 over 32 characters) → transactionSrc (VSS004, VSS006 over 512) →
 * body (VSS110 empty/absent, 10007 not JSON content, VSS000 not parseable or not an object) →
 * trackingNumberList (VSS200 absent/not an array/empty, VSS220 over 100: the entire request is
 * rejected) → locale (VSS300 absent, VSS310 not en_US, the only accepted value) → countryCode
 * (optional, "reserved for future use"; VSS400 when present and not two capital letters) →
 * destination (VSS500) → url (VSS600 absent/empty, VSS000 not an http(s) URL, VSS610 over 2048) →
 * credential (VSS700) → credentialType (VSS800) → the numbers.
 * The 32/512 lengths are what UPS's other OpenAPI specs give for these headers; 2048 is our limit (undocumented).
 *
 * Numbers are checked against the documented patterns exactly as sent: `^1Z[0-9A-Z]{16}$` and Roadie
 * `^1R[0-9A-Z]{14}$|^1R[0-9A-Z]{26}$`. No trimming or upper-casing: the schema's pattern is anchored and
 * case-sensitive, and UPS asks for numbers "in the correct format", so " 1Z…" or "1z…" is invalid here
 * and clients must normalise before submitting. Check digits are not verified (the schema does not).
 * Duplicates are subscribed once and listed once, in first-seen order.
 */

export const MAX_TRACKING_NUMBERS = 100;
export const MAX_URL_LENGTH = 2048;
export const SUBSCRIPTION_DAYS = 14;
const TRACKING_NUMBER = /^1Z[0-9A-Z]{16}$|^1R[0-9A-Z]{14}$|^1R[0-9A-Z]{26}$/;

export interface Subscription {
  trackingNumber: string;
  clientId: string;
  url: string;
  credential: string;
  credentialType: string;
  subscribedAt: Date;
  expiresAt: Date;
}

export interface AcceptedSubscription {
  clientId: string;
  trackingNumbers: string[];
  url: string;
  credential: string;
  credentialType: string;
}

function header(headers: IncomingHttpHeaders, name: string): string {
  const raw = headers[name];
  return ((Array.isArray(raw) ? raw[0] : raw) ?? "").trim();
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

const nonEmptyString = (value: unknown): value is string => typeof value === "string" && value.trim() !== "";

export function isValidTrackAlertNumber(value: unknown): value is string {
  return typeof value === "string" && TRACKING_NUMBER.test(value);
}

/** Missing or invalid transaction headers; shared with the Track API (see track-api.ts). */
export function checkTransactionHeaders(headers: IncomingHttpHeaders, clientId: string, strictLengths: boolean): ApiResult | null {
  const transId = header(headers, "transid");
  if (transId === "") return upsError(400, "VSS002", clientId);
  if (strictLengths && transId.length > 32) return upsError(400, "VSS003", clientId);
  const transactionSrc = header(headers, "transactionsrc");
  if (transactionSrc === "") return upsError(400, "VSS004", clientId);
  if (strictLengths && transactionSrc.length > 512) return upsError(400, "VSS006", clientId);
  return null;
}

/**
 * Validate one subscription request. In CIE mode only the two test numbers are accepted: a well-formed
 * number that is not one of them rejects the whole request with 400 VSS215 (listing the offenders in
 * `invalidTrackingNumbers`) and nothing runs. The CIE server "will not create any subscription", and a
 * 400 error code cannot describe a partial success, so one non-CIE number fails the request.
 * Malformed numbers are listed as invalid exactly as in production.
 */
export function validateSubscription(
  headers: IncomingHttpHeaders,
  rawBody: Buffer,
  clientId: string,
  environment: "production" | "cie",
): { ok: true; accepted: AcceptedSubscription; invalid: string[] } | { ok: false; result: ApiResult } {
  const fail = (code: string, invalidTrackingNumbers?: string[]) => ({ ok: false as const, result: upsError(400, code, clientId, invalidTrackingNumbers ? { invalidTrackingNumbers } : {}) });
  const headerError = checkTransactionHeaders(headers, clientId, true);
  if (headerError) return { ok: false, result: headerError };

  const text = rawBody.toString("utf8").trim();
  if (text === "") return fail("VSS110");
  const contentType = header(headers, "content-type").split(";")[0]!.trim().toLowerCase();
  if (contentType !== "application/json") return { ok: false, result: upsError(400, "10007", clientId) };
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return fail("VSS000");
  }
  if (parsed === null || (isRecord(parsed) && Object.keys(parsed).length === 0)) return fail("VSS110");
  if (!isRecord(parsed)) return fail("VSS000");

  const list = parsed.trackingNumberList;
  if (!Array.isArray(list) || list.length === 0) return fail("VSS200");
  if (list.length > MAX_TRACKING_NUMBERS) return fail("VSS220");

  if (parsed.locale === undefined || parsed.locale === null || parsed.locale === "") return fail("VSS300");
  if (parsed.locale !== "en_US") return fail("VSS310");
  if (parsed.countryCode !== undefined && !(typeof parsed.countryCode === "string" && /^[A-Z]{2}$/.test(parsed.countryCode))) return fail("VSS400");

  const destination = parsed.destination;
  if (!isRecord(destination)) return fail("VSS500");
  const url = destination.url;
  if (!nonEmptyString(url)) return fail("VSS600");
  let parsedUrl: URL | null = null;
  try {
    parsedUrl = new URL(url);
  } catch {
    parsedUrl = null;
  }
  if (!parsedUrl || (parsedUrl.protocol !== "http:" && parsedUrl.protocol !== "https:")) return fail("VSS000");
  if (url.length > MAX_URL_LENGTH) return fail("VSS610");
  if (!nonEmptyString(destination.credential)) return fail("VSS700");
  if (!nonEmptyString(destination.credentialType)) return fail("VSS800");

  const valid: string[] = [];
  const invalid: string[] = [];
  for (const item of list) {
    const number = typeof item === "string" ? item : JSON.stringify(item);
    const bucket = isValidTrackAlertNumber(item) ? valid : invalid;
    if (!bucket.includes(number)) bucket.push(number);
  }
  if (environment === "cie") {
    const notCie = valid.filter((n) => !CIE_TRACKING_NUMBERS.includes(n));
    if (notCie.length > 0) return fail("VSS215", notCie);
  }
  if (valid.length === 0) return fail("VSS210", invalid);
  return {
    ok: true,
    invalid,
    accepted: { clientId, trackingNumbers: valid, url, credential: destination.credential, credentialType: destination.credentialType },
  };
}

/** 200 body; `invalidTrackingNumbers` is absent when empty, as in the documented "CompleteSuccessExample". */
export function subscriptionResponse(accepted: AcceptedSubscription, invalid: string[]): unknown {
  return { validTrackingNumbers: [...accepted.trackingNumbers], ...(invalid.length > 0 ? { invalidTrackingNumbers: invalid } : {}) };
}

/**
 * Production subscriptions, one per (client, number): subscribing again replaces the destination and
 * credential and restarts the 14 days, which is how a changed credential is repaired ("events fail
 * until a new subscription is made"). Two clients subscribing the same number each get the events.
 * Expired subscriptions stay listed (with `expiresAt` in the past) but receive nothing.
 */
export class SubscriptionStore {
  private readonly byKey = new Map<string, Subscription>();

  constructor(private readonly now: () => Date) {}

  subscribe(a: AcceptedSubscription): void {
    const subscribedAt = this.now();
    const expiresAt = new Date(subscribedAt.getTime() + SUBSCRIPTION_DAYS * DAY_MS);
    for (const trackingNumber of a.trackingNumbers) {
      const key = `${a.clientId}\u0000${trackingNumber}`;
      this.byKey.delete(key); // re-insert so the listing stays in subscription order
      this.byKey.set(key, { trackingNumber, clientId: a.clientId, url: a.url, credential: a.credential, credentialType: a.credentialType, subscribedAt, expiresAt });
    }
  }

  live(trackingNumber: string): Subscription[] {
    const now = this.now().getTime();
    return [...this.byKey.values()].filter((s) => s.trackingNumber === trackingNumber && s.expiresAt.getTime() > now);
  }

  all(): Subscription[] {
    return [...this.byKey.values()].map((s) => ({ ...s }));
  }
}
