/**
 * The carriers Tracklight knows by name. `code` is our canonical carrier code and deliberately equals
 * the TrackingMore courier code, so a resolved carrier can be sent to the provider without a mapping
 * table (Tracktry and UPS adapters translate from it themselves).
 *
 * Pure data + lookups: this module is imported by browser code, so no Node, Remix or env access.
 */

export interface Carrier {
  /** Canonical carrier code = TrackingMore courier code. */
  code: string;
  /** Display name. */
  name: string;
  /**
   * Names Shopify puts in `trackingInfo.company` / `tracking_company` for this carrier (its
   * supported-carrier list), plus aliases and misspellings merchants type into the free-text field.
   * Matching ignores case, spaces, punctuation and diacritics (see `carrierFromShopifyCompany`).
   */
  shopifyCompanyNames: string[];
  /** Carrier's public tracking page, `{number}` marks where the (URL-encoded) number goes. */
  trackingUrlTemplate: string | null;
  /**
   * ISO 3166-1 alpha-2 country for national postal operators only: an S10 number's country suffix
   * maps to the carrier with that country. Null for private carriers, and for a post's secondary
   * brands (China EMS, Parcelforce, Colissimo), which detection picks by service indicator instead.
   */
  countryCode: string | null;
}

export const CARRIERS: readonly Carrier[] = deepFreeze([
  // --- United States -------------------------------------------------------------------------
  {
    code: "ups",
    name: "UPS",
    shopifyCompanyNames: ["UPS", "United Parcel Service", "UPS Ground", "UPS Express", "UPS SurePost", "UPS Standard"],
    trackingUrlTemplate: "https://www.ups.com/track?tracknum={number}",
    countryCode: null,
  },
  {
    code: "usps",
    name: "USPS",
    shopifyCompanyNames: [
      "USPS",
      "U.S. Postal Service",
      "US Postal Service",
      "United States Postal Service",
      "US Post",
      "US Mail",
      "USPS Priority Mail",
      "USPS Ground Advantage",
      "USPS First Class",
    ],
    trackingUrlTemplate: "https://tools.usps.com/go/TrackConfirmAction?tLabels={number}",
    countryCode: "US",
  },
  {
    code: "fedex",
    name: "FedEx",
    shopifyCompanyNames: ["FedEx", "Fed Ex", "Federal Express", "FedEx Ground", "FedEx Express", "FedEx Home Delivery", "FedEx SmartPost"],
    trackingUrlTemplate: "https://www.fedex.com/fedextrack/?trknbr={number}",
    countryCode: null,
  },
  {
    code: "ontrac",
    name: "OnTrac",
    shopifyCompanyNames: ["OnTrac", "On Trac"],
    trackingUrlTemplate: "https://www.ontrac.com/tracking/?number={number}",
    countryCode: null,
  },
  {
    code: "lasership",
    name: "LaserShip",
    shopifyCompanyNames: ["LaserShip", "Laser Ship"],
    trackingUrlTemplate: "https://www.lasership.com/track/{number}",
    countryCode: null,
  },
  {
    code: "amazon",
    name: "Amazon Logistics",
    shopifyCompanyNames: ["Amazon Logistics US", "Amazon Logistics UK", "Amazon Logistics", "Amazon", "Amazon Shipping"],
    trackingUrlTemplate: "https://track.amazon.com/tracking/{number}",
    countryCode: null,
  },
  // --- DHL family --------------------------------------------------------------------------------
  {
    code: "dhl",
    name: "DHL Express",
    // Bare "DHL" means DHL Express in practice: it is the only DHL network tracked worldwide by
    // the 10/11-digit waybill merchants paste.
    shopifyCompanyNames: ["DHL Express", "DHL", "DHL Worldwide Express"],
    trackingUrlTemplate: "https://www.dhl.com/global-en/home/tracking/tracking-express.html?submit=1&tracking-id={number}",
    countryCode: null,
  },
  {
    code: "dhl-ecommerce",
    name: "DHL eCommerce",
    shopifyCompanyNames: ["DHL eCommerce", "DHL eCommerce Asia", "DHL eCommerce Solutions", "DHL Global Mail"],
    trackingUrlTemplate: "https://www.dhl.com/global-en/home/tracking/tracking-ecommerce.html?submit=1&tracking-id={number}",
    countryCode: null,
  },
  {
    code: "deutsche-post",
    name: "Deutsche Post",
    shopifyCompanyNames: ["Deutsche Post (DE)", "Deutsche Post (EN)", "Deutsche Post"],
    trackingUrlTemplate: "https://www.deutschepost.de/de/s/sendungsverfolgung/verfolgen.html?piececode={number}",
    countryCode: "DE",
  },
  // --- Canada ----------------------------------------------------------------------------------
  {
    code: "canada-post",
    name: "Canada Post",
    shopifyCompanyNames: ["Canada Post", "Postes Canada"],
    trackingUrlTemplate: "https://www.canadapost-postescanada.ca/track-reperage/en#/search?searchFor={number}",
    countryCode: "CA",
  },
  {
    code: "purolator",
    name: "Purolator",
    shopifyCompanyNames: ["Purolator"],
    trackingUrlTemplate: "https://www.purolator.com/en/shipping/tracker?pin={number}",
    countryCode: null,
  },
  {
    code: "canpar",
    name: "Canpar",
    shopifyCompanyNames: ["Canpar", "Canpar Express"],
    trackingUrlTemplate: "https://www.canpar.com/en/tracking/track.htm?barcode={number}",
    countryCode: null,
  },
  // --- United Kingdom --------------------------------------------------------------------------
  {
    code: "royal-mail",
    name: "Royal Mail",
    shopifyCompanyNames: ["Royal Mail"],
    trackingUrlTemplate: "https://www.royalmail.com/track-your-item#/tracking-results/{number}",
    countryCode: "GB",
  },
  {
    code: "parcelforce",
    name: "Parcelforce Worldwide",
    shopifyCompanyNames: ["Parcelforce", "Parcelforce Worldwide", "Parcel Force"],
    trackingUrlTemplate: "https://www.parcelforce.com/track-trace?trackNumber={number}",
    countryCode: null,
  },
  {
    code: "hermes",
    name: "Evri",
    shopifyCompanyNames: ["Evri", "Hermes UK", "Hermes", "myHermes"],
    trackingUrlTemplate: "https://www.evri.com/track/parcel/{number}",
    countryCode: null,
  },
  {
    code: "yodel",
    name: "Yodel",
    shopifyCompanyNames: ["Yodel"],
    trackingUrlTemplate: "https://www.yodel.co.uk/tracking/{number}",
    countryCode: null,
  },
  {
    code: "dpd-uk",
    name: "DPD UK",
    shopifyCompanyNames: ["DPD UK", "DPD Local"],
    trackingUrlTemplate: "https://track.dpd.co.uk/parcels/{number}",
    countryCode: null,
  },
  // --- Continental Europe ----------------------------------------------------------------------
  {
    code: "dpd",
    name: "DPD",
    shopifyCompanyNames: ["DPD"],
    trackingUrlTemplate: "https://tracking.dpd.de/status/en_US/parcel/{number}",
    countryCode: null,
  },
  {
    code: "gls",
    name: "GLS",
    shopifyCompanyNames: ["GLS"],
    trackingUrlTemplate: "https://gls-group.com/GROUP/en/parcel-tracking?match={number}",
    countryCode: null,
  },
  {
    code: "postnl-parcels",
    name: "PostNL",
    shopifyCompanyNames: ["PostNL", "Post NL", "PostNL International"],
    trackingUrlTemplate: "https://jouw.postnl.nl/track-and-trace/{number}",
    countryCode: "NL",
  },
  {
    code: "la-poste",
    name: "La Poste",
    shopifyCompanyNames: ["La Poste", "LaPoste"],
    trackingUrlTemplate: "https://www.laposte.fr/outils/suivre-vos-envois?code={number}",
    countryCode: "FR",
  },
  {
    code: "colissimo",
    name: "Colissimo",
    shopifyCompanyNames: ["Colissimo"],
    trackingUrlTemplate: "https://www.laposte.fr/outils/suivre-vos-envois?code={number}",
    countryCode: null,
  },
  {
    code: "chronopost",
    name: "Chronopost",
    shopifyCompanyNames: ["Chronopost"],
    trackingUrlTemplate: "https://www.chronopost.fr/tracking-no-cms/suivi-page?listeNumerosLT={number}",
    countryCode: null,
  },
  {
    code: "correos",
    name: "Correos",
    shopifyCompanyNames: ["Correos", "Correos de España"],
    trackingUrlTemplate: "https://www.correos.es/es/en/tools/tracker/items/details?tracking-number={number}",
    countryCode: "ES",
  },
  {
    code: "poste-italiane",
    name: "Poste Italiane",
    shopifyCompanyNames: ["Poste Italiane"],
    trackingUrlTemplate: "https://www.poste.it/cerca/index.html#/risultati-spedizioni/{number}",
    countryCode: "IT",
  },
  {
    code: "bpost",
    name: "bpost",
    shopifyCompanyNames: ["Bpost", "bpost international"],
    trackingUrlTemplate: "https://track.bpost.cloud/btr/web/#/search?itemCode={number}",
    countryCode: "BE",
  },
  {
    code: "swiss-post",
    name: "Swiss Post",
    shopifyCompanyNames: ["Swiss Post", "Post CH", "Die Schweizerische Post"],
    trackingUrlTemplate: "https://service.post.ch/ekp-web/ui/entry/search/{number}",
    countryCode: "CH",
  },
  {
    code: "austria-post",
    name: "Austrian Post",
    shopifyCompanyNames: ["Austrian Post", "Österreichische Post", "Post AT"],
    trackingUrlTemplate: "https://www.post.at/s/sendungssuche?snr={number}",
    countryCode: "AT",
  },
  {
    code: "an-post",
    name: "An Post",
    shopifyCompanyNames: ["An Post"],
    trackingUrlTemplate: "https://www.anpost.com/Post-Parcels/Track/History?item={number}",
    countryCode: "IE",
  },
  {
    code: "tnt",
    name: "TNT",
    shopifyCompanyNames: ["TNT", "TNT Express"],
    trackingUrlTemplate: "https://www.tnt.com/express/en_gc/site/shipping-tools/tracking.html?searchType=con&cons={number}",
    countryCode: null,
  },
  // --- Asia-Pacific ----------------------------------------------------------------------------
  {
    code: "australia-post",
    name: "Australia Post",
    shopifyCompanyNames: ["Australia Post", "AusPost", "Aus Post"],
    trackingUrlTemplate: "https://auspost.com.au/mypost/track/details/{number}",
    countryCode: "AU",
  },
  {
    code: "new-zealand-post",
    name: "New Zealand Post",
    shopifyCompanyNames: ["New Zealand Post", "NZ Post"],
    trackingUrlTemplate: "https://www.nzpost.co.nz/tools/tracking/item/{number}",
    countryCode: "NZ",
  },
  {
    code: "china-post",
    name: "China Post",
    shopifyCompanyNames: ["China Post", "China Post Air Mail", "China Post Registered Air Mail"],
    // China Post has no stable per-number tracking deep link.
    trackingUrlTemplate: null,
    countryCode: "CN",
  },
  {
    code: "china-ems",
    name: "China EMS",
    shopifyCompanyNames: ["China EMS", "China EMS (ePacket)", "ePacket", "EMS China"],
    trackingUrlTemplate: null,
    countryCode: null,
  },
  {
    code: "yunexpress",
    name: "YunExpress",
    shopifyCompanyNames: ["YunExpress", "Yun Express"],
    trackingUrlTemplate: "https://www.yuntrack.com/parcelTracking?id={number}",
    countryCode: null,
  },
  {
    code: "4px",
    name: "4PX",
    shopifyCompanyNames: ["4PX", "4PX Express"],
    trackingUrlTemplate: "https://track.4px.com/#/result/0/{number}",
    countryCode: null,
  },
  {
    code: "sf-express",
    name: "SF Express",
    shopifyCompanyNames: ["SF Express", "SF Express (China)", "S.F. Express"],
    trackingUrlTemplate: "https://www.sf-express.com/we/ow/chn/en/waybill/waybill-detail/{number}",
    countryCode: null,
  },
  {
    code: "cainiao",
    name: "Cainiao",
    shopifyCompanyNames: ["Cainiao", "Cainiao Super Economy"],
    trackingUrlTemplate: "https://global.cainiao.com/newDetail.htm?mailNoList={number}",
    countryCode: null,
  },
  {
    code: "hong-kong-post",
    name: "Hongkong Post",
    shopifyCompanyNames: ["Hongkong Post", "Hong Kong Post"],
    trackingUrlTemplate: "https://www.hongkongpost.hk/en/mail_tracking/index.html?trackcode={number}",
    countryCode: "HK",
  },
  {
    code: "singapore-post",
    name: "Singapore Post",
    shopifyCompanyNames: ["Singapore Post", "SingPost"],
    trackingUrlTemplate: "https://www.singpost.com/track-items?trackingid={number}",
    countryCode: "SG",
  },
  {
    code: "japan-post",
    name: "Japan Post",
    shopifyCompanyNames: ["Japan Post (EN)", "Japan Post (JA)", "Japan Post"],
    trackingUrlTemplate: "https://trackings.post.japanpost.jp/services/srv/search/direct?reqCodeNo1={number}&locale=en",
    countryCode: "JP",
  },
  {
    code: "korea-post",
    name: "Korea Post",
    shopifyCompanyNames: ["Korea Post"],
    trackingUrlTemplate: "https://service.epost.go.kr/trace.RetrieveEmsRigiTraceList.comm?POST_CODE={number}",
    countryCode: "KR",
  },
  {
    code: "india-post",
    name: "India Post",
    shopifyCompanyNames: ["India Post"],
    trackingUrlTemplate: null,
    countryCode: "IN",
  },
  // --- Middle East -----------------------------------------------------------------------------
  {
    code: "aramex",
    name: "Aramex",
    shopifyCompanyNames: ["Aramex"],
    trackingUrlTemplate: "https://www.aramex.com/us/en/track/results?ShipmentNumber={number}",
    countryCode: null,
  },
]);

