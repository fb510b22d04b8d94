/**
 * What the customer's tracking page says about one shipment: the headline that answers "when does
 * it arrive?", the progress bar, the estimate, the timeline and the carrier link, all localised to
 * the customer's language and the shop's time zone. Pure: the proxy service loads the rows and the
 * prediction, the renderers only escape and lay out what this returns.
 *
 * Days are shop-local calendar days ("YYYY-MM-DD"); "today", "tomorrow" and "yesterday" are
 * relative to `now` in the shop's zone. A carrier time without a zone was stored as its wall-clock
 * time read as UTC (see provider-dates), so it is shown as given: read in UTC, never shifted.
 */
import { STOREFRONT_INTL_LOCALES, storefrontTranslator, type StorefrontMessageKey, type StorefrontTranslate } from "~/i18n/storefront";
import { carrierByCode, trackingUrlFor } from "./carriers/registry";
import type { DeliveryPrediction } from "./delivery-performance";
import { RETURN_SUBSTATUSES, SHIPMENT_SUBSTATUSES, isShipmentStatus, type ShipmentStatus } from "./shipment-status";
import type {
  EstimatedDelivery,
  HeadlineKind,
  ProgressStep,
  ProgressStepKey,
  StorefrontLocale,
  TrackingHeadline,
  TrackingPageEvent,
  TrackingPageItem,
  TrackingPageShipment,
  TrackingProgress,
} from "./tracking-page-contract";

export interface TrackingPageEventInput {
  occurredAt: Date;
  /** False when the carrier gave no zone: `occurredAt` is its wall-clock time read as UTC. */
  zoneKnown: boolean;
  status: string | null;
  substatus: string | null;
  description: string;
  city: string | null;
  state: string | null;
  countryCode: string | null;
}

export interface TrackingPageShipmentInput {
  trackingNumber: string;
  status: string;
  substatus: string | null;
  carrierCode: string | null;
  /** The fulfillment's free-text carrier name, shown when the carrier is not one we know. */
  trackingCompany: string | null;
  trackingUrl: string | null;
  /** First carrier scan (not the label being printed). */
  shippedAt: Date | null;
  deliveredAt: Date | null;
  estimatedDeliveryAt: Date | null;
  estimatedDeliveryEndAt: Date | null;
  lastEventAt: Date | null;
  lastEventDescription: string | null;
  orderCreatedAt: Date | null;
  /** Any order; the page shows them newest first. */
  events: readonly TrackingPageEventInput[];
  items: readonly TrackingPageItem[];
  /** From the shop's delivered history (`predictFromStatistics`); used only when the carrier gives no date. */
  prediction?: DeliveryPrediction | null;
}

/** What the page reads from a stored shipment row. */
export type StoredShipmentForPage = Omit<TrackingPageShipmentInput, "orderCreatedAt" | "items" | "prediction">;

/**
 * One mapping from a stored shipment to the page's input, shared by the storefront lookup and the
 * customer e-mails so both always describe a parcel the same way.
 */
export function trackingPageInput(
  shipment: StoredShipmentForPage,
  order: { createdAt: Date | null },
  items: readonly TrackingPageItem[],
): TrackingPageShipmentInput {
  return {
    trackingNumber: shipment.trackingNumber,
    status: shipment.status,
    substatus: shipment.substatus,
    carrierCode: shipment.carrierCode,
    trackingCompany: shipment.trackingCompany,
    trackingUrl: shipment.trackingUrl,
    shippedAt: shipment.shippedAt,
    deliveredAt: shipment.deliveredAt,
    estimatedDeliveryAt: shipment.estimatedDeliveryAt,
    estimatedDeliveryEndAt: shipment.estimatedDeliveryEndAt,
    lastEventAt: shipment.lastEventAt,
    lastEventDescription: shipment.lastEventDescription,
    orderCreatedAt: order.createdAt,
    events: shipment.events,
    items,
  };
}

