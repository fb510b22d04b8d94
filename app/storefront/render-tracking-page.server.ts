/**
 * The one HTML renderer of the storefront tracking page. The proxy's Liquid page (no script needed)
 * and the fragment the block's script swaps in both come from here, so a customer sees the same
 * page with or without JavaScript. Pure: a view model and labels in, an HTML string out.
 *
 * Class names are prefixed `tl-` (the stylesheet in extensions/tracking-page/assets/ styles them)
 * so they cannot collide with a theme's own.
 */
import type {
  EstimatedDelivery,
  ProgressStep,
  TrackingLookupResponse,
  TrackingPageEvent,
  TrackingPageItem,
  TrackingPageOrder,
  TrackingPageShipment,
} from "~/domain/tracking-page-contract";
import { fillLabel, storefrontChromeLabels, type StorefrontChromeLabels } from "./chrome-labels.server";
import { html, httpUrl, type SafeHtml } from "./html.server";

export { storefrontChromeLabels, type StorefrontChromeLabels } from "./chrome-labels.server";

/** The block's settings that change what the page shows (the merchant's choices in the theme editor). */
export interface TrackingPageDisplayOptions {
  showTimeline: boolean;
  showCarrierLink: boolean;
  showMapLink: boolean;
  allowTrackingNumberLookup: boolean;
}

export const DEFAULT_DISPLAY_OPTIONS: Readonly<TrackingPageDisplayOptions> = {
  showTimeline: true,
  showCarrierLink: true,
  showMapLink: true,
  allowTrackingNumberLookup: true,
};

/**
 * The query parameters the block's script sends with each fragment request, carrying the block's
 * settings (the app cannot read a theme's block settings itself). "0" turns a part off; anything
 * else, or nothing, keeps the default.
 */
export const DISPLAY_OPTION_PARAMETERS = {
  showTimeline: "timeline",
  showCarrierLink: "carrier_link",
  showMapLink: "map_link",
  allowTrackingNumberLookup: "number_lookup",
} as const satisfies Record<keyof TrackingPageDisplayOptions, string>;

export function displayOptionsFromQuery(query: URLSearchParams): TrackingPageDisplayOptions {
  const options = { ...DEFAULT_DISPLAY_OPTIONS };
  for (const [option, parameter] of Object.entries(DISPLAY_OPTION_PARAMETERS) as [keyof TrackingPageDisplayOptions, string][]) {
    if (query.get(parameter) === "0") options[option] = false;
  }
  return options;
}

export interface RenderTrackingResultOptions {
  labels: StorefrontChromeLabels;
  options?: Partial<TrackingPageDisplayOptions>;
  /** "customer": the logged-in customer's own orders, so an empty result says they have none yet. */
  lookup?: "customer" | "query";
}

/** The result of a lookup: every order's shipments, or the not-found state. */
export function renderTrackingResult(response: TrackingLookupResponse, options: RenderTrackingResultOptions): string {
  return trackingResultHtml(response, options).value;
}

function trackingResultHtml(response: TrackingLookupResponse, { labels, options, lookup = "query" }: RenderTrackingResultOptions): SafeHtml {
  const display = { ...DEFAULT_DISPLAY_OPTIONS, ...options };
  const orders = response.orders.filter((order) => order.shipments.length > 0);
  if (orders.length === 0) return renderEmptyState(labels, lookup);
  return html`<div class="tl-result" lang="${response.locale}" data-tl-state="found">${orders.map((order, orderIndex) =>
    renderOrder(order, orderIndex, labels, display),
  )}</div>`;
}

/**
 * The not-found state. The same words whether the order does not exist or the e-mail did not
 * match, so the page never tells anyone which orders exist.
 */
function renderEmptyState(labels: StorefrontChromeLabels, lookup: "customer" | "query"): SafeHtml {
  if (lookup === "customer") {
    return html`<div class="tl-result tl-empty" data-tl-state="empty"><p class="tl-empty__body">${labels.empty.no_orders}</p></div>`;
  }
  return html`<div class="tl-result tl-empty" data-tl-state="not-found"><h2 class="tl-empty__heading" tabindex="-1">${labels.empty.heading}</h2><p class="tl-empty__body">${labels.empty.body}</p></div>`;
}

function renderOrder(order: TrackingPageOrder, orderIndex: number, labels: StorefrontChromeLabels, display: TrackingPageDisplayOptions): SafeHtml {
  const orderLabel = order.name === null ? null : fillLabel(labels.result.order, { name: order.name });
  const count = order.shipments.length;
  return html`<section class="tl-order"${orderLabel === null ? "" : html` aria-label="${orderLabel}"`}>${
    orderLabel === null ? "" : html`<p class="tl-order__name">${orderLabel}</p>`
  }<div class="tl-shipments">${order.shipments.map((shipment, index) =>
    renderShipment(shipment, { id: `tl-o${orderIndex}-s${index}`, position: count > 1 ? fillLabel(labels.result.shipment, { index: index + 1, count }) : null }, labels, display),
  )}</div></section>`;
}