const BY_CODE: ReadonlyMap<string, Carrier> = new Map(CARRIERS.map((c) => [c.code, c]));

const BY_SHOPIFY_NAME: ReadonlyMap<string, Carrier> = (() => {
  const map = new Map<string, Carrier>();
  for (const carrier of CARRIERS) {
    for (const name of [...carrier.shopifyCompanyNames, carrier.name]) {
      const key = companyKey(name);
      const existing = map.get(key);
      // A key shared by two carriers would make the lookup depend on array order; fail at load
      // time so the registry cannot ship that way (the unit tests import this module).
      if (existing && existing !== carrier) {
        throw new Error(`Carrier alias "${name}" is claimed by both ${existing.code} and ${carrier.code}`);
      }
      if (key) map.set(key, carrier);
    }
  }
  return map;
})();

const BY_COUNTRY: ReadonlyMap<string, Carrier> = new Map(
  CARRIERS.filter((c): c is Carrier & { countryCode: string } => c.countryCode !== null).map((c) => [c.countryCode, c]),
);

export function carrierByCode(code: string): Carrier | undefined {
  return BY_CODE.get(code);
}

/** The national postal operator for an ISO country code (S10 suffix), if we know it. */
export function nationalPostForCountry(countryCode: string): Carrier | undefined {
  return BY_COUNTRY.get(countryCode.toUpperCase());
}

