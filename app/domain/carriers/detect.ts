/**
 * Local carrier detection from the tracking number alone, and the rule that combines it with the
 * carrier name Shopify gives us.
 *
 * Merchants complain that tracking apps guess the wrong carrier, so the policy is: trust Shopify's
 * tracking company when it names a carrier we know (unless the number provably belongs to someone
 * else), otherwise trust a real check digit, otherwise say we don't know and let the provider
 * decide. A regex alone is never treated as proof.
 *
 * Formats and check algorithms: /work/shared/reference/carrier-and-shopify-apis.md D.2 and its
 * appendix, which follow jkeen/tracking_number_data.
 */

import {
  FEDEX_34_WEIGHTS,
  FEDEX_EXPRESS_12_WEIGHTS,
  isValidLuhn,
  isValidMod10,
  isValidMod7,
  isValidS10,
  isValidSumProduct,
  type Mod10Options,
} from "./check-digits";
import { carrierFromShopifyCompany, nationalPostForCountry } from "./registry";

export interface CarrierCandidate {
  carrierCode: string;
  /** Which number format matched, e.g. "ups-1z", "usps-impb", "fedex-express-12", "dhl-express-10", "s10". */
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

/** Formats the number matches, best first: checksum-verified matches before pattern-only ones; never throws. Normalises first (trim, remove spaces, uppercase; strip a USPS "420"+ZIP routing prefix). */
export function detectCarrierLocally(trackingNumber: string): CarrierCandidate[] {
  const normalized = normalizeTrackingNumber(trackingNumber);
  if (normalized === "") return [];
  const input: RuleInput = { normalized, compact: stripUspsRoutingPrefix(normalized.replaceAll("-", "")) };

  const verified: CarrierCandidate[] = [];
  const unverified: CarrierCandidate[] = [];
  for (const rule of RULES) {
    const hit = rule.match(input);
    if (!hit) continue;
    // A failed check digit on a bare digit string is no evidence at all: the shape is shared by
    // every all-digit format of that length.
    if (hit.checksum === "invalid" && rule.shape === "generic") continue;
    const candidate = { carrierCode: hit.carrierCode, format: rule.format, checksumValid: hit.checksum === "valid" };
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
      candidates.some((c) => c.checksumValid && EXCLUSIVE_FORMATS.has(c.format));
    if (!contradicted) return { kind: "resolved", carrierCode: fromShopify.code, source: "shopify", candidates };
  }

  if (verifiedCarriers.size === 1) {
    const [carrierCode] = verifiedCarriers;
    return { kind: "resolved", carrierCode: carrierCode!, source: "detected", candidates };
  }
  if (candidates.length === 0) return { kind: "unknown" };
  return { kind: "ambiguous", candidates };
}

// ---------------------------------------------------------------------------------------------

type Checksum = "valid" | "invalid" | "none";

interface RuleInput {
  /** Normalised, hyphens kept. */
  normalized: string;
  /** Normalised, hyphens removed, USPS 420+ZIP prefix stripped: what nearly every format matches. */
  compact: string;
}

interface Rule {
  format: string;
  /**
   * "distinctive": the shape itself points to the carrier (prefix letters, country suffix), so a
   * failed check digit is reported as an unverified candidate. "generic": a bare digit string whose
   * only carrier evidence is the check digit, dropped when it fails.
   */
  shape: "distinctive" | "generic";
  match(input: RuleInput): { carrierCode: string; checksum: Checksum } | null;
}

const UPS_MOD10: Mod10Options = { evensMultiplier: 1, oddsMultiplier: 2 };
const GS1_MOD10: Mod10Options = { evensMultiplier: 3, oddsMultiplier: 1 };
const FEDEX_GROUND_MOD10: Mod10Options = { evensMultiplier: 1, oddsMultiplier: 3 };

/**
 * Formats only one carrier issues. A checksum-valid match on one of these overrides a Shopify
 * company naming a different carrier (the brief's example: "USPS" typed for a UPS 1Z number).
 */
const EXCLUSIVE_FORMATS: ReadonlySet<string> = new Set(["ups-1z", "fedex-ground-96", "fedex-34", "ontrac-c"]);

function verdict(valid: boolean): Checksum {
  return valid ? "valid" : "invalid";
}

function isValidImpb(n: string): boolean {
  // Weights 3,1,3 … from the rightmost data digit (reference D.2: reverse, evens × 3).
  return isValidMod10(n.slice(0, -1), n.slice(-1), { ...GS1_MOD10, reverse: true });
}

/** Splits off the trailing check digit: [data, check]. */
function splitCheck(n: string): [string, string] {
  return [n.slice(0, -1), n.slice(-1)];
}

/**
 * Which carrier an S10 item belongs to. The country suffix names the issuing post; the service
 * indicator separates a post's express/parcel brands where those are tracked under their own code.
 */
function s10Carrier(serviceIndicator: string, country: string): string | undefined {
  const kind = serviceIndicator[0];
  // E* is EMS, which China, the UK and France run under separate brands.
  if (country === "CN" && kind === "E") return "china-ems";
  if (country === "GB" && kind === "E") return "parcelforce";
  if (country === "FR" && kind === "E") return "chronopost";
  // C* is parcel post: French parcels are Colissimo, letters stay with La Poste.
  if (country === "FR" && kind === "C") return "colissimo";
  return nationalPostForCountry(country)?.code;
}

/** Order matters only within each checksum group of the result: more specific formats first. */
const RULES: readonly Rule[] = [
  {
    format: "ups-1z",
    shape: "distinctive",
    match: ({ compact: n }) =>
      /^1Z[0-9A-Z]{16}$/.test(n) ? { carrierCode: "ups", checksum: verdict(isValidMod10(n.slice(2, 17), n.slice(17), UPS_MOD10)) } : null,
  },
  {
    // UPS Roadie (Track Alert v2 accepts these); no published check digit.
    format: "ups-roadie",
    shape: "distinctive",
    match: ({ compact: n }) => (/^1R(?:[0-9A-Z]{14}|[0-9A-Z]{26})$/.test(n) ? { carrierCode: "ups", checksum: "none" } : null),
  },
  {
    format: "usps-impb",
    shape: "distinctive",
    match: ({ compact: n }) =>
      /^9[2-5](?:\d{20}|\d{24})$/.test(n) ? { carrierCode: "usps", checksum: verdict(isValidImpb(n)) } : null,
  },
  {
    // Legacy 91-prefixed IMpb; same check as current IMpb (21 data digits, so forward = reverse).
    format: "usps-91",
    shape: "distinctive",
    match: ({ compact: n }) => (/^91\d{20}$/.test(n) ? { carrierCode: "usps", checksum: verdict(isValidImpb(n)) } : null),
  },
  {
    format: "s10",
    shape: "distinctive",
    match: ({ compact: n }) => {
      const m = /^([A-Z]{2})(\d{8})(\d)([A-Z]{2})$/.exec(n);
      if (!m) return null;
      const carrierCode = s10Carrier(m[1]!, m[4]!);
      // An unknown country suffix is more likely not an S10 number at all than a post we lack.
      return carrierCode ? { carrierCode, checksum: verdict(isValidS10(m[2]!, m[3]!)) } : null;
    },
  },
  {
    format: "fedex-ground-96",
    shape: "distinctive",
    // 96 + 2 SCNC + 3 service + 14 serial + check; only the serial is weighted.
    match: ({ compact: n }) =>
      /^96\d{20}$/.test(n)
        ? { carrierCode: "fedex", checksum: verdict(isValidMod10(n.slice(7, 21), n.slice(21), FEDEX_GROUND_MOD10)) }
        : null,
  },
  {
    // FedEx Express 34 (100…) and Ground GSN 34 (96…): the check covers the 13-digit serial before it.
    format: "fedex-34",
    shape: "distinctive",
    match: ({ compact: n }) =>
      /^(?:100\d{31}|96\d{32})$/.test(n)
        ? { carrierCode: "fedex", checksum: verdict(isValidSumProduct(n.slice(20, 33), n.slice(33), FEDEX_34_WEIGHTS, 11, 10)) }
        : null,
  },
  {
    // The letter C reads as 4 in the mod10 mapping, which is exactly jkeen's "prepend 4" rule.
    format: "ontrac-c",
    shape: "distinctive",
    match: ({ compact: n }) =>
      /^C\d{14}$/.test(n) ? { carrierCode: "ontrac", checksum: verdict(isValidMod10(n.slice(0, 14), n.slice(14), UPS_MOD10)) } : null,
  },
  {
    format: "amazon-tba",
    shape: "distinctive",
    match: ({ compact: n }) => (/^TBA\d{12}$/.test(n) ? { carrierCode: "amazon", checksum: "none" } : null),
  },
  {
    format: "dhl-ecommerce-gm",
    shape: "distinctive",
    match: ({ compact: n }) => (/^GM\d{10,22}$/.test(n) ? { carrierCode: "dhl-ecommerce", checksum: "none" } : null),
  },
  {
    // DHL piece / license-plate ids; no published check digit.
    format: "dhl-piece-id",
    shape: "distinctive",
    match: ({ compact: n }) => (/^(?:JJD|JVGL)\d{9,20}$/.test(n) ? { carrierCode: "dhl", checksum: "none" } : null),
  },
  {
    // Yodel's JD/JJD + 16 digits overlaps DHL's JJD piece ids; both are reported and the provider decides.
    format: "yodel-jd",
    shape: "distinctive",
    match: ({ compact: n }) => (/^J?JD\d{16}$/.test(n) ? { carrierCode: "yodel", checksum: "none" } : null),
  },
  {
    format: "yunexpress-yt",
    shape: "distinctive",
    match: ({ compact: n }) => (/^YT\d{16}$/.test(n) ? { carrierCode: "yunexpress", checksum: "none" } : null),
  },
  {
    format: "lasership",
    shape: "distinctive",
    match: ({ compact, normalized }) =>
      /^LX1[3-8]\d{6}$/.test(compact) || /^1LS7[12]\d{10}$/.test(compact) || /^1LS7[12]\d{2}01[1-4]\d{6}-1$/.test(normalized)
        ? { carrierCode: "lasership", checksum: "none" }
        : null,
  },
  {
    format: "canpar-22",
    shape: "distinctive",
    match: ({ compact: n }) => (/^[CDKLSUXZ]\d{21}$/.test(n) ? { carrierCode: "canpar", checksum: "none" } : null),
  },
  {
    // Check digit over the 9 digits only, not the letter (jkeen's SerialNumber group).
    format: "ups-waybill",
    // One letter in front of ten digits is too common a shape to mean UPS without the check digit.
    shape: "generic",
    match: ({ compact: n }) =>
      /^[AHJKTV]\d{10}$/.test(n) ? { carrierCode: "ups", checksum: verdict(isValidMod10(n.slice(1, 10), n.slice(10), UPS_MOD10)) } : null,
  },
  {
    format: "usps-20",
    shape: "generic",
    match: ({ compact: n }) => {
      if (!/^\d{20}$/.test(n)) return null;
      const [data, check] = splitCheck(n);
      return { carrierCode: "usps", checksum: verdict(isValidMod10(data, check, GS1_MOD10)) };
    },
  },
  {
    // Legacy 91 IMpb printed without its "91" (jkeen prepends it before checking). Kept apart from
    // usps-20 because the two readings accept different check digits; merged, every 20-digit
    // string would have two "valid" check digits.
    format: "usps-91",
    shape: "generic",
    match: ({ compact: n }) => {
      if (!/^\d{20}$/.test(n)) return null;
      const [data, check] = splitCheck(n);
      return { carrierCode: "usps", checksum: verdict(isValidMod10(`91${data}`, check, GS1_MOD10)) };
    },
  },
  {
    format: "fedex-express-12",
    shape: "generic",
    match: ({ compact: n }) =>
      /^\d{12}$/.test(n)
        ? { carrierCode: "fedex", checksum: verdict(isValidSumProduct(n.slice(0, 11), n.slice(11), FEDEX_EXPRESS_12_WEIGHTS, 11, 10)) }
        : null,
  },
  {
    format: "fedex-ground-15",
    shape: "generic",
    match: ({ compact: n }) => {
      if (!/^\d{15}$/.test(n)) return null;
      const [data, check] = splitCheck(n);
      return { carrierCode: "fedex", checksum: verdict(isValidMod10(data, check, FEDEX_GROUND_MOD10)) };
    },
  },
  {
    // SSCC-18, bare or with its GS1 "(00)" application identifier in front (20 digits).
    format: "fedex-sscc-18",
    shape: "generic",
    match: ({ compact: n }) => {
      const sscc = /^\d{18}$/.test(n) ? n : /^00\d{18}$/.test(n) ? n.slice(2) : null;
      if (!sscc) return null;
      const [data, check] = splitCheck(sscc);
      return { carrierCode: "fedex", checksum: verdict(isValidMod10(data, check, GS1_MOD10)) };
    },
  },
  {
    format: "dhl-express-10",
    shape: "generic",
    match: ({ compact: n }) => {
      if (!/^\d{10}$/.test(n)) return null;
      const [data, check] = splitCheck(n);
      return { carrierCode: "dhl", checksum: verdict(isValidMod7(data, check)) };
    },
  },
  {
    format: "dhl-express-11",
    shape: "generic",
    match: ({ compact: n }) => {
      if (!/^\d{11}$/.test(n)) return null;
      const [data, check] = splitCheck(n);
      return { carrierCode: "dhl", checksum: verdict(isValidMod7(data, check)) };
    },
  },
  {
    format: "canada-post-16",
    shape: "generic",
    match: ({ compact: n }) => {
      if (!/^\d{16}$/.test(n)) return null;
      const [data, check] = splitCheck(n);
      return { carrierCode: "canada-post", checksum: verdict(isValidMod10(data, check, GS1_MOD10)) };
    },
  },
  {
    format: "purolator-12",
    shape: "generic",
    match: ({ compact: n }) => {
      if (!/^[0-5]\d{11}$/.test(n)) return null;
      const [data, check] = splitCheck(n);
      return { carrierCode: "purolator", checksum: verdict(isValidLuhn(data, check)) };
    },
  },
];