function renderShipment(
  shipment: TrackingPageShipment,
  place: { id: string; position: string | null },
  labels: StorefrontChromeLabels,
  display: TrackingPageDisplayOptions,
): SafeHtml {
  const { headline } = shipment;
  const headingId = `${place.id}-headline`;
  return html`<article class="tl-shipment tl-shipment--${headline.kind}" aria-labelledby="${headingId}" data-tl-status="${shipment.status}">${
    place.position === null ? "" : html`<p class="tl-shipment__position">${place.position}</p>`
  }<h2 class="tl-headline" id="${headingId}" tabindex="-1">${headline.text}</h2>${
    headline.detail === null ? "" : html`<p class="tl-headline__detail">${headline.detail}</p>`
  }${headline.action === null ? "" : html`<p class="tl-headline__action">${headline.action}</p>`}${renderEstimate(shipment.estimatedDelivery, labels)}${renderProgress(
    shipment,
    labels,
  )}${renderCarrier(shipment, labels, display)}${renderItems(shipment.items, labels)}${display.showTimeline ? renderTimeline(shipment.events, place.id, labels) : ""}</article>`;
}

function renderEstimate(estimate: EstimatedDelivery | null, labels: StorefrontChromeLabels): SafeHtml | "" {
  if (estimate === null) return "";
  const isPrediction = estimate.source === "prediction";
  return html`<p class="tl-estimate"><span class="tl-estimate__label">${labels.result.estimated_delivery}</span> <strong class="tl-estimate__text">${estimate.text}</strong>${
    isPrediction ? html` <span class="tl-badge">${labels.result.estimate}</span>` : ""
  }${estimate.basisText ? html`<span class="tl-estimate__basis">${estimate.basisText}</span>` : ""}</p>`;
}

const STEP_STATE_LABEL = {
  done: "step_done",
  current: "step_current",
  problem: "step_problem",
  upcoming: "step_upcoming",
} as const satisfies Record<ProgressStep["state"], keyof StorefrontChromeLabels["result"]>;

function renderProgress(shipment: TrackingPageShipment, labels: StorefrontChromeLabels): SafeHtml {
  const { steps, problem } = shipment.progress;
  // Where the parcel is now; once delivered, the last step reached.
  const stoppedAt = lastIndexWhere(steps, (step) => step.state === "current" || step.state === "problem");
  const currentIndex = stoppedAt >= 0 ? stoppedAt : lastIndexWhere(steps, (step) => step.state === "done");
  return html`<ol class="tl-progress" aria-label="${labels.result.progress}">${steps.map(
    (step, index) =>
      html`<li class="tl-step tl-step--${step.state}"${index === currentIndex ? html` aria-current="step"` : ""}><span class="tl-step__label">${step.label}</span><span class="tl-step__state">${
        labels.result[STEP_STATE_LABEL[step.state]]
      }${step.state === "problem" && problem !== null ? html`: ${problem.label}` : ""}</span>${
        step.at !== null && step.dateText !== null ? html`<time class="tl-step__date" datetime="${step.at}">${step.dateText}</time>` : ""
      }</li>`,
  )}</ol>${problem !== null && !steps.some((step) => step.state === "problem") ? html`<p class="tl-problem">${problem.label}</p>` : ""}`;
}

function lastIndexWhere<T>(items: readonly T[], predicate: (item: T) => boolean): number {
  for (let index = items.length - 1; index >= 0; index -= 1) if (predicate(items[index]!)) return index;
  return -1;
}

function renderCarrier(shipment: TrackingPageShipment, labels: StorefrontChromeLabels, display: TrackingPageDisplayOptions): SafeHtml {
  const carrierUrl = display.showCarrierLink ? httpUrl(shipment.carrier.trackingUrl) : null;
  const mapUrl = display.showMapLink ? httpUrl(shipment.mapUrl) : null;
  const links = [
    carrierUrl === null ? null : externalLink(carrierUrl, labels.result.carrier_link, "tl-link--carrier", labels),
    mapUrl === null ? null : externalLink(mapUrl, labels.result.map_link, "tl-link--map", labels),
  ].filter((link) => link !== null);
  return html`<dl class="tl-carrier"><div><dt>${labels.result.carrier}</dt><dd>${shipment.carrier.name}</dd></div><div><dt>${labels.result.tracking_number}</dt><dd class="tl-carrier__number">${
    shipment.trackingNumber
  }</dd></div></dl>${links.length === 0 ? "" : html`<p class="tl-links">${links}</p>`}`;
}

