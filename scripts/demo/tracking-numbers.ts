import { upsNumber } from "../../simulators/lib/tracking-numbers";

/**
 * Check-digit-valid numbers for the carriers the demo ships with, distinct per index, so the
 * app's carrier detection (app/domain/carriers) accepts them as the real thing. UPS comes from the
 * simulators' own generator; the others follow each carrier's published check-digit rule.
 */

export type DemoCarrier = "ups" | "usps" | "fedex" | "dhl" | "royal-mail";

/** USPS IMpb (22 digits, 9400 1…): mod 10 with weights 3,1 from the right. */
export function uspsNumber(index: number): string {
  const body = `940011120620${String(index).padStart(9, "0")}`;
  const sum = [...body].reverse().reduce((total, digit, i) => total + Number(digit) * (i % 2 === 0 ? 3 : 1), 0);
  return `${body}${(10 - (sum % 10)) % 10}`;
}

/** FedEx Express (12 digits): weights 1,3,7 from the right over 11 digits, then % 11 % 10. */
export function fedexNumber(index: number): string {
  const body = `7${String(index).padStart(10, "0")}`;
  const weights = [1, 3, 7];
  const sum = [...body].reverse().reduce((total, digit, i) => total + Number(digit) * weights[i % 3]!, 0);
  return `${body}${(sum % 11) % 10}`;
}

/** DHL Express waybill (10 digits): the 9-digit serial modulo 7. */
export function dhlNumber(index: number): string {
  const serial = 331_000_000 + index;
  return `${serial}${serial % 7}`;
}

/** UPU S10 (Royal Mail): 2 letters, 8 digits, check digit (weights 8,6,4,2,3,5,9,7; 11 − sum % 11, 10 → 0, 11 → 5), "GB". */
export function royalMailNumber(index: number): string {
  const serial = String(10_000_000 + index).padStart(8, "0");
  const weights = [8, 6, 4, 2, 3, 5, 9, 7];
  const sum = [...serial].reduce((total, digit, i) => total + Number(digit) * weights[i]!, 0);
  const raw = 11 - (sum % 11);
  const check = raw === 10 ? 0 : raw === 11 ? 5 : raw;
  return `RR${serial}${check}GB`;
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