export interface TrackingPageContext {
  locale: StorefrontLocale;
  /** The shop's IANA zone. */
  timeZone: string;
  now: Date;
}

const DAY_MS = 24 * 60 * 60_000;

export function buildTrackingPageShipment(input: TrackingPageShipmentInput, context: TrackingPageContext): TrackingPageShipment {
  const page = new PageCalendar(context);
  const status: ShipmentStatus = isShipmentStatus(input.status) ? input.status : "pending";
  const chronological = [...input.events].sort((a, b) => a.occurredAt.getTime() - b.occurredAt.getTime());
  const estimatedDelivery = status === "delivered" ? null : estimateFor(input, page);
  return {
    trackingNumber: input.trackingNumber,
    carrier: carrierOf(input, page.t),
    status,
    substatus: input.substatus,
    headline: headlineFor(input, status, chronological, estimatedDelivery, page),
    estimatedDelivery,
    progress: progressFor(input, status, chronological, page),
    events: [...chronological].reverse().map((event) => timelineEvent(event, page)),
    items: [...input.items],
    mapUrl: mapUrlFor(chronological),
  };
}

/**
 * Line items from a fulfillment's stored JSON ({ title, quantity, variantTitle, imageUrl, … }),
 * given as the column's text or already parsed. Anything malformed is skipped, and only https
 * images are kept: the page must not load mixed content or a `javascript:` URL from a stored value.
 */
export function trackingPageItemsFrom(stored: unknown): TrackingPageItem[] {
  let lineItems = stored;
  if (typeof stored === "string") {
    try {
      lineItems = JSON.parse(stored);
    } catch {
      return [];
    }
  }
  if (!Array.isArray(lineItems)) return [];
  return lineItems.flatMap((raw: unknown) => {
    if (typeof raw !== "object" || raw === null) return [];
    const item = raw as Record<string, unknown>;
    if (typeof item.title !== "string" || typeof item.quantity !== "number") return [];
    const imageUrl = typeof item.imageUrl === "string" && /^https:\/\//i.test(item.imageUrl) ? item.imageUrl : null;
    const variantTitle = typeof item.variantTitle === "string" && item.variantTitle !== "Default Title" ? item.variantTitle : null;
    return [{ title: item.title, variantTitle, quantity: item.quantity, imageUrl }];
  });
}

// --- Calendar -----------------------------------------------------------------------------------

/** Where an instant falls for the customer: a shop-local day, and its time unless the carrier gave none. */
interface Moment {
  day: string;
  /** The zone `day` was read in: the shop's, or UTC for a carrier wall-clock time. */
  zone: string;
  date: Date;
  hasTime: boolean;
}

/** The date shapes the page uses. */
const SHAPES = {
  // en-CA formats this as YYYY-MM-DD.
  isoDay: { year: "numeric", month: "2-digit", day: "2-digit" },
  names: { weekday: "long", month: "long", day: "numeric" },
  short: { weekday: "short", day: "numeric", month: "short" },
  time: { hour: "2-digit", minute: "2-digit", hourCycle: "h23" },
} as const satisfies Record<string, Intl.DateTimeFormatOptions>;

const formatters = new Map<string, Intl.DateTimeFormat>();

/** `Intl.DateTimeFormat` is slow to build and the page formats dozens of dates: one per locale, zone and shape. */
function formatter(locale: string, timeZone: string, shape: keyof typeof SHAPES): Intl.DateTimeFormat {
  const key = `${locale}|${timeZone}|${shape}`;
  let cached = formatters.get(key);
  if (!cached) {
    cached = new Intl.DateTimeFormat(locale, { ...SHAPES[shape], timeZone });
    formatters.set(key, cached);
  }
  return cached;
}

function calendarDayIn(date: Date, timeZone: string): string {
  return formatter("en-CA", timeZone, "isoDay").format(date);
}

function dayNumber(day: string): number {
  const [year, month, date] = day.split("-").map(Number) as [number, number, number];
  return Math.round(Date.UTC(year, month - 1, date) / DAY_MS);
}

