import { describe, expect, it } from "vitest";
import { charValue, mod10CheckDigit } from "~/domain/carriers/check-digits";
import {
  detectCarrierLocally,
  normalizeTrackingNumber,
  resolveCarrier,
  stripUspsRoutingPrefix,
  type CarrierCandidate,
} from "~/domain/carriers/detect";
import { CARRIERS, carrierByCode, carrierFromShopifyCompany, trackingUrlFor } from "~/domain/carriers/registry";

// Fixture sources: reference F.6 / D.2 (UPS CIE numbers, USPS, FedEx, DHL), jkeen/tracking_number_data
// test numbers (OnTrac, UPS waybill via a third-party suite, FedEx Ground/96, Canada Post, Purolator),
// and S10 numbers whose check digit is worked out by hand in carriers-check-digits.test.ts
// (serial 47312482 → 9).

function verified(n: string): CarrierCandidate[] {
  return detectCarrierLocally(n).filter((c) => c.checksumValid);
}

function isVerifiedAs(n: string, carrierCode: string, format: string): boolean {
  return verified(n).some((c) => c.carrierCode === carrierCode && c.format === format);
}

/** Seeded PRNG (mulberry32) so the property tests are reproducible. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// [number, carrier, format, positions covered by the check digit (start, end exclusive)]
const VALID: [string, string, string, [number, number]][] = [
  ["1ZCIETST0111111114", "ups", "ups", [2, 18]],
  ["1ZCIETST0422222228", "ups", "ups", [2, 18]],
  ["1Z999AA10123456784", "ups", "ups", [2, 18]],
  ["1Z204W4R0308071865", "ups", "ups", [2, 18]],
  ["1Z5R89390357567127", "ups", "ups", [2, 18]],
  ["K2479825491", "ups", "ups_waybill", [1, 11]],
  ["9400111206206406260787", "usps", "usps_91", [0, 22]],
  ["420787459400111206206406260787", "usps", "usps_91", [8, 30]], // 420 + ZIP5 routing prefix
  ["4201002334249200190132607600833457", "usps", "usps_32V2", [12, 34]], // 420 + ZIP9 (jkeen)
  ["92748931507708513018050063", "usps", "usps_91", [0, 26]], // 26-digit IMpb (jkeen)
  ["9101123456789000000013", "usps", "usps_91", [0, 22]],
  ["03071790000523483741", "usps", "usps_20", [0, 20]],
  ["71969010756003077385", "usps", "usps_91", [0, 20]], // valid only with the implied "91" (jkeen)
  ["986578788855", "fedex", "fedex_12", [0, 12]],
  ["041441760228964", "fedex", "fedex_ground", [0, 15]],
  ["9611020987654312345672", "fedex", "fedex_ground_96", [7, 22]], // digits 0–6 are outside jkeen's check
  ["1001921334250001000300779017972697", "fedex", "fedex_34", [20, 34]],
  ["3318810025", "dhl", "dhl_express", [0, 10]],
  ["73891051146", "dhl", "dhl_express", [0, 11]],
  ["RR473124829CN", "china-post", "s10", [2, 11]],
  ["C11031500001879", "ontrac", "ontrac_c", [1, 15]],
  ["0073938000549297", "canada-post", "canada_post", [0, 16]],
  ["320595463938", "purolator", "purolator_numeric", [0, 12]],
];

describe("detectCarrierLocally: valid fixtures", () => {
  it.each(VALID)("%s is a checksum-valid %s (%s)", (n, carrier, format) => {
    const [first] = detectCarrierLocally(n);
    expect(first).toEqual({ carrierCode: carrier, format, checksumValid: true });
  });

  it.each(VALID)("every +1 single-digit change to %s fails its %s checksum", (n, carrier, format, [from, to]) => {
    for (let i = from; i < to; i++) {
      const value = charValue(n[i]!);
      // Letters inside a UPS body are replaced by the digit one above their mapped value, which
      // is the same arithmetic change a digit +1 makes.
      const replacement = String(((value ?? 0) + 1) % 10);
      const corrupted = n.slice(0, i) + replacement + n.slice(i + 1);
      expect(isVerifiedAs(corrupted, carrier, format), `${corrupted} (position ${i})`).toBe(false);
    }
  });

  it.each(VALID)("every other check digit on %s fails", (n, carrier, format) => {
    const check = Number(n.slice(-1));
    for (let k = 1; k <= 9; k++) {
      const corrupted = n.slice(0, -1) + String((check + k) % 10);
      expect(isVerifiedAs(corrupted, carrier, format), corrupted).toBe(false);
    }
  });

  it("detects the hand-computed S10 number and rejects a one-digit-corrupted variant", () => {
    expect(detectCarrierLocally("RR473124829CN")).toEqual([{ carrierCode: "china-post", format: "s10", checksumValid: true }]);
    // Serial 47312482 → 47312492: sum 200 → 209, 209 % 11 = 0 → check would be 5, not 9.
    expect(detectCarrierLocally("RR473124929CN")).toEqual([{ carrierCode: "china-post", format: "s10", checksumValid: false }]);
  });
});

describe("detectCarrierLocally: numbers that must not be treated as valid", () => {
  it.each([
    ["1Z12345E0205271688", "ups", "ups"], // widely copied sample, fails (F.6)
    ["9400111899562537624326", "usps", "usps_91"], // TrackingMore SDK sample, fails (F.6)
    ["9400111899223397576146", "usps", "usps_91"], // TrackingMore SDK sample, fails (F.6)
    ["RP893531375SG", "singapore-post", "s10"], // TrackingMore v2 doc sample (reference A.1), fails S10
    ["LK894734223CN", "china-post", "s10"], // TrackingMore v2 doc sample (reference A.1), fails S10
  ])("%s keeps its distinctive-shape candidate, unverified", (n, carrier, format) => {
    const candidates = detectCarrierLocally(n);
    expect(candidates).toContainEqual({ carrierCode: carrier, format, checksumValid: false });
    expect(candidates.some((c) => c.checksumValid)).toBe(false);
  });

  it.each([
    "996578788855", // jkeen invalid FedEx 12
    "3318810010", // jkeen invalid DHL
    "73891051149", // jkeen invalid DHL 11
    "568283610012732", // jkeen invalid FedEx Ground
  ])("bare digits %s with a failing check digit produce no candidate at all", (n) => {
    expect(detectCarrierLocally(n)).toEqual([]);
  });

  it("drops S10-shaped numbers with a country we cannot map", () => {
    expect(detectCarrierLocally("RB123456785XX")).toEqual([]);
  });
});

describe("detectCarrierLocally: pattern-only formats", () => {
  it.each([
    ["TBA123456789012", "amazon", "amazon_logistics"],
    ["GM605112270084510356", "dhl-ecommerce", "dhl_ecommerce"],
    ["JVGL0623456789", "dhl", "dhl_express_piece_id"],
    ["1R0123456789ABCD", "ups", "ups_roadie"],
    ["YT2229521272164446", "yunexpress", "yunexpress"],
    ["LX17635036", "lasership", "lasership_lx"],
    ["1LS7119013618127-1", "lasership", "lasership_1ls7_18"], // the hyphen is part of the number
    ["D576002440000001718010", "canpar", "canpar_22"],
  ])("%s → %s (%s), never checksum-valid", (n, carrier, format) => {
    expect(detectCarrierLocally(n)).toContainEqual({ carrierCode: carrier, format, checksumValid: false });
    expect(verified(n)).toEqual([]);
  });

  it("reports every carrier a shared shape belongs to (JJD + 16 digits: DHL piece id and Yodel)", () => {
    const carriers = detectCarrierLocally("JJD0002257639032011").map((c) => c.carrierCode);
    expect(carriers).toEqual(expect.arrayContaining(["dhl", "yodel"]));
  });
});

describe("detectCarrierLocally: S10 country mapping", () => {
  // Serial 47312482 has check digit 9 (worked out by hand), so only the letters vary.
  it.each([
    ["RR473124829CN", "china-post"],
    ["EA473124829CN", "china-ems"],
    ["RR473124829GB", "royal-mail"],
    ["EA473124829GB", "parcelforce"],
    ["LX473124829US", "usps"],
    ["RR473124829DE", "deutsche-post"],
    ["RR473124829FR", "la-poste"],
    ["CP473124829FR", "colissimo"],
    ["RR473124829CA", "canada-post"],
    ["RR473124829AU", "australia-post"],
    ["RR473124829NL", "postnl-parcels"],
    ["RR473124829JP", "japan-post"],
    ["RR473124829ES", "correos"],
    ["RR473124829IT", "poste-italiane"],
    ["RR473124829BE", "bpost"],
    ["RR473124829CH", "swiss-post"],
    ["RR473124829NZ", "new-zealand-post"],
  ])("%s → %s", (n, carrier) => {
    expect(detectCarrierLocally(n)).toEqual([{ carrierCode: carrier, format: "s10", checksumValid: true }]);
  });
});

describe("detectCarrierLocally: normalisation and robustness", () => {
  it("normalizeTrackingNumber trims, drops inner whitespace, uppercases and keeps hyphens", () => {
    expect(normalizeTrackingNumber("  1z 999aa1\t0123 456784\n")).toBe("1Z999AA10123456784");
    expect(normalizeTrackingNumber("9400\u00A01112\u200B0620 6406 2607 87")).toBe("9400111206206406260787");
    expect(normalizeTrackingNumber("123-45678901")).toBe("123-45678901");
  });

  it("matches numbers typed with spaces, hyphens and lower case", () => {
    expect(verified(" 1z 999-aa1-0123-456784 ")).toEqual([{ carrierCode: "ups", format: "ups", checksumValid: true }]);
    expect(verified("9400 1112 0620 6406 2607 87")).toEqual([{ carrierCode: "usps", format: "usps_91", checksumValid: true }]);
  });

  it("strips the 420+ZIP routing prefix only in front of a USPS IMpb number", () => {
    expect(stripUspsRoutingPrefix("420787459400111206206406260787")).toBe("9400111206206406260787");
    expect(stripUspsRoutingPrefix("4201002334249200190132607600833457")).toBe("9200190132607600833457");
    expect(stripUspsRoutingPrefix("420787451234567890123456789012")).toBe("420787451234567890123456789012");
    expect(stripUspsRoutingPrefix("4207874594")).toBe("4207874594");
  });

  it.each([["", []], ["   ", []], ["hello world", []], ["N/A", []], ["12345", []], ["1Z", []], ["🚚📦", []]])(
    "%j → no candidates",
    (n, expected) => {
      expect(detectCarrierLocally(n)).toEqual(expected);
    },
  );

  it("never throws, even for non-strings from untyped callers or huge input", () => {
    for (const bad of [null, undefined, 42, {}, "9".repeat(100_000)]) {
      expect(() => detectCarrierLocally(bad as unknown as string)).not.toThrow();
      expect(() => resolveCarrier({ trackingNumber: bad as unknown as string })).not.toThrow();
    }
  });

  it("always lists checksum-verified candidates before unverified ones", () => {
    const random = prng(7);
    const samples = [...VALID.map(([n]) => n), "JJD0002257639032011", "00000123450000000027", "1Z12345E0205271688"];
    for (let i = 0; i < 2000; i++) {
      const length = 10 + Math.floor(random() * 25);
      samples.push(Array.from({ length }, () => String(Math.floor(random() * 10))).join(""));
    }
    for (const n of samples) {
      const flags = detectCarrierLocally(n).map((c) => c.checksumValid);
      expect(flags, n).toEqual([...flags].sort((a, b) => Number(b) - Number(a)));
    }
  });

  it("only ever names carriers that exist in the registry", () => {
    const samples = [
      ...VALID.map(([n]) => n),
      "EA473124829CN",
      "EA473124829GB",
      "CP473124829FR",
      "EA473124829FR",
      "TBA123456789012",
      "GM605112270084510356",
      "JJD0002257639032011",
      "YT2229521272164446",
      "LX17635036",
      "D576002440000001718010",
      "1R0123456789ABCD",
    ];
    for (const country of CARRIERS.map((c) => c.countryCode).filter((c) => c !== null)) {
      samples.push(`RR473124829${country}`);
    }
    for (const n of samples) {
      for (const c of detectCarrierLocally(n)) expect(carrierByCode(c.carrierCode), `${n} → ${c.carrierCode}`).toBeDefined();
    }
  });
});

describe("property: random UPS 1Z numbers", () => {
  const ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
  const random = prng(20240423);

  it("1000 generated bodies with a computed check digit are valid UPS; a changed character is not", () => {
    for (let i = 0; i < 1000; i++) {
      const body = Array.from({ length: 15 }, () => ALPHABET[Math.floor(random() * ALPHABET.length)]!).join("");
      const check = mod10CheckDigit(body, { evensMultiplier: 1, oddsMultiplier: 2 });
      expect(check).not.toBeNull();
      const n = `1Z${body}${check}`;
      expect(isVerifiedAs(n, "ups", "ups"), n).toBe(true);
      expect(resolveCarrier({ trackingNumber: n })).toMatchObject({ kind: "resolved", carrierCode: "ups", source: "detected" });

      // Flip one of the 16 checked characters to the digit one above its mapped value. A ±1 (or
      // −9) change times weight 1 or 2 is never a multiple of 10, so the check must catch it.
      const position = 2 + Math.floor(random() * 16);
      const flipped = String((charValue(n[position]!)! + 1) % 10);
      const corrupted = n.slice(0, position) + flipped + n.slice(position + 1);
      expect(isVerifiedAs(corrupted, "ups", "ups"), `${n} → ${corrupted}`).toBe(false);
    }
  });
});

describe("registry", () => {
  it("has unique, kebab-case codes and well-formed templates", () => {
    const codes = CARRIERS.map((c) => c.code);
    expect(new Set(codes).size).toBe(codes.length);
    for (const c of CARRIERS) {
      expect(c.code).toMatch(/^[a-z0-9]+(?:-[a-z0-9]+)*$/);
      expect(c.shopifyCompanyNames.length).toBeGreaterThan(0);
      if (c.trackingUrlTemplate !== null) {
        expect(c.trackingUrlTemplate).toMatch(/^https:\/\//);
        expect(c.trackingUrlTemplate).toContain("{number}");
      }
    }
  });

  it("has at most one national post per country", () => {
    const countries = CARRIERS.map((c) => c.countryCode).filter((c) => c !== null);
    expect(new Set(countries).size).toBe(countries.length);
    for (const country of countries) expect(country).toMatch(/^[A-Z]{2}$/);
  });

  it("covers the carriers Shopify merchants use most", () => {
    for (const code of [
      "ups", "usps", "fedex", "dhl", "dhl-ecommerce", "canada-post", "royal-mail", "australia-post", "deutsche-post",
      "dpd", "gls", "postnl-parcels", "colissimo", "la-poste", "hermes", "yodel", "parcelforce", "purolator", "canpar",
      "ontrac", "lasership", "amazon", "china-post", "china-ems", "yunexpress", "4px", "sf-express", "japan-post",
      "correos", "poste-italiane", "bpost", "swiss-post", "new-zealand-post", "aramex", "tnt",
    ]) {
      expect(carrierByCode(code), code).toBeDefined();
    }
    expect(carrierByCode("UPS")).toBeUndefined(); // codes are exact
    expect(carrierByCode("nope")).toBeUndefined();
  });
});

describe("carrierFromShopifyCompany", () => {
  it.each([
    ["UPS", "ups"],
    ["USPS", "usps"],
    ["FedEx", "fedex"],
    ["DHL Express", "dhl"],
    ["DHL eCommerce", "dhl-ecommerce"],
    ["DHL eCommerce Asia", "dhl-ecommerce"],
    ["Canada Post", "canada-post"],
    ["Royal Mail", "royal-mail"],
    ["Australia Post", "australia-post"],
    ["Deutsche Post (DE)", "deutsche-post"],
    ["Deutsche Post (EN)", "deutsche-post"],
    ["DPD", "dpd"],
    ["DPD UK", "dpd-uk"],
    ["GLS", "gls"],
    ["PostNL", "postnl-parcels"],
    ["Colissimo", "colissimo"],
    ["La Poste", "la-poste"],
    ["Evri", "hermes"],
    ["Hermes UK", "hermes"],
    ["Yodel", "yodel"],
    ["Parcelforce", "parcelforce"],
    ["Purolator", "purolator"],
    ["Canpar", "canpar"],
    ["OnTrac", "ontrac"],
    ["LaserShip", "lasership"],
    ["Amazon Logistics US", "amazon"],
    ["Amazon Logistics UK", "amazon"],
    ["China Post", "china-post"],
    ["China EMS", "china-ems"],
    ["YunExpress", "yunexpress"],
    ["4PX", "4px"],
    ["SF Express", "sf-express"],
    ["Japan Post (EN)", "japan-post"],
    ["Japan Post (JA)", "japan-post"],
    ["Correos", "correos"],
    ["Poste Italiane", "poste-italiane"],
    ["Bpost", "bpost"],
    ["Swiss Post", "swiss-post"],
    ["New Zealand Post", "new-zealand-post"],
    ["Aramex", "aramex"],
    ["TNT", "tnt"],
  ])("Shopify name %j → %s", (name, code) => {
    expect(carrierFromShopifyCompany(name)?.code).toBe(code);
  });

  it.each([
    ["ups", "ups"],
    ["  UPS  ", "ups"],
    ["fedex", "fedex"],
    ["FEDEX", "fedex"],
    ["Fed Ex", "fedex"],
    ["Fed-Ex", "fedex"],
    ["dhl", "dhl"],
    ["DHL express", "dhl"],
    ["U.S. Postal Service", "usps"],
    ["u.s. postal service", "usps"],
    ["United States Postal Service", "usps"],
    ["Hermes", "hermes"],
    ["ups ground", "ups"],
    ["UPS-Ground", "ups"],
    ["deutsche post de", "deutsche-post"],
    ["Post NL", "postnl-parcels"],
    ["Österreichische Post", "austria-post"],
    ["Osterreichische Post", "austria-post"],
  ])("case/spacing/alias %j → %s", (name, code) => {
    expect(carrierFromShopifyCompany(name)?.code).toBe(code);
  });

  it.each([["Other"], ["other"], [""], ["   "], ["---"], [null], [undefined], ["Bob's Courier"], ["日本郵便"]])(
    "%j → undefined",
    (name) => {
      expect(carrierFromShopifyCompany(name)).toBeUndefined();
    },
  );
});

describe("trackingUrlFor", () => {
  it("fills the template", () => {
    expect(trackingUrlFor("ups", "1Z999AA10123456784")).toBe("https://www.ups.com/track?tracknum=1Z999AA10123456784");
    expect(trackingUrlFor("usps", "9400111206206406260787")).toBe(
      "https://tools.usps.com/go/TrackConfirmAction?tLabels=9400111206206406260787",
    );
  });

  it("URL-encodes the number so merchant input cannot change the target", () => {
    expect(trackingUrlFor("fedex", "AB 12/3?x=1&y#z")).toBe(
      "https://www.fedex.com/fedextrack/?trknbr=AB%2012%2F3%3Fx%3D1%26y%23z",
    );
    expect(trackingUrlFor("royal-mail", "A/B")).toBe("https://www.royalmail.com/track-your-item#/tracking-results/A%2FB");
  });

  it("is null for unknown carriers and carriers without a public per-number page", () => {
    expect(trackingUrlFor("nope", "123")).toBeNull();
    expect(trackingUrlFor("china-post", "RR473124829CN")).toBeNull();
  });
});

describe("resolveCarrier", () => {
  it.each([
    // Shopify's company wins when the number is consistent with it or only weakly suggests otherwise.
    ["1Z999AA10123456784", "UPS", "ups", "shopify"],
    ["986578788855", "FedEx", "fedex", "shopify"],
    ["3318810025", "dhl", "dhl", "shopify"],
    ["9400111206206406260787", "UPS", "ups", "shopify"], // UPS Mail Innovations prints USPS IMpb numbers
    ["9400111206206406260787", "FedEx", "fedex", "shopify"], // so does FedEx SmartPost
    ["986578788855", "DHL Express", "dhl", "shopify"], // a bare 12-digit FedEx pass is weak evidence
    ["RR473124829CN", "YunExpress", "yunexpress", "shopify"], // forwarders hand over postal S10 numbers
    ["1Z12345E0205271688", "USPS", "usps", "shopify"], // failing 1Z is no proof
    ["00000123450000000027", "USPS", "usps", "shopify"], // ambiguous number, Shopify decides
    ["hello", "UPS", "ups", "shopify"], // unknown shape does not contradict the merchant
    // A checksum-valid number of a format only one carrier issues beats a contradicting name.
    ["1Z999AA10123456784", "USPS", "ups", "detected"],
    ["1ZCIETST0111111114", "FedEx", "ups", "detected"],
    ["9611020987654312345672", "USPS", "fedex", "detected"],
    ["C11031500001879", "UPS", "ontrac", "detected"],
    // No usable Shopify company: exactly one checksum-valid carrier.
    ["1Z999AA10123456784", "Other", "ups", "detected"],
    ["9400111206206406260787", null, "usps", "detected"],
    ["420787459400111206206406260787", undefined, "usps", "detected"],
    ["986578788855", "", "fedex", "detected"],
    ["73891051146", "Speedy Local Courier", "dhl", "detected"],
    ["RR473124829GB", "Other", "royal-mail", "detected"],
  ] as const)("%s with Shopify %j → %s (%s)", (trackingNumber, shopifyCompany, carrierCode, source) => {
    expect(resolveCarrier({ trackingNumber, shopifyCompany })).toMatchObject({ kind: "resolved", carrierCode, source });
  });

  it("passes the local candidates along with a Shopify resolution", () => {
    const result = resolveCarrier({ trackingNumber: "9400111206206406260787", shopifyCompany: "UPS" });
    expect(result).toEqual({
      kind: "resolved",
      carrierCode: "ups",
      source: "shopify",
      candidates: [{ carrierCode: "usps", format: "usps_91", checksumValid: true }],
    });
  });

  it.each([
    ["00000123450000000027", ["usps", "fedex"]], // USPS 20 vs FedEx SSCC-18 with its (00) AI
    ["100000000172", ["fedex", "purolator"]], // FedEx Express 12 vs Purolator 12, both pass
  ])("%s passes more than one carrier's checksum → ambiguous", (trackingNumber, carriers) => {
    const result = resolveCarrier({ trackingNumber, shopifyCompany: "Other" });
    expect(result.kind).toBe("ambiguous");
    if (result.kind !== "ambiguous") return;
    expect(result.candidates.filter((c) => c.checksumValid).map((c) => c.carrierCode)).toEqual(carriers);
  });

  it.each(["TBA123456789012", "1Z12345E0205271688", "9400111899562537624326", "JJD0002257639032011"])(
    "%s has only unverified matches → ambiguous, candidates kept as hints for the provider",
    (trackingNumber) => {
      const result = resolveCarrier({ trackingNumber });
      expect(result.kind).toBe("ambiguous");
      if (result.kind === "ambiguous") expect(result.candidates.length).toBeGreaterThan(0);
    },
  );

  it.each([
    ["hello world", null],
    ["12345", "Other"],
    ["", "UPS"], // nothing to track, whatever the merchant picked
    ["   ", undefined],
    ["996578788855", "Other"], // 12 digits failing every check
  ])("%j with Shopify %j → unknown", (trackingNumber, shopifyCompany) => {
    expect(resolveCarrier({ trackingNumber, shopifyCompany })).toEqual({ kind: "unknown" });
  });
});
