/**
 * Interpreter for the jkeen/tracking_number_data format descriptions (`couriers/*.json`, MIT), the
 * maintained data set local detection is built on (ADR 0009). It does what that project's README and
 * test helper describe, and nothing carrier-specific:
 *
 * 1. join the format's `regex` (a string or an array of strings) and match it against the WHOLE
 *    number (anchored, like the Ruby `tracking_number` gem's verify pattern). The patterns allow
 *    `\s*` between characters; callers normalise whitespace away first, which those accept;
 * 2. read the named groups (`SerialNumber`, `CheckDigit`, `ServiceType`, `CountryCode` …);
 * 3. resolve each `additional` lookup on its group (`matches` exact, `matches_regex` a search), and
 *    reject the match when a lookup named in `validation.additional.exists` found nothing (that is
 *    how an S10 number with an unknown country suffix is rejected);
 * 4. apply `validation.serial_number_format` (`prepend_if`) to the serial and verify the check digit
 *    with the algorithm `validation.checksum.name` names, using `./check-digits`.
 *
 * Anything in a format this interpreter does not understand (an unknown checksum or serial rule, a
 * checksum without a `CheckDigit` group) throws when the format is compiled, i.e. when the module
 * loads, so a data update that needs new code cannot ship unnoticed: the unit tests import it.
 *
 * Pure: no Node APIs, no I/O. The data itself is imported by `./formats`.
 */

import { isValidLuhn, isValidMod10, isValidMod7, isValidS10, isValidSumProduct } from "./check-digits";

// --- The jkeen/tracking_number_data schema (the parts we read) ---------------------------------

/** One `couriers/*.json` file. */
export interface CourierData {
  name: string;
  courier_code: string;
  tracking_numbers: readonly TrackingNumberFormatData[];
}

/** One entry of `tracking_numbers`: a number format. */
export interface TrackingNumberFormatData {
  name: string;
  /** Absent on a few entries (UPS Waybill); see `formatId`. */
  id?: string;
  description?: string;
  /** PCRE-compatible; an array is concatenated. Named groups: SerialNumber, CheckDigit, … */
  regex: string | readonly string[];
  validation: {
    checksum?: ChecksumSpec;
    serial_number_format?: SerialNumberFormat;
    /** `exists`: names of `additional` sections that must find a lookup entry. */
    additional?: { exists?: readonly string[] };
  };
  /** Python-style `%s` template. Not used: `registry.ts` owns tracking links. */
  tracking_url?: string | null;
  additional?: readonly AdditionalSection[];
  test_numbers: { valid: readonly string[]; invalid: readonly string[] };
}

export interface ChecksumSpec {
  /** mod10 | mod7 | s10 | sum_product_with_weightings_and_modulo | luhn */
  name: string;
  evens_multiplier?: number;
  odds_multiplier?: number;
  reverse?: boolean;
  weightings?: readonly number[];
  modulo1?: number;
  modulo2?: number;
}

export interface SerialNumberFormat {
  /** Prepend `content` to the serial when the serial matches `matches_regex`. */
  prepend_if?: { matches_regex: string; content: string };
}

export interface AdditionalSection {
  /** e.g. "Service Type", "Courier"; `validation.additional.exists` refers to this. */
  name: string;
  regex_group_name: string;
  lookup: readonly LookupEntry[];
}

export interface LookupEntry {
  matches?: string;
  matches_regex?: string;
  name?: string;
  [key: string]: unknown;
}

// --- Interpreter ----------------------------------------------------------------------------------

export type ChecksumResult = "valid" | "invalid" | "none";

export interface FormatMatch {
  /** Named groups that took part in the match, whitespace removed. */
  groups: Readonly<Record<string, string>>;
  /** The `additional` lookup entry found for each section, by section name. */
  lookups: Readonly<Record<string, LookupEntry>>;
  /** "none" when the format has no checksum. */
  checksum: ChecksumResult;
}

export interface CompiledFormat {
  /** The format's `id`, or its name in snake case when the data gives none. */
  id: string;
  courierCode: string;
  data: TrackingNumberFormatData;
  /** Matches the whole string (expects whitespace already removed and upper case); null when the shape does not fit. */
  match(trackingNumber: string): FormatMatch | null;
}

/** `id`, else the name in snake case ("UPS Waybill" → "ups_waybill"). */
export function formatId(format: TrackingNumberFormatData): string {
  return format.id ?? format.name.toLowerCase().replace(/[^a-z0-9]+/g, "_").replace(/^_|_$/g, "");
}

export function compileCourier(courier: CourierData): CompiledFormat[] {
  return courier.tracking_numbers.map((format) => compileFormat(courier.courier_code, format));
}