/** Noon UTC of a calendar day: formatting it in UTC gives that day's names whatever the locale. */
function noonOf(day: string): Date {
  return new Date(dayNumber(day) * DAY_MS + DAY_MS / 2);
}

class PageCalendar {
  readonly t: StorefrontTranslate;
  readonly intlLocale: string;
  readonly today: string;

  constructor(readonly context: TrackingPageContext) {
    this.t = storefrontTranslator(context.locale);
    this.intlLocale = STOREFRONT_INTL_LOCALES[context.locale];
    this.today = calendarDayIn(context.now, context.timeZone);
  }

  moment(date: Date, zoneKnown = true): Moment {
    const zone = zoneKnown ? this.context.timeZone : "UTC";
    // A bare date from the carrier arrives as wall-clock midnight: a day, not a time.
    const hasTime = zoneKnown || date.getTime() % DAY_MS !== 0;
    return { day: calendarDayIn(date, zone), zone, date, hasTime };
  }

  /** Days from today to `day` (negative in the past). */
  offset(day: string): number {
    return dayNumber(day) - dayNumber(this.today);
  }

  private readonly names = new Map<string, { weekday: string; month: string }>();

  /** The language's names of a day's weekday and month (events share days: looked up once each). */
  private nameParts(day: string): { weekday: string; month: string } {
    let names = this.names.get(day);
    if (!names) {
      const parts = formatter(this.intlLocale, "UTC", "names").formatToParts(noonOf(day));
      const part = (type: Intl.DateTimeFormatPartTypes) => parts.find((candidate) => candidate.type === type)?.value ?? "";
      names = { weekday: part("weekday"), month: part("month") };
      this.names.set(day, names);
    }
    return names;
  }

  /** "Thursday, 26 November". */
  longDate(day: string): string {
    const { weekday, month } = this.nameParts(day);
    return this.t("format.longDate", { weekday, day: String(Number(day.slice(8))), month });
  }

  weekday(day: string): string {
    return this.nameParts(day).weekday;
  }

  /** "26–28 November", "30 November – 2 December". */
  range(first: string, last: string): string {
    const month = (day: string) => this.nameParts(day).month;
    const dayOf = (day: string) => String(Number(day.slice(8)));
    if (first.slice(0, 7) === last.slice(0, 7)) return this.t("format.dayRange", { startDay: dayOf(first), endDay: dayOf(last), month: month(first) });
    const dayMonth = (day: string) => this.t("format.dayMonth", { day: dayOf(day), month: month(day) });
    return this.t("format.dateRange", { start: dayMonth(first), end: dayMonth(last) });
  }

  /** "Tue 24 Nov", for the progress bar. */
  shortDate(day: string): string {
    return formatter(this.intlLocale, "UTC", "short").format(noonOf(day));
  }

  time(moment: Moment): string | null {
    if (!moment.hasTime) return null;
    return formatter(this.intlLocale, moment.zone, "time").format(moment.date);
  }

  /**
   * A day as it reads inside a sentence: "today", "tomorrow", "yesterday"; a weekday alone for
   * the past week when `weekdayForPastWeek` (a delivery "Tuesday"); otherwise the full date.
   */
  dayPhrase(day: string, { weekdayForPastWeek = false } = {}): string {
    const offset = this.offset(day);
    if (offset === 0) return this.t("day.today");
    if (offset === 1) return this.t("day.tomorrow");
    if (offset === -1) return this.t("day.yesterday");
    if (weekdayForPastWeek && offset < 0 && offset > -7) return this.t("day.weekday", { weekday: this.weekday(day) });
    return this.t("day.date", { date: this.longDate(day) });
  }
}

// --- Estimate -----------------------------------------------------------------------------------

/**
 * A carrier's estimated day. Carriers send a date; one sent without a time is stored as midnight
 * UTC and means that calendar day, which reading it in a zone west of UTC would turn into the day before.
 */
