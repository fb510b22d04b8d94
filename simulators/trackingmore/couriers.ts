/**
 * TrackingMore courier codes the simulator knows, and the simple number-pattern detection it offers.
 * Codes are TrackingMore's own (they differ from other aggregators'), so a client that sends `dhl_express`
 * or `UPS` gets 4120 / 4015 exactly as it would in production.
 */

/** Which wording a carrier uses in checkpoints (see journey.ts). */
export type CourierFamily = "ups" | "usps" | "fedex" | "dhl" | "post" | "express";

export interface Courier {
  code: string;
  name: string;
  countryIso2: string;
  /** TrackingMore's `courier_type`: national posts are "globalpost". */
  type: "express" | "globalpost";
  phone: string | null;
  url: string;
  family: CourierFamily;
  /**
   * Create fails with v4 4122 / v2 4012 without these. TrackingMore documents deutsche-post as needing
   * `tracking_ship_date`; we model only that one so the rule is exercised without surprising the demo.
   */
  requiredFields: readonly string[];
}

function courier(
  code: string,
  name: string,
  countryIso2: string,
  type: Courier["type"],
  family: CourierFamily,
  url: string,
  phone: string | null = null,
  requiredFields: readonly string[] = [],
): Courier {
  return { code, name, countryIso2, type, family, url, phone, requiredFields };
}

export const DEFAULT_COURIERS: readonly Courier[] = [
  courier("ups", "UPS", "US", "express", "ups", "https://www.ups.com", "+1 800 742 5877"),
  courier("usps", "USPS", "US", "globalpost", "usps", "https://www.usps.com", "+1 800 275 8777"),
  courier("fedex", "FedEx", "US", "express", "fedex", "https://www.fedex.com", "+1 800 463 3339"),
  courier("dhl", "DHL Express", "DE", "express", "dhl", "https://www.dhl.com", "+1 800 225 5345"),
  courier("dhl-ecommerce", "DHL eCommerce US", "US", "express", "dhl", "https://www.dhl.com/us-en/home/ecommerce.html"),
  courier("dhl-germany", "Deutsche Post DHL", "DE", "globalpost", "dhl", "https://www.dhl.de"),
  courier("deutsche-post", "Deutsche Post Mail", "DE", "globalpost", "post", "https://www.deutschepost.de", null, ["tracking_ship_date"]),
  courier("dhl-parcel-nl", "DHL Parcel NL", "NL", "express", "dhl", "https://www.dhlparcel.nl"),
  courier("canada-post", "Canada Post", "CA", "globalpost", "post", "https://www.canadapost-postescanada.ca", "+1 866 607 6301"),
  courier("royal-mail", "Royal Mail", "GB", "globalpost", "post", "https://www.royalmail.com", "+44 3457 740 740"),
  courier("australia-post", "Australia Post", "AU", "globalpost", "post", "https://auspost.com.au", "13 76 78"),
  courier("dpd", "DPD", "DE", "express", "express", "https://www.dpd.com"),
  courier("gls", "GLS", "DE", "express", "express", "https://gls-group.com"),
  courier("postnl-parcels", "PostNL Parcels", "NL", "globalpost", "post", "https://www.postnl.nl"),
  courier("la-poste-colissimo", "La Poste", "FR", "globalpost", "post", "https://www.laposte.fr"),
  courier("colissimo", "Colissimo", "FR", "globalpost", "post", "https://www.colissimo.fr"),
  courier("hermes", "Evri", "GB", "express", "express", "https://www.evri.com"),
  courier("yodel", "Yodel", "GB", "express", "express", "https://www.yodel.co.uk"),
  courier("parcelforce", "Parcelforce Worldwide", "GB", "express", "express", "https://www.parcelforce.com"),
  courier("purolator", "Purolator", "CA", "express", "express", "https://www.purolator.com"),
  courier("canpar", "Canpar Express", "CA", "express", "express", "https://www.canpar.com"),
  courier("ontrac", "OnTrac", "US", "express", "express", "https://www.ontrac.com"),
  courier("lasership", "LaserShip", "US", "express", "express", "https://www.lasership.com"),
  courier("amazon", "Amazon Shipping", "US", "express", "express", "https://ship.amazon.com"),
  courier("china-post", "China Post", "CN", "globalpost", "post", "https://www.chinapost.com.cn"),
  courier("china-ems", "China EMS", "CN", "globalpost", "post", "https://www.ems.com.cn"),
  courier("yunexpress", "YunExpress", "CN", "express", "express", "https://www.yunexpress.com"),
  courier("4px", "4PX", "CN", "express", "express", "https://www.4px.com"),
  courier("sf-express", "SF Express", "CN", "express", "express", "https://www.sf-express.com"),
  courier("japan-post", "Japan Post", "JP", "globalpost", "post", "https://www.post.japanpost.jp"),
  courier("correos", "Correos de España", "ES", "globalpost", "post", "https://www.correos.es"),
  courier("poste-italiane", "Poste Italiane", "IT", "globalpost", "post", "https://www.poste.it"),
  courier("bpost", "bpost", "BE", "globalpost", "post", "https://www.bpost.be"),
  courier("swiss-post", "Swiss Post", "CH", "globalpost", "post", "https://www.post.ch"),
  courier("new-zealand-post", "New Zealand Post", "NZ", "globalpost", "post", "https://www.nzpost.co.nz"),
  courier("aramex", "Aramex", "AE", "express", "express", "https://www.aramex.com"),
  courier("tnt", "TNT", "NL", "express", "express", "https://www.tnt.com"),
  courier("inpost", "InPost", "PL", "express", "express", "https://inpost.pl"),
  courier("hong-kong-post", "Hong Kong Post", "HK", "globalpost", "post", "https://www.hongkongpost.hk"),
  courier("singapore-post", "Singapore Post", "SG", "globalpost", "post", "https://www.singpost.com"),
  courier("korea-post", "Korea Post", "KR", "globalpost", "post", "https://www.epost.go.kr"),
  courier("india-post", "India Post", "IN", "globalpost", "post", "https://www.indiapost.gov.in"),
  courier("brazil-correios", "Correios Brazil", "BR", "globalpost", "post", "https://www.correios.com.br"),
  courier("austria-post", "Austrian Post", "AT", "globalpost", "post", "https://www.post.at"),
  courier("an-post", "An Post", "IE", "globalpost", "post", "https://www.anpost.com"),
  courier("poczta-polska", "Poczta Polska", "PL", "globalpost", "post", "https://www.pocztapolska.pl"),
  courier("sweden-posten", "PostNord Sweden", "SE", "globalpost", "post", "https://www.postnord.se"),
];

