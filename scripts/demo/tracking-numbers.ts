import { upsNumber } from "../../simulators/lib/tracking-numbers";
import { FEDEX_EXPRESS_12_WEIGHTS, mod10CheckDigit, mod7CheckDigit, s10CheckDigit, sumProductCheckDigit } from "~/domain/carriers/check-digits";

/**
 * Check-digit-valid numbers for the carriers the demo ships with, distinct per index, so the
 * app's carrier detection (app/domain/carriers) accepts them as the real thing. UPS comes from the
 * simulators' own generator; the others use the app's check-digit functions (the tests check
 * those against each carrier's published vectors).
 */

export type DemoCarrier = "ups" | "usps" | "fedex" | "dhl" | "royal-mail";

/** USPS IMpb (22 digits, 9400 1…): mod 10 with weights 3,1 from the right. */
export function uspsNumber(index: number): string {
  const body = `940011120620${String(index).padStart(9, "0")}`;
  return `${body}${mod10CheckDigit(body, { evensMultiplier: 3, oddsMultiplier: 1, reverse: true })}`;
}

/** FedEx Express (12 digits): weights 3,1,7 over 11 digits, then % 11 % 10. */
export function fedexNumber(index: number): string {
  const body = `7${String(index).padStart(10, "0")}`;
  return `${body}${sumProductCheckDigit(body, FEDEX_EXPRESS_12_WEIGHTS, 11, 10)}`;
}

/** DHL Express waybill (10 digits): the 9-digit serial modulo 7. */
export function dhlNumber(index: number): string {
  const serial = String(331_000_000 + index);
  return `${serial}${mod7CheckDigit(serial)}`;
}

/** UPU S10 (Royal Mail): 2 letters, 8 digits, check digit, "GB". */
export function royalMailNumber(index: number): string {
  const serial = String(10_000_000 + index).padStart(8, "0");
  return `RR${serial}${s10CheckDigit(serial)}GB`;
}

export function demoTrackingNumber(carrier: DemoCarrier, index: number): string {
  switch (carrier) {
    case "ups":
      return upsNumber(index, "DEMO01");
    case "usps":
      return uspsNumber(index);
    case "fedex":
      return fedexNumber(index);
    case "dhl":
      return dhlNumber(index);
    case "royal-mail":
      return royalMailNumber(index);
  }
}