function carrierEstimateDay(date: Date, page: PageCalendar): string {
  return date.getTime() % DAY_MS === 0 ? calendarDayIn(date, "UTC") : calendarDayIn(date, page.context.timeZone);
}

function estimateFor(input: TrackingPageShipmentInput, page: PageCalendar): EstimatedDelivery | null {
  const { t } = page;
  if (input.estimatedDeliveryAt) {
    const earliest = carrierEstimateDay(input.estimatedDeliveryAt, page);
    const end = input.estimatedDeliveryEndAt ? carrierEstimateDay(input.estimatedDeliveryEndAt, page) : null;
    const latest = end && end > earliest ? end : null;
    return {
      source: "carrier",
      earliest,
      latest,
      expected: earliest,
      text: latest ? page.range(earliest, latest) : page.longDate(earliest),
      sampleSize: null,
      basisText: null,
    };
  }
  const prediction = input.prediction;
  if (!prediction) return null;
  const dayOf = (date: Date) => calendarDayIn(date, page.context.timeZone);
  const latest = dayOf(prediction.latestAt);
  // A parcel later than most of the shop's deliveries: the history no longer says when it comes.
  if (latest < page.today) return null;
  const notBeforeToday = (day: string) => (day < page.today ? page.today : day);
  const earliest = notBeforeToday(dayOf(prediction.earliestAt));
  const expected = notBeforeToday(dayOf(prediction.expectedAt));
  const sampleSize = prediction.basis.sampleSize;
  return {
    source: "prediction",
    earliest,
    latest: latest > earliest ? latest : null,
    expected,
    text:
      latest > earliest
        ? t("estimate.predicted", { date: page.longDate(expected), range: page.range(earliest, latest) })
        : t("estimate.predictedDay", { date: page.longDate(expected) }),
    sampleSize,
    basisText: t("estimate.basis", { count: sampleSize }),
  };
}

// --- Headline -----------------------------------------------------------------------------------

function headline(kind: HeadlineKind, text: string, detail: string | null = null, action: string | null = null): TrackingHeadline {
  return { kind, text, detail, action };
}

/** The latest event that satisfies `matches`. */
function latestEvent(chronological: readonly TrackingPageEventInput[], matches: (event: TrackingPageEventInput) => boolean): TrackingPageEventInput | undefined {
  for (let i = chronological.length - 1; i >= 0; i--) if (matches(chronological[i]!)) return chronological[i];
  return undefined;
}

function headlineFor(
  input: TrackingPageShipmentInput,
  status: ShipmentStatus,
  chronological: readonly TrackingPageEventInput[],
  estimate: EstimatedDelivery | null,
  page: PageCalendar,
): TrackingHeadline {
  const { t } = page;
  const substatus = input.substatus;
  switch (status) {
    case "pending":
    case "notfound":
    case "inforeceived":
      if (substatus === "manifest_voided") return headline("exception", t("headline.cancelled"), null, t("action.contactShop"));
      return headline("pending", t("headline.preparing"), t("headline.preparingDetail"));
    case "transit":
      return arrivingHeadline(input, estimate, page);
    case "pickup": {
      if (substatus === "ready_for_collection") {
        const place = placeOf(latestEvent(chronological, (event) => placeOf(event, page) !== null), page);
        return headline("available_for_pickup", t("headline.readyForPickup"), place ? t("headline.readyForPickupAt", { place }) : null, t("action.collectWithId"));
      }
      if (substatus === "delivery_being_arranged") return { ...arrivingHeadline(input, estimate, page), text: t("headline.deliveryBeingArranged") };
      const outAt = latestEvent(chronological, (event) => event.substatus === "out_for_delivery" || event.status === "pickup");
      const when = outAt ? page.moment(outAt.occurredAt, outAt.zoneKnown) : input.lastEventAt ? page.moment(input.lastEventAt) : null;
      return headline("out_for_delivery", when && page.offset(when.day) === 0 ? t("headline.outForDeliveryToday") : t("headline.outForDelivery"));
    }
    case "undelivered": {
      const details: Partial<Record<string, StorefrontMessageKey>> = {
        recipient_not_home: "detail.recipientNotHome",
        business_closed: "detail.businessClosed",
        address_issue: "detail.addressIssue",
      };
      const detailKey = substatus ? details[substatus] : undefined;
      return headline(
        "failed_attempt",
        t("headline.failedAttempt"),
        detailKey ? t(detailKey) : null,
        substatus === "address_issue" ? t("action.arrangeRedelivery") : t("action.retryOrNotice"),
      );
    }
    case "delivered":
      return deliveredHeadline(input, chronological, page);
    case "exception":
      return exceptionHeadline(substatus, page);
    case "expired":
      return headline("expired", t("headline.expired"), t("headline.expiredDetail"), t("action.checkCarrier"));
  }
}

