import { describe, expect, it } from "vitest";
import { SHIPMENT_SUBSTATUSES } from "~/domain/shipment-status";
import type { DeliveryPrediction } from "~/domain/delivery-performance";
import { buildTrackingPageShipment, trackingPageItemsFrom, type TrackingPageContext, type TrackingPageEventInput, type TrackingPageShipmentInput } from "~/domain/tracking-page";
import type { StorefrontLocale } from "~/domain/tracking-page-contract";
import { catalogueProblems } from "~/i18n/catalogue";
import { resolveStorefrontLocale, STOREFRONT_LOCALES, STOREFRONT_REFERENCE, type StorefrontCatalogue } from "~/i18n/storefront";

/**
 * The tracking page's view of one shipment: headlines of every kind in every language, days
 * relative to the shop's "today" across zone boundaries, carrier wall-clock times shown as given,
 * the progress bar with a problem on it, and the carrier's estimate versus the shop's prediction.
 * 2026-11-24 is a Tuesday; 2026-11-26 a Thursday.
 */

const BERLIN: TrackingPageContext = { locale: "en", timeZone: "Europe/Berlin", now: new Date("2026-11-24T10:00:00Z") };

function event(iso: string, status: string | null, substatus: string | null = null, extra: Partial<TrackingPageEventInput> = {}): TrackingPageEventInput {
  return { occurredAt: new Date(iso), zoneKnown: true, status, substatus, description: `${status ?? "note"} scan`, city: "Leipzig", state: null, countryCode: "DE", ...extra };
}

function shipment(overrides: Partial<TrackingPageShipmentInput> = {}): TrackingPageShipmentInput {
  return {
    trackingNumber: "00340434161094042557",
    status: "transit",
    substatus: "in_transit",
    carrierCode: "dhl",
    trackingCompany: "DHL Express",
    trackingUrl: null,
    shippedAt: new Date("2026-11-21T08:00:00Z"),
    deliveredAt: null,
    estimatedDeliveryAt: null,
    estimatedDeliveryEndAt: null,
    lastEventAt: new Date("2026-11-23T16:00:00Z"),
    lastEventDescription: "Departed the hub",
    orderCreatedAt: new Date("2026-11-20T09:30:00Z"),
    events: [
      event("2026-11-20T18:00:00Z", "inforeceived", "label_created", { city: null, countryCode: null, description: "Label created" }),
      event("2026-11-21T08:00:00Z", "transit", "in_transit", { city: "Bonn", description: "Picked up" }),
      event("2026-11-23T16:00:00Z", "transit", "departed", { city: "Leipzig", description: "Departed the hub" }),
    ],
    items: [],
    prediction: null,
    ...overrides,
  };
}

const build = (overrides: Partial<TrackingPageShipmentInput> = {}, context: Partial<TrackingPageContext> = {}) =>
  buildTrackingPageShipment(shipment(overrides), { ...BERLIN, ...context });

function prediction(expected: string, earliest: string, latest: string, sampleSize = 48): DeliveryPrediction {
  return { expectedAt: new Date(expected), earliestAt: new Date(earliest), latestAt: new Date(latest), basis: { carrierCode: "dhl", destinationCountry: "DE", sampleSize } };
}

const delivered = (at: string, substatus = "left_at_door", zoneKnown = true): Partial<TrackingPageShipmentInput> => ({
  status: "delivered",
  substatus,
  deliveredAt: new Date(at),
  events: [...shipment().events, event(at, "pickup", "out_for_delivery", { occurredAt: new Date(new Date(at).getTime() - 4 * 3600_000) }), event(at, "delivered", substatus, { zoneKnown })],
});