/** UPU S10 numbers (`RR123456789CN`) end in the country of the issuing post. */
const NATIONAL_POSTS: Readonly<Record<string, string>> = {
  US: "usps", CA: "canada-post", GB: "royal-mail", AU: "australia-post", DE: "deutsche-post", NL: "postnl-parcels",
  FR: "la-poste-colissimo", CN: "china-post", JP: "japan-post", ES: "correos", IT: "poste-italiane", BE: "bpost",
  CH: "swiss-post", NZ: "new-zealand-post", HK: "hong-kong-post", SG: "singapore-post", KR: "korea-post",
  IN: "india-post", BR: "brazil-correios", AT: "austria-post", IE: "an-post", PL: "poczta-polska", SE: "sweden-posten",
};

export class CourierRegistry {
  private readonly byCode: ReadonlyMap<string, Courier>;

  constructor(private readonly list: readonly Courier[] = DEFAULT_COURIERS) {
    this.byCode = new Map(list.map((c) => [c.code, c]));
  }

  /** Exact, case-sensitive match: TrackingMore codes are lowercase and `UPS` is rejected. */
  get(code: unknown): Courier | undefined {
    return typeof code === "string" ? this.byCode.get(code) : undefined;
  }

  all(): readonly Courier[] {
    return this.list;
  }

  /**
   * Deliberately simple pattern rules (no check digits): TrackingMore's own detection is a black box
   * that returns candidates, not a verdict. Returns at most one candidate.
   */
  detect(trackingNumber: string): Courier[] {
    const n = trackingNumber.trim().toUpperCase();
    let code: string | undefined;
    if (/^1Z[0-9A-Z]{16}$/.test(n)) code = "ups";
    else if (/^9\d{19,21}$/.test(n)) code = "usps";
    else if (/^(\d{12}|\d{15})$/.test(n)) code = "fedex";
    else if (/^\d{10}$/.test(n)) code = "dhl";
    else {
      const s10 = /^[A-Z]{2}\d{9}([A-Z]{2})$/.exec(n);
      if (s10) code = NATIONAL_POSTS[s10[1]];
    }
    const found = code ? this.byCode.get(code) : undefined;
    return found ? [found] : [];
  }
}

/** v4 `couriers/all` and `couriers/detect` item. */
export function v4CourierJson(c: Courier) {
  return {
    courier_name: c.name,
    courier_code: c.code,
    courier_country_iso2: c.countryIso2,
    courier_url: c.url,
    courier_phone: c.phone,
    courier_type: c.type,
    courier_logo: null,
    tracking_required_fields: c.requiredFields.length > 0 ? [...c.requiredFields] : null,
    optional_fields: null,
    default_language: "en",
    support_language: ["en"],
  };
}