function arrivingHeadline(input: TrackingPageShipmentInput, estimate: EstimatedDelivery | null, page: PageCalendar): TrackingHeadline {
  const { t } = page;
  const latestScan = input.lastEventDescription;
  if (!estimate) return headline("arriving", t("headline.onItsWay"), latestScan);
  const lastDay = estimate.latest ?? estimate.earliest;
  if (estimate.source === "carrier" && lastDay < page.today) {
    return headline("arriving", t("headline.late"), t("headline.lateDetail", { day: page.dayPhrase(lastDay, { weekdayForPastWeek: true }) }));
  }
  if (estimate.source === "prediction") return headline("arriving", t("headline.arrivingAround", { day: page.dayPhrase(estimate.expected) }), latestScan);
  if (estimate.latest) return headline("arriving", t("headline.arrivingBetween", { range: page.range(estimate.earliest, estimate.latest) }), latestScan);
  return headline("arriving", t("headline.arrivingOn", { day: page.dayPhrase(estimate.earliest) }), latestScan);
}

function deliveredHeadline(input: TrackingPageShipmentInput, chronological: readonly TrackingPageEventInput[], page: PageCalendar): TrackingHeadline {
  const { t } = page;
  const details: Partial<Record<string, StorefrontMessageKey>> = {
    left_at_door: "detail.leftAtDoor",
    signed_for: "detail.signedFor",
    collected_by_recipient: "detail.collectedByRecipient",
  };
  const detailKey = input.substatus ? details[input.substatus] : undefined;
  const detail = detailKey ? t(detailKey) : null;
  // The delivery scan knows whether its time had a zone; the shipment's deliveredAt does not.
  const scan = latestEvent(chronological, (event) => event.status === "delivered");
  const when = scan ? page.moment(scan.occurredAt, scan.zoneKnown) : input.deliveredAt ? page.moment(input.deliveredAt) : null;
  if (!when) return headline("delivered", t("progress.delivered"), detail);
  const day = page.dayPhrase(when.day, { weekdayForPastWeek: true });
  const time = page.time(when);
  return headline("delivered", time ? t("headline.deliveredAt", { day, time }) : t("headline.deliveredOn", { day }), detail);
}

type ExceptionWording = { kind: HeadlineKind; text: StorefrontMessageKey; detail?: StorefrontMessageKey; action: StorefrontMessageKey };

