import { CIE_TRACKING_NUMBERS } from "../../simulators/ups";
import { journeyFor } from "../../simulators/trackingmore/journey";
import type { SimOrderInput } from "../../simulators/shopify";
import { demoTrackingNumber, type DemoCarrier } from "./tracking-numbers";

/**
 * The demo shop's orders and what should become of each: which carrier ships it, which provider
 * tracks it (TrackingMore v4 by default, Tracktry for DHL and Royal Mail, UPS Track Alert in its
 * test environment for UPS), and, from the simulators' scripted journeys, the status it ends in
 * and the milestones it passes. Deterministic: the same size gives the same shop every run.
 */

export type DemoProvider = "trackingmore" | "tracktry" | "ups";

/** Milestones as the customer and Shopify hear about them, in journey order. */
export type JourneyMilestone = "shipped" | "out_for_delivery" | "failed_attempt" | "delivered" | "exception";

export interface PlannedOrder {
  index: number;
  carrier: DemoCarrier;
  trackingCompany: string;
  trackingNumber: string;
  provider: DemoProvider;
  email: string;
  firstName: string;
  locale: "en" | "fr" | "de" | "es";
  country: string;
  order: SimOrderInput;
  expected: Expectation;
}

export interface Expectation {
  /** Registered with the provider, or refused by it (UPS's test environment takes only its two test numbers). */
  registration: "registered" | "failed";
  finalStatus: string | null;
  milestones: readonly JourneyMilestone[];
}

const COMPANY: Record<DemoCarrier, string> = { ups: "UPS", usps: "USPS", fedex: "FedEx", dhl: "DHL Express", "royal-mail": "Royal Mail" };
/** Carrier codes the shop routes away from its default provider (TrackingMore). */
export const CARRIER_ROUTES: Readonly<Record<string, DemoProvider>> = { dhl: "tracktry", "royal-mail": "tracktry", ups: "ups" };
const CARRIER_MIX: readonly DemoCarrier[] = ["usps", "fedex", "usps", "dhl", "royal-mail", "fedex", "usps", "dhl", "royal-mail", "fedex"];
const LOCALES = ["en", "fr", "de", "es"] as const;
const COUNTRY_BY_LOCALE = { en: ["US", "GB"], fr: ["FR"], de: ["DE"], es: ["ES"] } as const;
const FIRST_NAMES = ["Ada", "Camille", "Jonas", "Lucía", "Grace", "Hugo", "Lena", "Mateo", "Alan", "Chloé", "Felix", "Sofía"];
const PRODUCTS = [
  { title: "Merino wool socks", variantTitle: "M / Charcoal", price: "18.00" },
  { title: "Canvas tote bag", variantTitle: "Natural", price: "32.00" },
  { title: "Ceramic pour-over set", variantTitle: null, price: "54.00" },
  { title: "Linen napkins (4)", variantTitle: "Sage", price: "28.00" },
  { title: "Enamel camp mug", variantTitle: "Blue", price: "16.00" },
];
/** UPS numbers outside the test environment's two: UPS refuses them, which the dashboard shows. */
const REFUSED_UPS_ORDERS = 2;

/** Milestones a TrackingMore/Tracktry journey passes, from its scripted statuses. */
function simulatorJourneyMilestones(trackingNumber: string): { finalStatus: string; milestones: JourneyMilestone[] } {
  const steps = journeyFor(trackingNumber);
  const milestones: JourneyMilestone[] = [];
  const add = (milestone: JourneyMilestone) => milestones.includes(milestone) || milestones.push(milestone);
  for (const step of steps) {
    if (step.status === "transit") add("shipped");
    else if (step.status === "pickup") add("out_for_delivery");
    else if (step.status === "undelivered") add("failed_attempt");
    else if (step.status === "delivered") add("delivered");
    else if (step.status === "exception") add("exception");
  }
  return { finalStatus: steps.at(-1)!.status, milestones };
}

/** UPS's documented CIE sequence: manifest, pickup, in transit, preparing (twice), out for delivery, delivered. */
const UPS_CIE_JOURNEY: Expectation = { registration: "registered", finalStatus: "delivered", milestones: ["shipped", "out_for_delivery", "delivered"] };

export function planDemoOrders(count: number, now: Date): PlannedOrder[] {
  const plan: PlannedOrder[] = [];
  const carriers: DemoCarrier[] = [...CIE_TRACKING_NUMBERS.map(() => "ups" as const), ...Array.from({ length: REFUSED_UPS_ORDERS }, () => "ups" as const)];
  for (let i = carriers.length; i < count; i++) carriers.push(CARRIER_MIX[i % CARRIER_MIX.length]!);
  for (const [index, carrier] of carriers.entries()) {
    const cieNumber = carrier === "ups" ? CIE_TRACKING_NUMBERS[index] : undefined;
    const trackingNumber = cieNumber ?? demoTrackingNumber(carrier, 1_000 + index * 7);
    const provider = CARRIER_ROUTES[carrier] ?? "trackingmore";
    const expected: Expectation =
      carrier === "ups"
        ? cieNumber
          ? UPS_CIE_JOURNEY
          : { registration: "failed", finalStatus: null, milestones: [] }
        : { registration: "registered", ...simulatorJourneyMilestones(trackingNumber) };
    const locale = LOCALES[index % LOCALES.length]!;
    const countries = COUNTRY_BY_LOCALE[locale];
    const country = countries[index % countries.length]!;
    const firstName = FIRST_NAMES[index % FIRST_NAMES.length]!;
    const email = `customer${index + 1}@example.com`;
    const products = [PRODUCTS[index % PRODUCTS.length]!, ...(index % 3 === 0 ? [PRODUCTS[(index + 2) % PRODUCTS.length]!] : [])];
    plan.push({
      index,
      carrier,
      trackingCompany: COMPANY[carrier],
      trackingNumber,
      provider,
      email,
      firstName,
      locale,
      country,
      expected,
      order: {
        email,
        customerLocale: locale,
        customer: { firstName, lastName: "Example", email, locale },
        shippingAddress: { firstName, lastName: "Example", address1: "1 Example Street", city: "Example", zip: "00000", countryCode: country },
        // No pictures: the sandbox is offline, and a picture address would point at Shopify's CDN.
        lineItems: products.map((product, item) => ({ ...product, quantity: 1 + ((index + item) % 2), sku: `DEMO-${(index + item) % PRODUCTS.length}`, imageUrl: null })),
        // Placed over the last three weeks, newest last, all inside the 30-day import.
        createdAt: new Date(now.getTime() - (count - index) * Math.floor((21 * 24 * 3_600_000) / count)),
      },
    });
  }
  return plan;
}