export function compileFormat(courierCode: string, data: TrackingNumberFormatData): CompiledFormat {
  const id = formatId(data);
  const where = `${courierCode}/${id}`;
  const pattern = typeof data.regex === "string" ? data.regex : data.regex.join("");
  const regex = new RegExp(`^(?:${pattern})$`);
  const groupNames = new Set([...pattern.matchAll(/\(\?<([A-Za-z][A-Za-z0-9]*)>/g)].map((m) => m[1]!));
  if (!groupNames.has("SerialNumber")) throw new Error(`${where}: regex has no SerialNumber group`);

  const spec = data.validation.checksum;
  if (groupNames.has("CheckDigit") && !spec) throw new Error(`${where}: CheckDigit group without a checksum`);
  if (spec && !groupNames.has("CheckDigit")) throw new Error(`${where}: checksum ${spec.name} without a CheckDigit group`);
  const verify = spec ? checksumVerifier(spec, where) : null;
  const formatSerial = serialFormatter(data.validation.serial_number_format, where);

  const sections = (data.additional ?? []).map((section) => {
    if (!groupNames.has(section.regex_group_name)) throw new Error(`${where}: additional "${section.name}" names unknown group ${section.regex_group_name}`);
    return {
      name: section.name,
      group: section.regex_group_name,
      entries: section.lookup.map((entry) => ({
        entry,
        test: entryTest(entry, where),
      })),
    };
  });
  const required = data.validation.additional?.exists ?? [];
  for (const name of required) {
    if (!sections.some((s) => s.name === name)) throw new Error(`${where}: validation requires unknown additional "${name}"`);
  }

  return {
    id,
    courierCode,
    data,
    match(trackingNumber) {
      const m = regex.exec(trackingNumber);
      if (!m) return null;
      const groups: Record<string, string> = {};
      for (const [name, value] of Object.entries(m.groups ?? {})) {
        if (value !== undefined) groups[name] = value.replace(/\s+/g, "");
      }
      const lookups: Record<string, LookupEntry> = {};
      for (const section of sections) {
        const value = groups[section.group];
        if (value === undefined) continue;
        const found = section.entries.find((e) => e.test(value));
        if (found) lookups[section.name] = found.entry;
      }
      if (required.some((name) => !(name in lookups))) return null;

      let checksum: ChecksumResult = "none";
      if (verify) {
        const serial = formatSerial(groups.SerialNumber ?? "");
        checksum = verify(serial, groups.CheckDigit ?? "") ? "valid" : "invalid";
      }
      return { groups, lookups, checksum };
    },
  };
}

type Verifier = (serial: string, checkDigit: string) => boolean;

/** The check-digit function a `validation.checksum` names, with its parameters bound. */
export function checksumVerifier(spec: ChecksumSpec, where = "checksum"): Verifier {
  switch (spec.name) {
    case "mod10": {
      // jkeen: a missing multiplier leaves those positions unweighted.
      const options = { evensMultiplier: spec.evens_multiplier ?? 1, oddsMultiplier: spec.odds_multiplier ?? 1, reverse: spec.reverse ?? false };
      return (serial, check) => isValidMod10(serial, check, options);
    }
    case "mod7":
      return isValidMod7;
    case "s10":
      return isValidS10;
    case "luhn":
      return isValidLuhn;
    case "sum_product_with_weightings_and_modulo": {
      const { weightings, modulo1, modulo2 } = spec;
      if (!weightings || modulo1 === undefined || modulo2 === undefined) {
        throw new Error(`${where}: sum_product_with_weightings_and_modulo needs weightings, modulo1 and modulo2`);
      }
      return (serial, check) => isValidSumProduct(serial, check, weightings, modulo1, modulo2);
    }
    default:
      throw new Error(`${where}: unsupported checksum algorithm "${spec.name}" (add it to check-digits.ts)`);
  }
}

function serialFormatter(format: SerialNumberFormat | undefined, where: string): (serial: string) => string {
  if (!format) return (serial) => serial;
  const unknown = Object.keys(format).filter((key) => key !== "prepend_if");
  if (unknown.length > 0) throw new Error(`${where}: unsupported serial_number_format ${unknown.join(", ")}`);
  const rule = format.prepend_if;
  if (!rule) return (serial) => serial;
  const when = new RegExp(rule.matches_regex);
  return (serial) => (when.test(serial) ? `${rule.content}${serial}` : serial);
}

function entryTest(entry: LookupEntry, where: string): (value: string) => boolean {
  if (typeof entry.matches === "string") {
    const expected = entry.matches;
    return (value) => value === expected;
  }
  if (typeof entry.matches_regex === "string") {
    // A search, as in the Ruby gem (`value =~ Regexp.new(…)`).
    const pattern = new RegExp(entry.matches_regex);
    return (value) => pattern.test(value);
  }
  throw new Error(`${where}: lookup entry without matches or matches_regex`);
}