/** Every exception substatus (a new one fails the type check until it has words), and what the customer can do about it. */
const EXCEPTION_WORDING: Readonly<Record<(typeof SHIPMENT_SUBSTATUSES)["exception"][number], ExceptionWording>> = {
  customs_hold: { kind: "exception", text: "headline.customsHold", action: "action.importCharges" },
  delayed: { kind: "exception", text: "headline.delayed", action: "action.noActionDelayed" },
  damaged_or_lost: { kind: "exception", text: "headline.damagedOrLost", detail: "detail.damagedOrLost", action: "action.contactShop" },
  unclaimed: { kind: "exception", text: "headline.unclaimed", action: "action.collectSoon" },
  cancelled: { kind: "exception", text: "headline.cancelled", action: "action.contactShop" },
  manifest_voided: { kind: "exception", text: "headline.cancelled", action: "action.contactShop" },
  refused: { kind: "returning", text: "headline.refused", action: "action.returningContactShop" },
  returning_to_sender: { kind: "returning", text: "headline.returning", action: "action.returningContactShop" },
  returned_to_sender: { kind: "returning", text: "headline.returned", action: "action.returningContactShop" },
  other: { kind: "exception", text: "headline.problem", action: "action.checkCarrier" },
};

function exceptionHeadline(substatus: string | null, page: PageCalendar): TrackingHeadline {
  const wording = substatus && Object.hasOwn(EXCEPTION_WORDING, substatus) ? EXCEPTION_WORDING[substatus as keyof typeof EXCEPTION_WORDING] : EXCEPTION_WORDING.other;
  return headline(wording.kind, page.t(wording.text), wording.detail ? page.t(wording.detail) : null, page.t(wording.action));
}

// --- Progress -----------------------------------------------------------------------------------

const STEP_KEYS: readonly ProgressStepKey[] = ["ordered", "shipped", "in_transit", "out_for_delivery", "delivered"];

/** The furthest step an event shows the parcel reached. */
function stepReachedBy(event: Pick<TrackingPageEventInput, "status" | "substatus">): number {
  switch (event.status) {
    case "transit":
      return 2;
    case "pickup":
    case "undelivered":
      return 3;
    case "delivered":
      return 4;
    default:
      return 0;
  }
}

function progressFor(input: TrackingPageShipmentInput, status: ShipmentStatus, chronological: readonly TrackingPageEventInput[], page: PageCalendar): TrackingProgress {
  const { t } = page;
  const firstAfter = (from: Date | null, matches: (event: TrackingPageEventInput) => boolean) =>
    chronological.find((event) => matches(event) && (!from || event.occurredAt.getTime() > from.getTime()));
  const firstScan = chronological.find((event) => stepReachedBy(event) > 0);
  const shippedAt = input.shippedAt ?? firstScan?.occurredAt ?? null;
  const transitEvent = firstAfter(shippedAt, (event) => event.status === "transit");
  const lastMileEvent = chronological.find((event) => event.status === "pickup" || event.status === "undelivered");
  const deliveredEvent = latestEvent(chronological, (event) => event.status === "delivered");

  // The current status says where the parcel is; an exception or an expiry does not, so the
  // events before it do (a customs hold happens in transit, a return can follow a delivery).
  const reached =
    status === "exception" || status === "expired"
      ? Math.max(shippedAt ? 1 : 0, ...chronological.map(stepReachedBy))
      : Math.max(shippedAt ? 1 : 0, stepReachedBy({ status, substatus: input.substatus }));

  const problemKind: NonNullable<TrackingProgress["problem"]>["kind"] | null = status === "undelivered" ? "failed_attempt" : status === "exception" ? (RETURN_SUBSTATUSES.has(input.substatus ?? "") ? "returning" : "exception") : null;
  const problem = problemKind
    ? { kind: problemKind, label: problemKind === "failed_attempt" ? t("headline.failedAttempt") : exceptionHeadline(input.substatus, page).text }
    : null;

  const shipped = shippedAt ? { date: shippedAt, zoneKnown: input.shippedAt ? true : (firstScan?.zoneKnown ?? true) } : null;
  const moments: Array<{ date: Date; zoneKnown: boolean } | null> = [
    input.orderCreatedAt ? { date: input.orderCreatedAt, zoneKnown: true } : null,
    shipped,
    // The first scan is usually a transit scan itself.
    transitEvent ? { date: transitEvent.occurredAt, zoneKnown: transitEvent.zoneKnown } : shipped,
    lastMileEvent ? { date: lastMileEvent.occurredAt, zoneKnown: lastMileEvent.zoneKnown } : null,
    deliveredEvent ? { date: deliveredEvent.occurredAt, zoneKnown: deliveredEvent.zoneKnown } : input.deliveredAt ? { date: input.deliveredAt, zoneKnown: true } : null,
  ];
  const labels: Record<ProgressStepKey, string> = {
    ordered: t("progress.ordered"),
    shipped: t("progress.shipped"),
    in_transit: t("progress.inTransit"),
    out_for_delivery: input.substatus === "ready_for_collection" && status === "pickup" ? t("progress.readyForPickup") : t("progress.outForDelivery"),
    delivered: t("progress.delivered"),
  };
  const steps: ProgressStep[] = STEP_KEYS.map((key, index) => {
    const moment = index <= reached ? moments[index] : null;
    const shown = moment ? page.moment(moment.date, moment.zoneKnown) : null;
    const state: ProgressStep["state"] =
      index > reached ? "upcoming" : index < reached || status === "delivered" ? "done" : problem ? "problem" : "current";
    return { key, label: labels[key], state, at: shown ? shown.date.toISOString() : null, dateText: shown ? page.shortDate(shown.day) : null };
  });
  return { steps, problem };
}