describe("headline", () => {
  it("arrives on the carrier's date, named as today or tomorrow when it is", () => {
    expect(build({ estimatedDeliveryAt: new Date("2026-11-26T00:00:00Z") }).headline).toEqual({
      kind: "arriving",
      text: "Arriving Thursday, 26 November",
      detail: "Departed the hub",
      action: null,
    });
    expect(build({ estimatedDeliveryAt: new Date("2026-11-25T00:00:00Z") }).headline.text).toBe("Arriving tomorrow");
    expect(build({ estimatedDeliveryAt: new Date("2026-11-24T00:00:00Z") }).headline.text).toBe("Arriving today");
  });

  it("arrives within the carrier's window", () => {
    const page = build({ estimatedDeliveryAt: new Date("2026-11-26T00:00:00Z"), estimatedDeliveryEndAt: new Date("2026-11-28T00:00:00Z") });
    expect(page.headline.text).toBe("Arriving 26–28 November");
    const acrossMonths = build({ estimatedDeliveryAt: new Date("2026-11-30T00:00:00Z"), estimatedDeliveryEndAt: new Date("2026-12-02T00:00:00Z") });
    expect(acrossMonths.headline.text).toBe("Arriving 30 November – 2 December");
  });

  it("arrives around the predicted day when the carrier gives none, and is just on its way without either", () => {
    const predicted = build({ prediction: prediction("2026-11-26T12:00:00Z", "2026-11-25T12:00:00Z", "2026-11-28T12:00:00Z") });
    expect(predicted.headline).toMatchObject({ kind: "arriving", text: "Arriving around Thursday, 26 November" });
    expect(build().headline).toMatchObject({ kind: "arriving", text: "On its way", detail: "Departed the hub" });
  });

  it("says the parcel is late once the carrier's date has passed", () => {
    expect(build({ estimatedDeliveryAt: new Date("2026-11-22T00:00:00Z") }).headline).toMatchObject({
      kind: "arriving",
      text: "Running late",
      detail: "The carrier expected to deliver it Sunday.",
    });
  });

  it("is preparing to ship until the carrier's first scan", () => {
    const page = build({ status: "inforeceived", substatus: "label_created", shippedAt: null, events: [shipment().events[0]!] });
    expect(page.headline).toEqual({ kind: "pending", text: "Preparing to ship", detail: "The carrier has not scanned the parcel yet.", action: null });
    expect(build({ status: "pending", substatus: null, shippedAt: null, events: [] }).headline.kind).toBe("pending");
  });

  it("is out for delivery today only when the out-for-delivery scan is from today in the shop's zone", () => {
    const out = (iso: string) => ({ status: "pickup", substatus: "out_for_delivery", events: [...shipment().events, event(iso, "pickup", "out_for_delivery")] });
    expect(build(out("2026-11-24T06:30:00Z")).headline).toEqual({ kind: "out_for_delivery", text: "Out for delivery today", detail: null, action: null });
    // 23:30 UTC on the 23rd is already the 24th in Berlin, still the 23rd in New York.
    expect(build(out("2026-11-23T23:30:00Z")).headline.text).toBe("Out for delivery today");
    expect(build(out("2026-11-23T23:30:00Z"), { timeZone: "America/New_York", now: new Date("2026-11-24T14:00:00Z") }).headline.text).toBe("Out for delivery");
  });

  it("is ready for pickup, says where (city and country only) and what to bring", () => {
    const page = build({
      status: "pickup",
      substatus: "ready_for_collection",
      events: [...shipment().events, event("2026-11-24T07:00:00Z", "pickup", "ready_for_collection", { city: "Dresden", state: "Saxony", countryCode: "DE" })],
    });
    expect(page.headline).toEqual({
      kind: "available_for_pickup",
      text: "Ready for pickup",
      detail: "Waiting for you at Dresden, Saxony, Germany",
      action: "Bring an ID and your tracking number to collect it.",
    });
    expect(page.progress.steps[3]).toMatchObject({ key: "out_for_delivery", label: "Ready for pickup", state: "current" });
  });

  it("is delivered on the day and at the time of the delivery scan, with how it was handed over", () => {
    const now = { now: new Date("2026-11-26T10:00:00Z") };
    expect(build(delivered("2026-11-24T13:02:00Z"), now).headline).toEqual({ kind: "delivered", text: "Delivered Tuesday at 14:02", detail: "Left at front door", action: null });
    expect(build(delivered("2026-11-25T13:02:00Z", "signed_for"), now).headline).toMatchObject({ text: "Delivered yesterday at 14:02", detail: "Signed for" });
    expect(build(delivered("2026-11-26T08:15:00Z", "collected_by_recipient"), now).headline).toMatchObject({ text: "Delivered today at 09:15", detail: "Collected" });
    expect(build(delivered("2026-11-12T08:15:00Z", "delivered"), now).headline).toMatchObject({ text: "Delivered Thursday, 12 November at 09:15", detail: null });
  });

  it("tells the customer what happens after a failed attempt, and to call the carrier when the address is the problem", () => {
    const failed = (substatus: string) => build({ status: "undelivered", substatus, events: [...shipment().events, event("2026-11-24T09:00:00Z", "undelivered", substatus)] }).headline;
    expect(failed("recipient_not_home")).toEqual({
      kind: "failed_attempt",
      text: "Delivery attempted",
      detail: "Nobody was available to receive it",
      action: "The carrier will try again or leave a notice saying where to collect it.",
    });
    expect(failed("address_issue")).toMatchObject({ detail: "The carrier could not deliver to the address", action: "Contact the carrier to arrange redelivery." });
    expect(failed("business_closed").detail).toBe("The business was closed");
  });

  it("gives every exception substatus its own words and something to do", () => {
    const headlines = SHIPMENT_SUBSTATUSES.exception.map((substatus) => ({ substatus, ...build({ status: "exception", substatus }).headline }));
    for (const headline of headlines) {
      expect(headline.action, headline.substatus).toEqual(expect.any(String));
      expect(headline.text, headline.substatus).not.toBe("");
    }
    const bySubstatus = Object.fromEntries(headlines.map((headline) => [headline.substatus, headline]));
    expect(bySubstatus.customs_hold).toMatchObject({ kind: "exception", text: "Held at customs", action: "The carrier may contact you about import charges." });
    expect(bySubstatus.returning_to_sender).toMatchObject({ kind: "returning", text: "Returning to sender" });
    expect(bySubstatus.returned_to_sender).toMatchObject({ kind: "returning", text: "Returned to sender" });
    expect(bySubstatus.refused).toMatchObject({ kind: "returning", text: "Delivery refused" });
    expect(bySubstatus.damaged_or_lost).toMatchObject({ detail: "The carrier reported it damaged or lost", action: "Contact the shop so they can help." });
    // Distinct situations read differently.
    expect(new Set(headlines.map((headline) => headline.text)).size).toBeGreaterThanOrEqual(headlines.length - 2);
    expect(build({ status: "exception", substatus: null }).headline.text).toBe("A problem with the delivery");
  });

  it("says when the carrier stopped updating", () => {
    expect(build({ status: "expired", substatus: "no_updates" }).headline).toEqual({
      kind: "expired",
      text: "No recent updates",
      detail: "The carrier has not updated this shipment for a while.",
      action: "Check the carrier's website for details or contact the shop.",
    });
  });
});

