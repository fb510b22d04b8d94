import type { ProviderId } from "./tracking-observation";

/**
 * Which provider tracks which shipment. A shop has a default provider (TrackingMore or
 * Tracktry, which cover every carrier) and may route single carriers elsewhere, typically UPS
 * numbers to UPS Track Alert, which only knows UPS.
 */
export interface ProviderRouting {
  defaultProvider: ProviderId;
  byCarrier: Readonly<Record<string, ProviderId>>;
}

/**
 * The numbers UPS Track Alert accepts: 1Z packages and Roadie (a UPS company) 1R numbers. UPS
 * also carries numbers of other shapes (Mail Innovations, SurePost's USPS leg) that Track Alert
 * refuses; those go to the default provider.
 */
export const UPS_TRACK_ALERT_NUMBER = /^1Z[0-9A-Z]{16}$|^1R[0-9A-Z]{14}$|^1R[0-9A-Z]{26}$/;

export interface RoutableShipment {
  trackingNumber: string;
  carrierCode: string | null;
}

/** Whether a provider can track this shipment at all. TrackingMore and Tracktry cover every carrier. */
export function providerSupports(provider: ProviderId, shipment: RoutableShipment): boolean {
  if (provider === "ups") return shipment.carrierCode === "ups" && UPS_TRACK_ALERT_NUMBER.test(shipment.trackingNumber);
  return true;
}

/**
 * The provider for a shipment: the carrier's route when that provider is connected and can
 * track the number, else the default. A shipment whose carrier is not known yet goes to the
 * default provider, which can detect it.
 */
export function chooseProvider(routing: ProviderRouting, shipment: RoutableShipment, connected: ReadonlySet<ProviderId>): ProviderId {
  const routed = shipment.carrierCode ? routing.byCarrier[shipment.carrierCode] : undefined;
  if (routed && connected.has(routed) && providerSupports(routed, shipment)) return routed;
  return routing.defaultProvider;
}

/** A shop's stored routing (JSON of carrier → provider), read defensively: unknown entries are dropped. */
export function parseRouting(defaultProvider: string, carrierProvidersJson: string | null, known: readonly ProviderId[]): ProviderRouting {
  const byCarrier: Record<string, ProviderId> = {};
  if (carrierProvidersJson) {
    try {
      const parsed = JSON.parse(carrierProvidersJson) as unknown;
      if (parsed && typeof parsed === "object") {
        for (const [carrier, provider] of Object.entries(parsed)) {
          if (typeof provider === "string" && (known as readonly string[]).includes(provider)) byCarrier[carrier] = provider as ProviderId;
        }
      }
    } catch {
      // A corrupt value routes nothing specially; the default still applies.
    }
  }
  const fallback = (known as readonly string[]).includes(defaultProvider) ? (defaultProvider as ProviderId) : "trackingmore";
  return { defaultProvider: fallback, byCarrier };
}