/** Case-, space- and punctuation-insensitive match of Shopify's tracking company; undefined for "Other", "", null or unknown names. */
export function carrierFromShopifyCompany(company: string | null | undefined): Carrier | undefined {
  if (typeof company !== "string") return undefined;
  const key = companyKey(company);
  return key ? BY_SHOPIFY_NAME.get(key) : undefined;
}

/** `null` for an unknown carrier or one without a public per-number page. */
export function trackingUrlFor(carrierCode: string, trackingNumber: string): string | null {
  const template = BY_CODE.get(carrierCode)?.trackingUrlTemplate;
  if (!template) return null;
  // Templates with a "#" fragment still need encoding: the number is merchant input and "/" or "?"
  // in it would otherwise change which page the customer lands on.
  return template.replaceAll("{number}", encodeURIComponent(trackingNumber));
}

/**
 * Lookup key for a company name: decompose accents (Ö → O), lower-case, then keep only letters and
 * digits of any script, so "Fed-Ex", "fed ex" and "FEDEX" meet, and "Österreichische Post" matches
 * "Osterreichische Post".
 */
function companyKey(name: string): string {
  return name
    .normalize("NFKD")
    .replace(/\p{M}+/gu, "")
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, "");
}

function deepFreeze(carriers: Carrier[]): readonly Carrier[] {
  for (const c of carriers) {
    Object.freeze(c.shopifyCompanyNames);
    Object.freeze(c);
  }
  return Object.freeze(carriers);
}