describe("languages", () => {
  const arriving = { estimatedDeliveryAt: new Date("2026-11-26T00:00:00Z") };
  const window = { estimatedDeliveryAt: new Date("2026-11-26T00:00:00Z"), estimatedDeliveryEndAt: new Date("2026-11-28T00:00:00Z") };
  const thursday = { now: new Date("2026-11-26T10:00:00Z") };
  const cases: Record<StorefrontLocale, { arriving: string; window: string; delivered: string; detail: string; customs: string; steps: string[]; dayText: string }> = {
    en: {
      arriving: "Arriving Thursday, 26 November",
      window: "Arriving 26–28 November",
      delivered: "Delivered Tuesday at 14:02",
      detail: "Left at front door",
      customs: "The carrier may contact you about import charges.",
      steps: ["Ordered", "Shipped", "In transit", "Out for delivery", "Delivered"],
      dayText: "Monday, 23 November",
    },
    fr: {
      arriving: "Livraison prévue le jeudi 26 novembre",
      window: "Livraison prévue : 26–28 novembre",
      delivered: "Livré mardi à 14:02",
      detail: "Déposé devant la porte",
      customs: "Le transporteur pourra vous contacter au sujet des frais d’importation.",
      steps: ["Commandé", "Expédié", "En transit", "En cours de livraison", "Livré"],
      dayText: "lundi 23 novembre",
    },
    de: {
      arriving: "Zustellung am Donnerstag, 26. November",
      window: "Zustellung 26.–28. November",
      delivered: "Zugestellt am Dienstag um 14:02",
      detail: "Vor der Haustür abgelegt",
      customs: "Der Versanddienstleister meldet sich eventuell wegen Einfuhrabgaben bei Ihnen.",
      steps: ["Bestellt", "Versandt", "Unterwegs", "In Zustellung", "Zugestellt"],
      dayText: "Montag, 23. November",
    },
    es: {
      arriving: "Llega el jueves, 26 de noviembre",
      window: "Entrega prevista: 26–28 de noviembre",
      delivered: "Entregado el martes a las 14:02",
      detail: "Dejado en la puerta",
      customs: "Puede que el transportista te contacte por los gastos de importación.",
      steps: ["Pedido", "Enviado", "En tránsito", "En reparto", "Entregado"],
      dayText: "lunes, 23 de noviembre",
    },
  };

  it.each(Object.entries(cases))("speaks %s", (locale, expected) => {
    const context = { locale: locale as StorefrontLocale };
    expect(build(arriving, context).headline.text).toBe(expected.arriving);
    expect(build(window, context).headline.text).toBe(expected.window);
    expect(build(delivered("2026-11-24T13:02:00Z"), { ...context, ...thursday }).headline).toMatchObject({ text: expected.delivered, detail: expected.detail });
    expect(build({ status: "exception", substatus: "customs_hold" }, context).headline.action).toBe(expected.customs);
    expect(build({}, context).progress.steps.map((step) => step.label)).toEqual(expected.steps);
    expect(build({}, context).events[0]!.dayText).toBe(expected.dayText);
  });

  it("says tomorrow and yesterday in each language", () => {
    const tomorrow = { estimatedDeliveryAt: new Date("2026-11-25T00:00:00Z") };
    expect((["en", "fr", "de", "es"] as const).map((locale) => build(tomorrow, { locale }).headline.text)).toEqual([
      "Arriving tomorrow",
      "Livraison prévue demain",
      "Zustellung morgen",
      "Llega mañana",
    ]);
    expect((["en", "fr", "de", "es"] as const).map((locale) => build(delivered("2026-11-23T13:02:00Z"), { locale }).headline.text)).toEqual([
      "Delivered yesterday at 14:02",
      "Livré hier à 14:02",
      "Zugestellt gestern um 14:02",
      "Entregado ayer a las 14:02",
    ]);
  });

  it("has every message of English, with the same placeholders, in every language", () => {
    for (const [locale, catalogue] of Object.entries(STOREFRONT_LOCALES)) {
      expect(catalogueProblems(STOREFRONT_REFERENCE, catalogue), locale).toEqual([]);
    }
    const { headline: _dropped, ...incomplete } = STOREFRONT_REFERENCE;
    // @ts-expect-error a catalogue without every English key does not type-check
    const missing: StorefrontCatalogue = incomplete;
    expect(catalogueProblems(STOREFRONT_REFERENCE, missing)).toContain("missing headline");
  });

  it("resolves the customer's language from an order locale, a parameter or Accept-Language", () => {
    expect(resolveStorefrontLocale("fr-CA")).toBe("fr");
    expect(resolveStorefrontLocale("de")).toBe("de");
    expect(resolveStorefrontLocale("es_MX")).toBe("es");
    expect(resolveStorefrontLocale("ja-JP,es;q=0.5,fr;q=0.8")).toBe("fr");
    expect(resolveStorefrontLocale("it, de;q=0")).toBe("en");
    expect(resolveStorefrontLocale("pt-BR")).toBe("en");
    expect(resolveStorefrontLocale("")).toBe("en");
    expect(resolveStorefrontLocale(null)).toBe("en");
  });
});