function externalLink(url: string, text: string, className: string, labels: StorefrontChromeLabels): SafeHtml {
  return html`<a class="tl-link ${className}" href="${url}" target="_blank" rel="noopener noreferrer">${text}<span class="tl-visually-hidden"> ${labels.result.new_tab}</span></a>`;
}

const ITEM_IMAGE_SIZE = 64;

function renderItems(items: readonly TrackingPageItem[], labels: StorefrontChromeLabels): SafeHtml | "" {
  if (items.length === 0) return "";
  return html`<h3 class="tl-section-heading">${labels.result.items}</h3><ul class="tl-items">${items.map((item) => {
    const imageUrl = httpUrl(item.imageUrl);
    const description = item.variantTitle === null ? item.title : `${item.title}, ${item.variantTitle}`;
    return html`<li class="tl-item">${
      imageUrl === null
        ? html`<span class="tl-item__image tl-item__image--none" aria-hidden="true"></span>`
        : html`<img class="tl-item__image" src="${imageUrl}" width="${ITEM_IMAGE_SIZE}" height="${ITEM_IMAGE_SIZE}" alt="${description}" loading="lazy" decoding="async">`
    }<span class="tl-item__text"><span class="tl-item__title">${item.title}</span>${
      item.variantTitle === null ? "" : html`<span class="tl-item__variant">${item.variantTitle}</span>`
    }<span class="tl-item__quantity">${fillLabel(labels.result.quantity, { quantity: item.quantity })}</span></span></li>`;
  })}</ul>`;
}

/** Newest first (the view model's order), one group per shop-local day under its heading. */
function renderTimeline(events: readonly TrackingPageEvent[], idPrefix: string, labels: StorefrontChromeLabels): SafeHtml {
  const days: { day: string; dayText: string; events: TrackingPageEvent[] }[] = [];
  for (const event of events) {
    const last = days.at(-1);
    if (last?.day === event.day) last.events.push(event);
    else days.push({ day: event.day, dayText: event.dayText, events: [event] });
  }
  const headingId = `${idPrefix}-timeline`;
  return html`<section class="tl-timeline" aria-labelledby="${headingId}"><h3 class="tl-section-heading" id="${headingId}">${labels.result.timeline}</h3>${
    days.length === 0
      ? html`<p class="tl-timeline__empty">${labels.result.no_events}</p>`
      : days.map(
          (group) =>
            html`<h4 class="tl-day"><time datetime="${group.day}">${group.dayText}</time></h4><ol class="tl-events">${group.events.map(
              (event) =>
                html`<li class="tl-event">${event.timeText === null ? "" : html`<time class="tl-event__time" datetime="${event.occurredAt}">${event.timeText}</time>`}<span class="tl-event__description">${
                  event.description
                }</span>${event.location === null ? "" : html`<span class="tl-event__location">${event.location}</span>`}</li>`,
            )}</ol>`,
        )
  }</section>`;
}

export interface RenderLookupFormOptions {
  labels: StorefrontChromeLabels;
  options?: Partial<TrackingPageDisplayOptions>;
  /** Where the forms submit (GET): the proxy's page on the storefront. */
  action?: string;
  /** Keeps ids unique when the form appears more than once on a page. */
  idPrefix?: string;
  /** The page's language, sent along so the page a form opens speaks it too. */
  locale?: TrackingLookupResponse["locale"];
}

/**
 * The lookup forms: order number + e-mail or phone, and (when the merchant allows it) a tracking
 * number. Plain GET forms to the proxy page, so they work without any script; the block's script
 * intercepts them to swap in a fragment instead. Nothing the customer typed is echoed back.
 */
export function renderLookupForm(options: RenderLookupFormOptions): string {
  return lookupFormHtml(options).value;
}

function lookupFormHtml({ labels, options, action = "/apps/track", idPrefix = "tl", locale }: RenderLookupFormOptions): SafeHtml {
  const display = { ...DEFAULT_DISPLAY_OPTIONS, ...options };
  const form = labels.form;
  const hiddenFields = hiddenFieldsHtml(display, locale);
  return html`<div class="tl-lookup"><form class="tl-form" method="get" action="${action}" data-tl-form="order" aria-labelledby="${idPrefix}-by-order"><h2 class="tl-form__heading" id="${idPrefix}-by-order">${
    form.by_order
  }</h2><p class="tl-form__hint" id="${idPrefix}-hint">${form.by_order_hint}</p>${field(`${idPrefix}-order`, "order", form.order_number, "text", { required: true, autocomplete: "off", describedBy: `${idPrefix}-hint` })}${field(
    `${idPrefix}-email`,
    "email",
    form.email,
    "email",
    { autocomplete: "email" },
  )}${field(`${idPrefix}-phone`, "phone", form.phone, "tel", { autocomplete: "tel" })}${hiddenFields}<button class="tl-button" type="submit">${form.submit}</button></form>${
    display.allowTrackingNumberLookup
      ? html`<form class="tl-form" method="get" action="${action}" data-tl-form="number" aria-labelledby="${idPrefix}-by-number"><h2 class="tl-form__heading" id="${idPrefix}-by-number">${
          form.by_tracking_number
        }</h2>${field(`${idPrefix}-number`, "number", form.tracking_number, "text", { required: true, autocomplete: "off" })}${hiddenFields}<button class="tl-button" type="submit">${form.submit}</button></form>`
      : ""
  }</div>`;
}

