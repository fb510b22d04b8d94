import { describe, expect, it } from "vitest";
import type { HeadlineKind, TrackingLookupResponse, TrackingPageShipment } from "~/domain/tracking-page-contract";
import { fillLabel } from "~/storefront/chrome-labels.server";
import { escapeHtml, httpUrl } from "~/storefront/html.server";
import {
  displayOptionsFromQuery,
  displayQuery,
  renderLookupForm,
  renderTrackingPage,
  renderTrackingResult,
  storefrontChromeLabels,
} from "~/storefront/render-tracking-page.server";
import de from "../../extensions/tracking-page/locales/de.json";
import en from "../../extensions/tracking-page/locales/en.default.json";
import es from "../../extensions/tracking-page/locales/es.json";
import fr from "../../extensions/tracking-page/locales/fr.json";
import { createStorefrontLiquid } from "../support/storefront";

const labels = storefrontChromeLabels("en");
const HOSTILE = `<script>alert(1)</script><img src=x onerror="alert(2)">`;

function shipment(overrides: Partial<TrackingPageShipment> = {}): TrackingPageShipment {
  return {
    trackingNumber: "1Z999AA10123456784",
    carrier: { code: "ups", name: "UPS", trackingUrl: "https://www.ups.com/track?tracknum=1Z999AA10123456784" },
    status: "transit",
    substatus: "in_transit",
    headline: { kind: "arriving", text: "Arriving Thursday, 26 November", detail: "Departed from facility", action: null },
    estimatedDelivery: { source: "carrier", earliest: "2026-11-26", latest: null, expected: "2026-11-26", text: "Thursday, 26 November", sampleSize: null, basisText: null },
    progress: {
      steps: [
        { key: "ordered", label: "Ordered", state: "done", at: "2026-11-20T09:00:00.000Z", dateText: "Fri 20 Nov" },
        { key: "shipped", label: "Shipped", state: "done", at: "2026-11-21T10:00:00.000Z", dateText: "Sat 21 Nov" },
        { key: "in_transit", label: "In transit", state: "current", at: "2026-11-22T08:00:00.000Z", dateText: "Sun 22 Nov" },
        { key: "out_for_delivery", label: "Out for delivery", state: "upcoming", at: null, dateText: null },
        { key: "delivered", label: "Delivered", state: "upcoming", at: null, dateText: null },
      ],
      problem: null,
    },
    events: [
      { occurredAt: "2026-11-22T17:30:00.000Z", day: "2026-11-22", dayText: "Sunday, 22 November", timeText: "17:30", status: "transit", description: "Departed from facility", location: "Louisville, KY, US" },
      { occurredAt: "2026-11-22T08:00:00.000Z", day: "2026-11-22", dayText: "Sunday, 22 November", timeText: "08:00", status: "transit", description: "Arrived at facility", location: "Louisville, KY, US" },
      { occurredAt: "2026-11-21T10:00:00.000Z", day: "2026-11-21", dayText: "Saturday, 21 November", timeText: null, status: "transit", description: "Picked up", location: null },
    ],
    items: [{ title: "Linen shirt", variantTitle: "Blue / M", quantity: 2, imageUrl: "https://cdn.shopify.com/s/files/shirt.jpg" }],
    mapUrl: "https://www.openstreetmap.org/search?query=Louisville%2C%20KY%2C%20US",
    ...overrides,
  };
}

function response(shipments: TrackingPageShipment[], name: string | null = "#1001"): TrackingLookupResponse {
  return { locale: "en", orders: [{ name, shipments }], shipments };
}

function render(shipments: TrackingPageShipment[], options: Parameters<typeof renderTrackingResult>[1]["options"] = {}): string {
  return renderTrackingResult(response(shipments), { labels, options });
}

/** The opening tags the markup contains, e.g. ["div", "section", "p", …]. */
function tagNames(markup: string): string[] {
  return [...markup.matchAll(/<([a-zA-Z][\w-]*)/g)].map((match) => match[1]!.toLowerCase());
}