describe("time zones", () => {
  it("puts an event on the shop's local day, so the same instant can fall on different days", () => {
    const late = event("2026-11-23T23:30:00Z", "transit", "arrived_at_hub");
    const inBerlin = build({ events: [late] }).events[0]!;
    const inNewYork = build({ events: [late] }, { timeZone: "America/New_York" }).events[0]!;
    expect([inBerlin.day, inBerlin.dayText, inBerlin.timeText]).toEqual(["2026-11-24", "Tuesday, 24 November", "00:30"]);
    expect([inNewYork.day, inNewYork.dayText, inNewYork.timeText]).toEqual(["2026-11-23", "Monday, 23 November", "18:30"]);
  });

  it("shows a carrier time without a zone as given, and no time for a bare date", () => {
    const wallClock = event("2026-11-23T09:00:00Z", "transit", "departed", { zoneKnown: false });
    const bareDate = event("2026-11-22T00:00:00Z", "transit", "in_transit", { zoneKnown: false });
    for (const timeZone of ["America/Los_Angeles", "Asia/Tokyo"]) {
      const [first, second] = build({ events: [bareDate, wallClock] }, { timeZone }).events;
      expect([first!.day, first!.timeText], timeZone).toEqual(["2026-11-23", "09:00"]);
      expect([second!.day, second!.timeText], timeZone).toEqual(["2026-11-22", null]);
    }
  });

  it("reads a carrier's date-only estimate as that day even west of UTC", () => {
    const page = build({ estimatedDeliveryAt: new Date("2026-11-26T00:00:00Z") }, { timeZone: "America/Los_Angeles", now: new Date("2026-11-24T18:00:00Z") });
    expect(page.estimatedDelivery).toMatchObject({ source: "carrier", earliest: "2026-11-26", latest: null, expected: "2026-11-26", text: "Thursday, 26 November", sampleSize: null });
  });

  it("counts today and tomorrow from the shop's day, not UTC's", () => {
    // 2026-11-24 23:00 in Los Angeles is already the 25th in UTC: the 26th is still two days away.
    const lateEvening = { timeZone: "America/Los_Angeles", now: new Date("2026-11-25T07:00:00Z") };
    expect(build({ estimatedDeliveryAt: new Date("2026-11-25T00:00:00Z") }, lateEvening).headline.text).toBe("Arriving tomorrow");
    expect(build({ estimatedDeliveryAt: new Date("2026-11-25T00:00:00Z") }, { timeZone: "UTC", now: new Date("2026-11-25T07:00:00Z") }).headline.text).toBe("Arriving today");
  });
});