// --- Timeline, carrier, map ---------------------------------------------------------------------

/** City, region and country only: never a street or postal code. */
function placeOf(event: Pick<TrackingPageEventInput, "city" | "state" | "countryCode"> | undefined, page: PageCalendar): string | null {
  if (!event) return null;
  const country = event.countryCode ? countryName(event.countryCode, page.intlLocale) : null;
  const parts = [event.city, event.state, country].map((part) => part?.trim()).filter((part): part is string => Boolean(part));
  return parts.length === 0 ? null : parts.join(page.t("format.listSeparator"));
}

const regionNames = new Map<string, Intl.DisplayNames>();

function countryName(code: string, locale: string): string {
  let names = regionNames.get(locale);
  if (!names) {
    names = new Intl.DisplayNames([locale], { type: "region", fallback: "code" });
    regionNames.set(locale, names);
  }
  try {
    return names.of(code.toUpperCase()) ?? code;
  } catch {
    // Not a region code at all ("Europe", "??"): show what the carrier sent.
    return code;
  }
}

function timelineEvent(event: TrackingPageEventInput, page: PageCalendar): TrackingPageEvent {
  const moment = page.moment(event.occurredAt, event.zoneKnown);
  return {
    occurredAt: event.occurredAt.toISOString(),
    day: moment.day,
    dayText: page.longDate(moment.day),
    timeText: page.time(moment),
    status: isShipmentStatus(event.status) ? event.status : null,
    description: event.description,
    location: placeOf(event, page),
  };
}

function carrierOf(input: TrackingPageShipmentInput, t: StorefrontTranslate): TrackingPageShipment["carrier"] {
  const known = input.carrierCode ? carrierByCode(input.carrierCode) : undefined;
  const ownUrl = input.trackingUrl && /^https?:\/\//i.test(input.trackingUrl) ? input.trackingUrl : null;
  return {
    code: input.carrierCode,
    name: known?.name ?? (input.trackingCompany?.trim() || t("carrier.unknown")),
    trackingUrl: ownUrl ?? (input.carrierCode ? trackingUrlFor(input.carrierCode, input.trackingNumber) : null),
  };
}

/** An OpenStreetMap search for where the parcel was last seen: the latest event with a place. */
function mapUrlFor(chronological: readonly TrackingPageEventInput[]): string | null {
  const seen = latestEvent(chronological, (event) => Boolean(event.city?.trim() || event.state?.trim() || event.countryCode?.trim()));
  if (!seen) return null;
  const query = [seen.city, seen.state, seen.countryCode].map((part) => part?.trim()).filter(Boolean).join(", ");
  return `https://www.openstreetmap.org/search?query=${encodeURIComponent(query)}`;
}