/** Every attribute name of every tag (quoted values skipped, as a browser would read them). */
function attributeNames(markup: string): string[] {
  return [...markup.matchAll(/<[a-zA-Z][\w-]*((?:\s+[^\s=>]+(?:="[^"]*")?)*)\s*>/g)].flatMap((tag) =>
    [...tag[1]!.matchAll(/\s+([^\s=>]+)(?:="[^"]*")?/g)].map((attribute) => attribute[1]!.toLowerCase()),
  );
}

describe("escaping", () => {
  it("renders hostile carrier and shop texts inert, wherever they appear", () => {
    const markup = render([
      shipment({
        carrier: { code: null, name: HOSTILE, trackingUrl: "https://carrier.example/track" },
        trackingNumber: HOSTILE,
        headline: { kind: "exception", text: HOSTILE, detail: HOSTILE, action: HOSTILE },
        events: [{ occurredAt: "2026-11-22T17:30:00.000Z", day: "2026-11-22", dayText: HOSTILE, timeText: HOSTILE, status: "exception", description: HOSTILE, location: HOSTILE }],
        items: [{ title: HOSTILE, variantTitle: HOSTILE, quantity: 1, imageUrl: `https://cdn.example/a.jpg" onerror="alert(3)` }],
      }),
    ]);
    const tags = tagNames(markup);
    expect(tags).not.toContain("script");
    expect(tags.filter((tag) => tag === "img")).toHaveLength(1); // the item image, not the injected one
    const attributes = attributeNames(markup);
    expect(attributes).toContain("alt");
    expect(attributes.filter((name) => name.startsWith("on"))).toEqual([]);
    expect(markup).toContain("&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=&quot;alert(2)&quot;&gt;");
    expect(markup).toContain(`src="https://cdn.example/a.jpg%22%20onerror=%22alert(3)"`);
  });

  it("links and images only to http(s) URLs", () => {
    const markup = render([
      shipment({
        carrier: { code: "ups", name: "UPS", trackingUrl: "javascript:alert(1)" },
        mapUrl: "data:text/html,<script>alert(1)</script>",
        items: [{ title: "Shirt", variantTitle: null, quantity: 1, imageUrl: "javascript:alert(1)" }],
      }),
    ]);
    expect(markup).not.toMatch(/javascript:|data:/);
    expect(markup).not.toContain("<a ");
    expect(tagNames(markup)).not.toContain("img");
    expect(httpUrl("http://example.com/x")).toBe("http://example.com/x");
    expect(httpUrl("//example.com/x")).toBeNull();
    expect(httpUrl("not a url")).toBeNull();
  });

  it("escapes every character that could end a text or a quoted attribute", () => {
    expect(escapeHtml(`<>&"'\``)).toBe("&lt;&gt;&amp;&quot;&#39;&#96;");
  });

  it("leaves no Liquid for Shopify to evaluate in the proxy's Liquid page", () => {
    const markup = render([shipment({ headline: { kind: "arriving", text: "{{ customer.email }}", detail: "{% render 'x' %}", action: null } })]);
    expect(markup).not.toMatch(/\{\{|\{%/);
    expect(markup).toContain("&#123;&#123; customer.email &#125;&#125;");
  });
});

describe("a shipment", () => {
  it("shows the headline as a heading, detail, estimate, carrier, links, items and timeline", () => {
    const markup = render([shipment()]);
    expect(markup).toMatch(/<h2 class="tl-headline"[^>]*>Arriving Thursday, 26 November<\/h2><p class="tl-headline__detail">Departed from facility<\/p>/);
    expect(markup).toContain(`<p class="tl-order__name">Order #1001</p>`);
    expect(markup).toContain(`<strong class="tl-estimate__text">Thursday, 26 November</strong>`);
    expect(markup).not.toContain("tl-badge"); // a carrier's own date is not labelled an estimate
    expect(markup).toContain("<dd>UPS</dd>");
    expect(markup).toContain(`<dd class="tl-carrier__number">1Z999AA10123456784</dd>`);
    expect(markup).toContain(`href="https://www.ups.com/track?tracknum=1Z999AA10123456784" target="_blank" rel="noopener noreferrer"`);
    expect(markup).toContain("tl-link--map");
    expect(markup).toContain(`<img class="tl-item__image" src="https://cdn.shopify.com/s/files/shirt.jpg" width="64" height="64" alt="Linen shirt, Blue / M"`);
    expect(markup).toContain(`<span class="tl-item__quantity">Quantity: 2</span>`);
    expect(markup).not.toContain("tl-shipment__position"); // one shipment: no "1 of 1"
  });

  it("shows the progress bar as an ordered list with visible states and the current step marked", () => {
    const markup = render([shipment()]);
    const steps = [...markup.matchAll(/<li class="tl-step tl-step--(\w+)"( aria-current="step")?><span class="tl-step__label">([^<]+)<\/span><span class="tl-step__state">([^<]+)<\/span>/g)].map(
      (match) => ({ state: match[1], current: match[2] !== undefined, label: match[3], text: match[4] }),
    );
    expect(steps).toEqual([
      { state: "done", current: false, label: "Ordered", text: "Done" },
      { state: "done", current: false, label: "Shipped", text: "Done" },
      { state: "current", current: true, label: "In transit", text: "Current step" },
      { state: "upcoming", current: false, label: "Out for delivery", text: "Not yet" },
      { state: "upcoming", current: false, label: "Delivered", text: "Not yet" },
    ]);
    expect(markup).toContain(`<ol class="tl-progress" aria-label="Delivery progress">`);
    expect(markup).toContain(`<time class="tl-step__date" datetime="2026-11-21T10:00:00.000Z">Sat 21 Nov</time>`);
  });

  it("shows an exception on the step where the journey stopped, with what to do", () => {
    const base = shipment();
    const markup = render([
      shipment({
        status: "exception",
        headline: { kind: "exception", text: "Held at customs", detail: null, action: "The carrier may contact you about import charges." },
        progress: {
          steps: base.progress.steps.map((step) => (step.key === "in_transit" ? { ...step, state: "problem" } : step)),
          problem: { kind: "exception", label: "Held at customs" },
        },
      }),
    ]);
    expect(markup).toContain(`class="tl-shipment tl-shipment--exception"`);
    expect(markup).toContain(`<p class="tl-headline__action">The carrier may contact you about import charges.</p>`);
    expect(markup).toContain(
      `<li class="tl-step tl-step--problem" aria-current="step"><span class="tl-step__label">In transit</span><span class="tl-step__state">Problem: Held at customs</span>`,
    );
    expect(markup.match(/aria-current/g)).toHaveLength(1);
  });

  it("marks the last step reached as current once every step is done", () => {
    const base = shipment();
    const markup = render([shipment({ status: "delivered", progress: { steps: base.progress.steps.map((step) => ({ ...step, state: "done" })), problem: null } })]);
    expect(markup.match(/aria-current/g)).toHaveLength(1);
    expect(markup).toMatch(/<li class="tl-step tl-step--done" aria-current="step"><span class="tl-step__label">Delivered<\/span>/);
  });

  it("renders every headline kind with its own modifier and the headline text", () => {
    const kinds: HeadlineKind[] = ["pending", "arriving", "out_for_delivery", "available_for_pickup", "failed_attempt", "exception", "returning", "delivered", "expired"];
    for (const kind of kinds) {
      const markup = render([shipment({ headline: { kind, text: `Headline for ${kind}`, detail: null, action: null } })]);
      expect(markup).toContain(`tl-shipment--${kind}`);
      expect(markup).toMatch(new RegExp(`<h2 class="tl-headline"[^>]*>Headline for ${kind}</h2>`));
    }
  });

  it("labels a prediction as an estimate and says what it rests on", () => {
    const markup = render([
      shipment({ estimatedDelivery: { source: "prediction", earliest: "2026-11-25", latest: "2026-11-27", expected: "2026-11-26", text: "25–27 November", sampleSize: 42, basisText: "Based on 42 deliveries from this shop" } }),
    ]);
    expect(markup).toContain(`<strong class="tl-estimate__text">25–27 November</strong> <span class="tl-badge">Estimate</span>`);
    expect(markup).toContain(`<span class="tl-estimate__basis">Based on 42 deliveries from this shop</span>`);
  });

  it("leaves out the estimate when there is none (delivered)", () => {
    expect(render([shipment({ estimatedDelivery: null })])).not.toContain("tl-estimate");
  });

  it("groups the timeline by day, newest first, under day headings with machine-readable dates", () => {
    const markup = render([shipment()]);
    const timeline = markup.slice(markup.indexOf(`<section class="tl-timeline"`));
    const days = [...timeline.matchAll(/<h4 class="tl-day"><time datetime="([\d-]+)">([^<]+)<\/time><\/h4><ol class="tl-events">(.*?)<\/ol>/g)].map((match) => ({
      day: match[1],
      heading: match[2],
      events: [...match[3]!.matchAll(/<span class="tl-event__description">([^<]+)<\/span>/g)].map((event) => event[1]),
    }));
    expect(days).toEqual([
      { day: "2026-11-22", heading: "Sunday, 22 November", events: ["Departed from facility", "Arrived at facility"] },
      { day: "2026-11-21", heading: "Saturday, 21 November", events: ["Picked up"] },
    ]);
    expect(timeline).toContain(`<time class="tl-event__time" datetime="2026-11-22T17:30:00.000Z">17:30</time>`);
    expect(timeline).toContain(`<span class="tl-event__location">Louisville, KY, US</span>`);
  });

  it("says so when there are no tracking events yet", () => {
    expect(render([shipment({ events: [] })])).toContain(`<p class="tl-timeline__empty">No tracking updates yet.</p>`);
  });

  it("hides the items when there are none (lookup by tracking number) and the order name when unknown", () => {
    const markup = renderTrackingResult(response([shipment({ items: [] })], null), { labels });
    expect(markup).not.toContain("tl-items");
    expect(markup).not.toContain("In this parcel");
    expect(markup).not.toContain("tl-order__name");
    expect(markup).not.toContain("aria-label=\"Order");
  });

  it("respects the block's settings: timeline, carrier link, map link", () => {
    const markup = render([shipment()], { showTimeline: false, showCarrierLink: false, showMapLink: false });
    expect(markup).not.toContain("tl-timeline");
    expect(markup).not.toContain("<a ");
    expect(markup).toContain("<dd>UPS</dd>"); // the carrier and number are always shown
    const carrierOnly = render([shipment()], { showMapLink: false });
    expect(carrierOnly).toContain("tl-link--carrier");
    expect(carrierOnly).not.toContain("tl-link--map");
  });
});

describe("several shipments and orders", () => {
  it("shows each shipment of an order side by side with its position and unique ids", () => {
    const markup = render([shipment(), shipment({ trackingNumber: "1Z999AA10123456785", headline: { kind: "delivered", text: "Delivered Tuesday at 14:02", detail: "Left at front door", action: null } })]);
    expect(markup.match(/<article class="tl-shipment /g)).toHaveLength(2);
    expect(markup).toContain("Shipment 1 of 2");
    expect(markup).toContain("Shipment 2 of 2");
    const ids = [...markup.matchAll(/ id="([^"]+)"/g)].map((match) => match[1]);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it("shows a logged-in customer's orders one after another, each named", () => {
    const first = shipment();
    const second = shipment({ trackingNumber: "OTHER1" });
    const markup = renderTrackingResult(
      { locale: "en", orders: [{ name: "#1001", shipments: [first] }, { name: "#1002", shipments: [second] }], shipments: [first, second] },
      { labels, lookup: "customer" },
    );
    expect([...markup.matchAll(/<p class="tl-order__name">([^<]+)<\/p>/g)].map((match) => match[1])).toEqual(["Order #1001", "Order #1002"]);
  });
});

describe("nothing found", () => {
  it("shows the same not-found state for any empty lookup, revealing nothing about the order", () => {
    const unknown = renderTrackingResult({ locale: "en", orders: [], shipments: [] }, { labels });
    const noShipmentsYet = renderTrackingResult({ locale: "en", orders: [{ name: "#1001", shipments: [] }], shipments: [] }, { labels });
    expect(noShipmentsYet).toBe(unknown);
    expect(unknown).toContain(`<h2 class="tl-empty__heading" tabindex="-1">No tracking details found</h2>`);
    expect(unknown).not.toContain("1001");
  });

  it("tells a logged-in customer they have no tracked orders yet", () => {
    const markup = renderTrackingResult({ locale: "en", orders: [], shipments: [] }, { labels, lookup: "customer" });
    expect(markup).toContain("You have no orders with tracking details yet.");
  });
});

describe("lookup form", () => {
  it("is a plain GET form to the proxy page with labelled fields, by order and by tracking number", () => {
    const markup = renderLookupForm({ labels });
    expect(markup.match(/<form class="tl-form" method="get" action="\/apps\/track"/g)).toHaveLength(2);
    for (const [id, name, label] of [
      ["tl-order", "order", "Order number"],
      ["tl-email", "email", "E-mail address"],
      ["tl-phone", "phone", "Or phone number"],
      ["tl-number", "number", "Tracking number"],
    ] as const) {
      expect(markup).toContain(`<label class="tl-field__label" for="${id}">${label}</label><input class="tl-field__input" id="${id}" name="${name}"`);
    }
  });

  it("leaves out the tracking-number form when the merchant does not allow it", () => {
    const markup = renderLookupForm({ labels, options: { allowTrackingNumberLookup: false } });
    expect(markup).not.toContain(`name="number"`);
    expect(markup).toContain(`name="order"`);
  });

  it("carries the language and the switched-off parts to the page it opens", () => {
    const markup = renderLookupForm({ labels, locale: "fr", options: { showTimeline: false } });
    expect(markup.match(/<input type="hidden" name="locale" value="fr"><input type="hidden" name="timeline" value="0">/g)).toHaveLength(2);
    expect(renderLookupForm({ labels })).not.toContain(`type="hidden"`);
  });

  it("speaks the customer's language", () => {
    expect(renderLookupForm({ labels: storefrontChromeLabels("de") })).toContain(">Bestellnummer</label>");
    expect(renderLookupForm({ labels: storefrontChromeLabels("fr") })).toContain(">Numéro de commande</label>");
  });
});

describe("the whole page (the proxy's Liquid response)", () => {
  it("has the form, a live status region, the result container and what the script needs", () => {
    const markup = renderTrackingPage({ labels, locale: "en", result: { response: response([shipment()]) }, options: { showMapLink: false } });
    expect(markup).toContain(`<h1 class="tl-title">Track your order</h1>`);
    expect(markup).toContain(`<p class="tl-status" role="status" aria-live="polite" data-tl-live></p>`);
    expect(markup).toMatch(/<div class="tl-result-container" data-tl-result><div class="tl-result"/);
    expect(markup).toContain(`data-tl-endpoint="/apps/track/fragment"`);
    expect(markup).toContain(`data-tl-display="timeline=1&amp;carrier_link=1&amp;map_link=0&amp;number_lookup=1"`);
    expect(markup).toContain(`data-tl-rate-limited="Too many lookups. Please try again in %SECONDS% seconds."`);
    expect(markup).toContain(`data-tl-rate-limited-minutes="Too many lookups. Please try again in %MINUTES% minutes."`);
  });

  it("is the form alone when there is nothing to show yet", () => {
    const markup = renderTrackingPage({ labels, locale: "en", result: null });
    expect(markup).toContain(`<div class="tl-result-container" data-tl-result></div>`);
    expect(markup.indexOf("tl-lookup")).toBeLessThan(markup.indexOf("tl-result-container"));
  });

  it("puts a result above the forms", () => {
    const markup = renderTrackingPage({ labels, locale: "en", result: { response: response([shipment()]) } });
    expect(markup.indexOf("tl-result-container")).toBeLessThan(markup.indexOf("tl-lookup"));
  });
});

describe("display options in the fragment query", () => {
  it("round-trip through the query the block's script sends", () => {
    const options = { showTimeline: false, showCarrierLink: true, showMapLink: false, allowTrackingNumberLookup: true };
    expect(displayOptionsFromQuery(new URLSearchParams(displayQuery(options)))).toEqual(options);
    expect(displayOptionsFromQuery(new URLSearchParams("order=1001"))).toEqual({ showTimeline: true, showCarrierLink: true, showMapLink: true, allowTrackingNumberLookup: true });
  });
});

describe("chrome labels", () => {
  function keyPaths(tree: unknown, prefix = ""): string[] {
    if (typeof tree !== "object" || tree === null) return [prefix];
    return Object.entries(tree).flatMap(([key, value]) => keyPaths(value, prefix ? `${prefix}.${key}` : key));
  }
  function placeholders(tree: unknown): Record<string, string[]> {
    return Object.fromEntries(
      keyPaths(tree).map((path) => [path, [...String(path.split(".").reduce<unknown>((node, key) => (node as Record<string, unknown>)[key], tree)).matchAll(/\{\{\s*(\w+)\s*\}\}/g)].map((m) => m[1]!).sort()]),
    );
  }

  it("every language has exactly English's keys and placeholders", () => {
    for (const other of [fr, de, es]) {
      expect(keyPaths(other)).toEqual(keyPaths(en));
      expect(placeholders(other)).toEqual(placeholders(en));
    }
  });

  it("are the extension's own locale files", () => {
    expect(storefrontChromeLabels("es").form.tracking_number).toBe(es.tracking_page.form.tracking_number);
    expect(fillLabel(storefrontChromeLabels("fr").status.rate_limited, { seconds: 30 })).toBe("Trop de recherches. Veuillez réessayer dans 30 secondes.");
    expect(fillLabel("{{ a }} and {{ b }}", { a: 1 })).toBe("1 and {{ b }}");
  });
});

describe("the theme block and the server render the same page", () => {
  const BLOCK_ID = "AbCdEf123";

  /** Markup without the whitespace between tags (Liquid files are indented, the renderer's output is not). */
  function normalized(markup: string): string {
    return markup.replace(/>\s+</g, "><").replace(/\s+/g, " ").trim();
  }

  function rootAttributes(markup: string): Record<string, string> {
    const root = /<div\s+class="tl-page"([^>]*)>/.exec(markup)![1]!;
    return Object.fromEntries([...root.matchAll(/([\w-]+)(?:="([^"]*)")?/g)].map((match) => [match[1]!, match[2] ?? ""]));
  }

  const settingsCases = [
    { show_timeline: true, show_carrier_link: true, show_map_link: true, allow_tracking_number_lookup: true },
    { show_timeline: false, show_carrier_link: true, show_map_link: false, allow_tracking_number_lookup: false },
  ];

  for (const locale of ["en", "fr", "de", "es"] as const) {
    for (const settings of settingsCases) {
      it(`forms and script data agree (${locale}, ${JSON.stringify(settings)})`, async () => {
        const liquid = createStorefrontLiquid(() => locale);
        const block = { id: BLOCK_ID, settings: { accent_color: "#1f5fbf", ...settings }, shopify_attributes: "" };
        const blockMarkup = await liquid.renderFile("tracking-page", { block, request: { locale: { iso_code: locale } }, customer: null });
        const options = {
          showTimeline: settings.show_timeline,
          showCarrierLink: settings.show_carrier_link,
          showMapLink: settings.show_map_link,
          allowTrackingNumberLookup: settings.allow_tracking_number_lookup,
        };
        const labels = storefrontChromeLabels(locale);
        const serverForm = renderLookupForm({ labels, options, locale, idPrefix: `tl-${BLOCK_ID}` });
        const blockForm = /<div class="tl-lookup">[\s\S]*?<\/form>\s*<\/div>/.exec(blockMarkup)![0];
        expect(normalized(blockForm)).toBe(normalized(serverForm));

        const serverPage = renderTrackingPage({ labels, options, locale, result: null });
        const { style: _style, ...blockRoot } = rootAttributes(blockMarkup);
        expect(blockRoot).toEqual(rootAttributes(serverPage));
      });
    }
  }
});