describe("progress", () => {
  it("marks steps done with their dates up to where the parcel is, shipped at the first carrier scan", () => {
    const { steps, problem } = build().progress;
    expect(steps.map((step) => [step.key, step.state, step.dateText])).toEqual([
      ["ordered", "done", "Fri 20 Nov"],
      ["shipped", "done", "Sat 21 Nov"],
      ["in_transit", "current", "Mon 23 Nov"],
      ["out_for_delivery", "upcoming", null],
      ["delivered", "upcoming", null],
    ]);
    expect(steps[1]!.at).toBe("2026-11-21T08:00:00.000Z");
    expect(problem).toBeNull();
  });

  it("is not shipped while only the label exists", () => {
    const { steps } = build({ status: "inforeceived", substatus: "label_created", shippedAt: null, events: [shipment().events[0]!] }).progress;
    expect(steps.map((step) => step.state)).toEqual(["current", "upcoming", "upcoming", "upcoming", "upcoming"]);
  });

  it("shows a failed attempt as a problem at out for delivery", () => {
    const { steps, problem } = build({ status: "undelivered", substatus: "recipient_not_home", events: [...shipment().events, event("2026-11-24T09:00:00Z", "undelivered", "recipient_not_home")] }).progress;
    expect(steps.map((step) => step.state)).toEqual(["done", "done", "done", "problem", "upcoming"]);
    expect(steps[3]!.dateText).toBe("Tue 24 Nov");
    expect(problem).toEqual({ kind: "failed_attempt", label: "Delivery attempted" });
  });

  it("shows an exception on the step where it happened", () => {
    const inTransit = build({ status: "exception", substatus: "customs_hold", events: [...shipment().events, event("2026-11-24T09:00:00Z", "exception", "customs_hold")] }).progress;
    expect(inTransit.steps.map((step) => step.state)).toEqual(["done", "done", "problem", "upcoming", "upcoming"]);
    expect(inTransit.problem).toEqual({ kind: "exception", label: "Held at customs" });
    const returning = build({ status: "exception", substatus: "returning_to_sender", events: [...shipment().events, event("2026-11-24T09:00:00Z", "pickup", "out_for_delivery"), event("2026-11-24T15:00:00Z", "exception", "returning_to_sender")] }).progress;
    expect(returning.steps.map((step) => step.state)).toEqual(["done", "done", "done", "problem", "upcoming"]);
    expect(returning.problem).toEqual({ kind: "returning", label: "Returning to sender" });
  });

  it("completes every step on delivery", () => {
    const { steps } = build(delivered("2026-11-24T13:02:00Z")).progress;
    expect(steps.map((step) => [step.state, step.dateText])).toEqual([
      ["done", "Fri 20 Nov"],
      ["done", "Sat 21 Nov"],
      ["done", "Mon 23 Nov"],
      ["done", "Tue 24 Nov"],
      ["done", "Tue 24 Nov"],
    ]);
  });
});

