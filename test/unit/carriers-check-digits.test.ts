import { describe, expect, it } from "vitest";
import {
  charValue,
  FEDEX_EXPRESS_12_WEIGHTS,
  isValidLuhn,
  isValidMod10,
  isValidMod7,
  isValidS10,
  isValidSumProduct,
  luhnCheckDigit,
  mod10CheckDigit,
  mod7CheckDigit,
  s10CheckDigit,
  sumProductCheckDigit,
} from "~/domain/carriers/check-digits";

// Expected values below come from the reference (carrier-and-shopify-apis.md D.2 + appendix), the
// jkeen/tracking_number_data test numbers, or arithmetic written out in the test, never from
// running the code under test.

describe("charValue (jkeen letter mapping)", () => {
  it.each([
    ["0", 0],
    ["9", 9],
    ["A", 2],
    ["H", 9],
    ["I", 0],
    ["J", 1],
    ["Z", 7], // (90 − 3) % 10
  ])("%s → %i", (c, v) => {
    expect(charValue(c)).toBe(v);
  });

  it.each(["a", "-", " ", "", "AB", "É"])("rejects %j", (c) => {
    expect(charValue(c)).toBeNull();
  });
});

describe("mod10", () => {
  const ups = { evensMultiplier: 1, oddsMultiplier: 2 };

  it("computes the UPS 1Z check digit over the 15 characters after 1Z (letters mapped)", () => {
    expect(mod10CheckDigit("999AA1012345678", ups)).toBe(4); // 1Z999AA10123456784
    expect(mod10CheckDigit("CIETST011111111", ups)).toBe(4); // 1ZCIETST0111111114
    expect(isValidMod10("12345E020527168", "8", ups)).toBe(false); // the widely copied bad sample
  });

  it("does not digit-sum products (that would be Luhn)", () => {
    // "5" at an odds position: ×2 = 10 contributes 10 here, Luhn would contribute 1.
    expect(mod10CheckDigit("05", ups)).toBe(0);
  });

  it("reverse counts weights from the right (USPS IMpb)", () => {
    const impb = { evensMultiplier: 3, oddsMultiplier: 1, reverse: true };
    expect(isValidMod10("940011120620640626078", "7", impb)).toBe(true);
    // Even-length data shows the difference: from the right "12" weighs 2×3 + 1×1 = 7 → 3;
    // from the left it would be 1×3 + 2×1 = 5 → 5.
    expect(mod10CheckDigit("12", impb)).toBe(3);
    expect(mod10CheckDigit("12", { evensMultiplier: 3, oddsMultiplier: 1 })).toBe(5);
  });

  it.each([["", "0"], ["12a", "0"], ["12 3", "0"], ["123", "X"], ["123", "12"], ["123", ""]])(
    "returns false, not an exception, for malformed input %j / %j",
    (seq, check) => {
      expect(isValidMod10(seq, check, ups)).toBe(false);
    },
  );
});

describe("mod7 (DHL Express)", () => {
  it.each([
    ["331881002", "5"],
    ["7389105114", "6"],
  ])("%s has check %s", (serial, check) => {
    expect(isValidMod7(serial, check)).toBe(true);
  });

  it("does not lose precision on serials beyond Number.MAX_SAFE_INTEGER", () => {
    const serial = "98765432109876543210987";
    expect(mod7CheckDigit(serial)).toBe(Number(BigInt(serial) % 7n));
  });

  it("rejects non-digits", () => {
    expect(mod7CheckDigit("12A")).toBeNull();
    expect(isValidMod7("", "0")).toBe(false);
  });
});

describe("S10 / UPU", () => {
  it("computes a check digit worked out by hand", () => {
    // 4·8 + 7·6 + 3·4 + 1·2 + 2·3 + 4·5 + 8·9 + 2·7 = 32+42+12+2+6+20+72+14 = 200; 200 % 11 = 2 → 11 − 2 = 9
    expect(s10CheckDigit("47312482")).toBe(9);
    // 1·8 + 2·6 + 3·4 + 4·2 + 5·3 + 6·5 + 7·9 + 8·7 = 204; 204 % 11 = 6 → 5 (jkeen RB123456785GB)
    expect(s10CheckDigit("12345678")).toBe(5);
  });

  it("maps remainder 0 to 5 and remainder 1 to 0", () => {
    expect(s10CheckDigit("00000000")).toBe(5); // sum 0
    expect(s10CheckDigit("00060000")).toBe(0); // 6·2 = 12, 12 % 11 = 1
  });

  it("needs exactly 8 digits", () => {
    expect(s10CheckDigit("1234567")).toBeNull();
    expect(s10CheckDigit("123456789")).toBeNull();
    expect(isValidS10("1234567A", "5")).toBe(false);
  });
});

describe("sum-product with weightings (FedEx Express 12)", () => {
  it("verifies 986578788855", () => {
    // 9·3+8·1+6·7+5·3+7·1+8·7+7·3+8·1+8·7+8·3+5·1 = 269; 269 % 11 = 5; 5 % 10 = 5
    expect(sumProductCheckDigit("98657878885", FEDEX_EXPRESS_12_WEIGHTS, 11, 10)).toBe(5);
    expect(isValidSumProduct("99657878885", "5", FEDEX_EXPRESS_12_WEIGHTS, 11, 10)).toBe(false); // jkeen invalid
  });

  it("refuses a serial whose length differs from the weights", () => {
    expect(sumProductCheckDigit("9865787888", FEDEX_EXPRESS_12_WEIGHTS, 11, 10)).toBeNull();
  });
});

describe("Luhn (Purolator)", () => {
  it("matches the textbook example 79927398713", () => {
    expect(luhnCheckDigit("7992739871")).toBe(3);
  });

  it("verifies jkeen Purolator test numbers", () => {
    expect(isValidLuhn("32059546393", "8")).toBe(true);
    expect(isValidLuhn("32059546393", "9")).toBe(false);
  });
});

describe("known blind spots (why weak checks never overrule Shopify)", () => {
  it("mod10 with a ×2 weight cannot see a ±5 change at that position", () => {
    // 1Z999AA10123456784: position 1 of the body ("9", weight 2) → "4" changes the sum by −10.
    expect(isValidMod10("949AA1012345678", "4", { evensMultiplier: 1, oddsMultiplier: 2 })).toBe(true);
  });

  it("mod7 cannot see a ±7 change in any digit", () => {
    expect(isValidMod7("331881072", "5")).toBe(true); // 0 → 7 in the tens place of 331881002: +70
  });
});
