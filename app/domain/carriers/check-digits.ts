/**
 * Check-digit algorithms used by carrier tracking numbers.
 *
 * Semantics follow jkeen/tracking_number_data `CHECKSUM_ALGORITHMS.md` (see
 * /work/shared/reference/carrier-and-shopify-apis.md D.2 and its appendix), because that data set's
 * test numbers are what we verify against. Every function is total: malformed input yields `null`
 * (for `…CheckDigit`) or `false` (for `isValid…`), never an exception, since these run on
 * merchant-typed strings.
 */

const DIGITS_ONLY = /^\d+$/;
const ALPHANUMERIC = /^[0-9A-Z]+$/;

/**
 * Value of one character in the mod10 family: a digit is itself, a letter is `(charCode − 3) % 10`
 * (A=2 … H=9, I=0, J=1 …). UPS 1Z bodies mix letters and digits and this is the mapping their
 * check digit is computed with. Returns `null` for anything else (lower case included: callers
 * normalise first).
 */
export function charValue(c: string): number | null {
  if (c.length !== 1) return null;
  const code = c.charCodeAt(0);
  if (code >= 48 && code <= 57) return code - 48;
  if (code >= 65 && code <= 90) return (code - 3) % 10;
  return null;
}

export interface Mod10Options {
  /** Multiplier for positions 0, 2, 4 … (counted after the optional reversal). */
  evensMultiplier: number;
  /** Multiplier for positions 1, 3, 5 … */
  oddsMultiplier: number;
  /** Count positions from the right (USPS IMpb weights 3,1,3 … from the rightmost data digit). */
  reverse?: boolean;
}

/**
 * jkeen "mod10": weighted sum, check = (10 − sum % 10) % 10. Unlike Luhn the products are NOT
 * digit-summed, which is why a Luhn implementation gives wrong answers for UPS/USPS/FedEx.
 */
export function mod10CheckDigit(sequence: string, options: Mod10Options): number | null {
  if (sequence.length === 0 || !ALPHANUMERIC.test(sequence)) return null;
  const chars = options.reverse ? [...sequence].reverse() : [...sequence];
  let total = 0;
  for (let i = 0; i < chars.length; i++) {
    const value = charValue(chars[i]!);
    if (value === null) return null;
    total += value * (i % 2 === 0 ? options.evensMultiplier : options.oddsMultiplier);
  }
  return (10 - (total % 10)) % 10;
}

export function isValidMod10(sequence: string, checkDigit: string, options: Mod10Options): boolean {
  return matches(mod10CheckDigit(sequence, options), checkDigit);
}

/**
 * jkeen "mod7": the serial read as an integer, modulo 7 (DHL Express waybills). Computed digit by
 * digit so serials longer than Number's safe range cannot silently lose precision.
 */
export function mod7CheckDigit(serial: string): number | null {
  if (serial.length === 0 || !DIGITS_ONLY.test(serial)) return null;
  let remainder = 0;
  for (const c of serial) remainder = (remainder * 10 + (c.charCodeAt(0) - 48)) % 7;
  return remainder;
}

export function isValidMod7(serial: string, checkDigit: string): boolean {
  return matches(mod7CheckDigit(serial), checkDigit);
}

const S10_WEIGHTS = [8, 6, 4, 2, 3, 5, 9, 7] as const;

/**
 * UPU S10 check digit over the 8-digit serial: weights 8,6,4,2,3,5,9,7; r = sum % 11;
 * check = r == 0 ? 5 : r == 1 ? 0 : 11 − r (the two special cases keep the result one digit).
 */
export function s10CheckDigit(serial: string): number | null {
  if (serial.length !== S10_WEIGHTS.length || !DIGITS_ONLY.test(serial)) return null;
  let total = 0;
  for (let i = 0; i < S10_WEIGHTS.length; i++) total += (serial.charCodeAt(i) - 48) * S10_WEIGHTS[i]!;
  const r = total % 11;
  if (r === 0) return 5;
  if (r === 1) return 0;
  return 11 - r;
}

export function isValidS10(serial: string, checkDigit: string): boolean {
  return matches(s10CheckDigit(serial), checkDigit);
}

/**
 * jkeen "sum_product_with_weightings_and_modulo": Σ digit × weight, then `% modulo1 % modulo2`
 * (FedEx Express 12 uses 3,1,7,… with 11 then 10). The serial must be exactly as long as the
 * weights: jkeen zips the two, and a length mismatch there means the caller matched the wrong
 * slice, which we would rather report as "no check digit" than silently score.
 */
export function sumProductCheckDigit(
  serial: string,
  weightings: readonly number[],
  modulo1: number,
  modulo2: number,
): number | null {
  if (serial.length === 0 || serial.length !== weightings.length || !DIGITS_ONLY.test(serial)) return null;
  let total = 0;
  for (let i = 0; i < serial.length; i++) total += (serial.charCodeAt(i) - 48) * weightings[i]!;
  return (total % modulo1) % modulo2;
}

export function isValidSumProduct(
  serial: string,
  checkDigit: string,
  weightings: readonly number[],
  modulo1: number,
  modulo2: number,
): boolean {
  return matches(sumProductCheckDigit(serial, weightings, modulo1, modulo2), checkDigit);
}

/**
 * Weights FedEx Express 12-digit numbers use over their first 11 digits (then % 11 % 10). Detection
 * takes them from the data (jkeen `fedex_12`); this copy is for the worked examples in the tests.
 */
export const FEDEX_EXPRESS_12_WEIGHTS = [3, 1, 7, 3, 1, 7, 3, 1, 7, 3, 1] as const;

/**
 * Standard Luhn (doubling with digit sum), from the right. Purolator's 12-digit PINs use it; kept
 * separate from `mod10CheckDigit` because the digit-summing step is exactly what differs.
 */
export function luhnCheckDigit(serial: string): number | null {
  if (serial.length === 0 || !DIGITS_ONLY.test(serial)) return null;
  let total = 0;
  // The check digit will sit to the right of the serial, so the serial's last digit is doubled.
  for (let i = 0; i < serial.length; i++) {
    let d = serial.charCodeAt(serial.length - 1 - i) - 48;
    if (i % 2 === 0) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    total += d;
  }
  return (10 - (total % 10)) % 10;
}

export function isValidLuhn(serial: string, checkDigit: string): boolean {
  return matches(luhnCheckDigit(serial), checkDigit);
}

function matches(computed: number | null, checkDigit: string): boolean {
  // A letter in the check position never matches: jkeen's Ruby `to_i` would read it as 0, which
  // would accept e.g. a 1Z number ending in "A" whenever the computed digit is 0.
  return computed !== null && checkDigit.length === 1 && DIGITS_ONLY.test(checkDigit) && computed === Number(checkDigit);
}