describe("estimated delivery", () => {
  const predicted = prediction("2026-11-26T12:00:00Z", "2026-11-25T12:00:00Z", "2026-11-28T12:00:00Z");

  it("is the carrier's when given, even with a prediction at hand", () => {
    const page = build({ estimatedDeliveryAt: new Date("2026-11-26T00:00:00Z"), estimatedDeliveryEndAt: new Date("2026-11-28T00:00:00Z"), prediction: predicted });
    expect(page.estimatedDelivery).toEqual({ source: "carrier", earliest: "2026-11-26", latest: "2026-11-28", expected: "2026-11-26", text: "26–28 November", sampleSize: null, basisText: null });
  });

  it("is the shop's prediction otherwise, labelled as an estimate with its basis", () => {
    expect(build({ prediction: predicted }).estimatedDelivery).toEqual({
      source: "prediction",
      earliest: "2026-11-25",
      latest: "2026-11-28",
      expected: "2026-11-26",
      text: "Estimated Thursday, 26 November (usually 25–28 November)",
      sampleSize: 48,
      basisText: "Based on 48 deliveries from this shop",
    });
    expect(build({ prediction: predicted }, { locale: "de" }).estimatedDelivery?.text).toBe("Voraussichtlich Donnerstag, 26. November (meist 25.–28. November)");
  });

  it("drops a prediction the parcel has already outlived, and any estimate after delivery", () => {
    expect(build({ prediction: predicted }, { now: new Date("2026-11-29T10:00:00Z") }).estimatedDelivery).toBeNull();
    // Past the median but within the range: expected no earlier than today.
    expect(build({ prediction: predicted }, { now: new Date("2026-11-27T10:00:00Z") }).estimatedDelivery).toMatchObject({ earliest: "2026-11-27", expected: "2026-11-27" });
    expect(build({ ...delivered("2026-11-24T13:02:00Z"), estimatedDeliveryAt: new Date("2026-11-26T00:00:00Z"), prediction: predicted }).estimatedDelivery).toBeNull();
  });
});

describe("timeline, carrier and items", () => {
  it("lists events newest first with city, region and country only", () => {
    const events = build({
      events: [...shipment().events, event("2026-11-24T06:00:00Z", "transit", "arrived_at_delivery_facility", { city: "Dresden", state: "Saxony", countryCode: "DE", description: "<b>Arrived</b>" })],
    }).events;
    expect(events.map((entry) => entry.description)).toEqual(["<b>Arrived</b>", "Departed the hub", "Picked up", "Label created"]);
    expect(events[0]).toEqual({
      occurredAt: "2026-11-24T06:00:00.000Z",
      day: "2026-11-24",
      dayText: "Tuesday, 24 November",
      timeText: "07:00",
      status: "transit",
      description: "<b>Arrived</b>",
      location: "Dresden, Saxony, Germany",
    });
    expect(events[3]!.location).toBeNull();
  });

  it("links the latest place seen to a map search", () => {
    expect(build().mapUrl).toBe("https://www.openstreetmap.org/search?query=Leipzig%2C%20DE");
    expect(build({ events: [event("2026-11-21T08:00:00Z", "transit", null, { city: null, countryCode: null })] }).mapUrl).toBeNull();
  });

  it("names the carrier and links its page, preferring the fulfillment's own link", () => {
    expect(build().carrier).toEqual({ code: "dhl", name: "DHL Express", trackingUrl: expect.stringContaining("00340434161094042557") });
    expect(build({ trackingUrl: "https://track.example/abc" }).carrier.trackingUrl).toBe("https://track.example/abc");
    expect(build({ carrierCode: null, trackingCompany: "Kurier Müller", trackingUrl: null }).carrier).toEqual({ code: null, name: "Kurier Müller", trackingUrl: null });
    expect(build({ carrierCode: null, trackingCompany: null }, { locale: "fr" }).carrier.name).toBe("Transporteur");
  });

  it("keeps line items with an https image and drops malformed ones", () => {
    expect(
      trackingPageItemsFrom([
        { id: "1", title: "Linen shirt", quantity: 2, variantTitle: "M", sku: "LS-M", imageUrl: "https://cdn.shopify.com/s/files/shirt.jpg" },
        { id: "2", title: "Cap", quantity: 1, variantTitle: "Default Title", sku: null, imageUrl: "javascript:alert(1)" },
        { id: "3", quantity: 1 },
        "nonsense",
      ]),
    ).toEqual([
      { title: "Linen shirt", variantTitle: "M", quantity: 2, imageUrl: "https://cdn.shopify.com/s/files/shirt.jpg" },
      { title: "Cap", variantTitle: null, quantity: 1, imageUrl: null },
    ]);
    expect(trackingPageItemsFrom(null)).toEqual([]);
    // The stored column's text works as well.
    expect(trackingPageItemsFrom('[{"title":"Mug","quantity":1,"variantTitle":null}]')).toEqual([{ title: "Mug", variantTitle: null, quantity: 1, imageUrl: null }]);
    expect(trackingPageItemsFrom("not json")).toEqual([]);
  });
});