/** The block's settings that differ from the defaults, and the language: what the proxy page needs to look the same. */
function hiddenFieldsHtml(display: TrackingPageDisplayOptions, locale: string | undefined): SafeHtml {
  const switchedOff = (Object.entries(DISPLAY_OPTION_PARAMETERS) as [keyof TrackingPageDisplayOptions, string][]).filter(([option]) => !display[option]);
  return html`${locale === undefined ? "" : html`<input type="hidden" name="locale" value="${locale}">`}${switchedOff.map(
    ([, parameter]) => html`<input type="hidden" name="${parameter}" value="0">`,
  )}`;
}

function field(
  id: string,
  name: string,
  label: string,
  type: "text" | "email" | "tel",
  attributes: { required?: boolean; autocomplete: string; describedBy?: string },
): SafeHtml {
  return html`<div class="tl-field"><label class="tl-field__label" for="${id}">${label}</label><input class="tl-field__input" id="${id}" name="${name}" type="${type}" autocomplete="${
    attributes.autocomplete
  }"${attributes.required ? html` required` : ""}${attributes.describedBy ? html` aria-describedby="${attributes.describedBy}"` : ""}></div>`;
}

export interface RenderTrackingPageOptions {
  labels: StorefrontChromeLabels;
  options?: Partial<TrackingPageDisplayOptions>;
  locale: TrackingLookupResponse["locale"];
  /** The result to show at once (a lookup in the query, a logged-in customer), or null for the form alone. */
  result: { response: TrackingLookupResponse; lookup?: "customer" | "query" } | null;
  /** The storefront path of the proxy (Shopify's `path_prefix`). */
  pathPrefix?: string;
}

/**
 * The whole tracking page as the proxy's Liquid response shows it: the same structure as the
 * theme block (extensions/tracking-page/blocks/tracking-page.liquid), so the block's script works
 * on either, and a complete page with no script at all.
 */
export function renderTrackingPage({ labels, options, locale, result, pathPrefix = "/apps/track" }: RenderTrackingPageOptions): string {
  const display = { ...DEFAULT_DISPLAY_OPTIONS, ...options };
  const form = lookupFormHtml({ labels, options: display, action: pathPrefix, locale });
  const status = html`<p class="tl-status" role="status" aria-live="polite" data-tl-live></p>`;
  const resultContainer = html`<div class="tl-result-container" data-tl-result>${
    result === null ? "" : trackingResultHtml(result.response, { labels, options: display, lookup: result.lookup })
  }</div>`;
  // With a result (a link, a lookup without script) the answer comes first, above the fold on a phone.
  return html`<div class="tl-page" data-tracklight data-tl-endpoint="${`${pathPrefix}/fragment`}" data-tl-locale="${locale}" data-tl-display="${displayQuery(display)}"${statusLabelAttributes(
    labels,
  )}><h1 class="tl-title">${labels.title}</h1>${result === null ? [form, status, resultContainer] : [status, resultContainer, form]}</div>`.value;
}

/** The display options as the query the block's script appends to fragment requests ("timeline=0&…"). */
export function displayQuery(display: TrackingPageDisplayOptions): string {
  return (Object.entries(DISPLAY_OPTION_PARAMETERS) as [keyof TrackingPageDisplayOptions, string][])
    .map(([option, parameter]) => `${parameter}=${display[option] ? "1" : "0"}`)
    .join("&");
}

/** Where the script puts the wait from Retry-After (the block fills the same placeholders through Liquid's `t`). */
const RETRY_SECONDS_PLACEHOLDER = "%SECONDS%";
const RETRY_MINUTES_PLACEHOLDER = "%MINUTES%";

function statusLabelAttributes(labels: StorefrontChromeLabels): SafeHtml {
  const { loading, loaded, failed, rate_limited, rate_limited_minutes, missing_fields } = labels.status;
  return html` data-tl-loading="${loading}" data-tl-loaded="${loaded}" data-tl-failed="${failed}" data-tl-rate-limited="${fillLabel(rate_limited, {
    seconds: RETRY_SECONDS_PLACEHOLDER,
  })}" data-tl-rate-limited-minutes="${fillLabel(rate_limited_minutes, { minutes: RETRY_MINUTES_PLACEHOLDER })}" data-tl-missing="${missing_fields}"`;
}
