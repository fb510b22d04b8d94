import { z } from "zod";
import { InvalidRequestError, NotFoundError } from "~/domain/errors";
import type { ShopifyAdminClient } from "./client.server";

/**
 * Shopify fulfillment events: how Tracklight moves an order's fulfillment through "In transit",
 * "Out for delivery", "Delivered" in Shopify admin and on Shopify's order status page.
 * @see https://shopify.dev/docs/api/admin-graphql/latest/mutations/fulfillmentEventCreate
 *
 * The status enum grows with the Admin API version (reference §E.2): the values below are those of
 * the version the app pins (`ADMIN_API_VERSION` in app/shopify-app.server.ts, 2026-10), which has
 * DELAYED (since 2025-07) and CARRIER_PICKED_UP (since 2025-10). Sending a value the pinned version
 * does not know is a GraphQL validation error, so moving the pin backwards must revisit the mapping.
 */
export const FULFILLMENT_EVENT_STATUSES = [
  "ATTEMPTED_DELIVERY",
  "CARRIER_PICKED_UP",
  "CONFIRMED",
  "DELAYED",
  "DELIVERED",
  "FAILURE",
  "IN_TRANSIT",
  "LABEL_PRINTED",
  "LABEL_PURCHASED",
  "OUT_FOR_DELIVERY",
  "READY_FOR_PICKUP",
] as const;
export type FulfillmentEventStatus = (typeof FULFILLMENT_EVENT_STATUSES)[number];

/**
 * Our customer-facing milestones (app/domain/notification-milestones.ts) → Shopify's status.
 *
 * - shipped (first carrier scan) → CARRIER_PICKED_UP: exactly what the first scan means, and the
 *   pinned version has it; IN_TRANSIT would claim more than one scan tells.
 * - exception → DELAYED, not FAILURE: most carrier exceptions (customs hold, address query, weather)
 *   are resolved and the parcel still arrives, while Shopify shows FAILURE as a failed delivery. A
 *   parcel that really is lost or returned reaches the merchant through the attention list instead.
 * - new_delivery_date → IN_TRANSIT carrying `estimatedDeliveryAt`: the estimate moving is not a new
 *   stage (reference §E.2: "no status change; send an event with estimatedDeliveryAt"). The job
 *   repeats the status already written to Shopify when there is one, so a new estimate never moves
 *   the fulfillment back to "In transit" from a later stage.
 * Anything else (or a milestone added later) has no Shopify status and is not written.
 */
const STATUS_BY_MILESTONE: Readonly<Record<string, FulfillmentEventStatus>> = {
  shipped: "CARRIER_PICKED_UP",
  out_for_delivery: "OUT_FOR_DELIVERY",
  delivered: "DELIVERED",
  failed_attempt: "ATTEMPTED_DELIVERY",
  exception: "DELAYED",
  available_for_pickup: "READY_FOR_PICKUP",
  new_delivery_date: "IN_TRANSIT",
};

export function shopifyEventStatusFor(milestone: string): FulfillmentEventStatus | null {
  return Object.hasOwn(STATUS_BY_MILESTONE, milestone) ? STATUS_BY_MILESTONE[milestone]! : null;
}

/** The milestone that only carries a new estimate and keeps whatever status Shopify already shows. */
/** Milestones that carry news (a new estimate) but no status of their own: the event repeats Shopify's current one. */
export const MILESTONES_KEEPING_STATUS: readonly string[] = ["new_delivery_date"];

export function milestoneKeepsCurrentStatus(milestone: string): boolean {
  return MILESTONES_KEEPING_STATUS.includes(milestone);
}

/** We store Shopify's numeric fulfillment id (webhooks and the backfill both give it); GraphQL wants the GID. */
export function fulfillmentGid(shopifyFulfillmentId: string): string {
  return shopifyFulfillmentId.startsWith("gid://") ? shopifyFulfillmentId : `gid://shopify/Fulfillment/${shopifyFulfillmentId}`;
}

export interface FulfillmentEventInput {
  /** `gid://shopify/Fulfillment/…` */
  fulfillmentId: string;
  status: FulfillmentEventStatus;
  happenedAt: Date;
  estimatedDeliveryAt?: Date | null;
  message?: string | null;
  city?: string | null;
  province?: string | null;
  country?: string | null;
  zip?: string | null;
  latitude?: number | null;
  longitude?: number | null;
}

export interface ShopifyFulfillmentEvent {
  id: string;
  status: string;
  happenedAt: Date;
}

const EVENT_FIELDS = "id status happenedAt";

const CREATE_FULFILLMENT_EVENT = `#graphql
  mutation CreateFulfillmentEvent($fulfillmentEvent: FulfillmentEventInput!) {
    fulfillmentEventCreate(fulfillmentEvent: $fulfillmentEvent) {
      fulfillmentEvent { ${EVENT_FIELDS} }
      userErrors { field message }
    }
  }`;

/** A fulfillment has few events (one per carrier stage); the last page is what matters for adoption. */
const EVENTS_PAGE_SIZE = 50;

const FULFILLMENT_EVENTS = `#graphql
  query FulfillmentEvents($id: ID!) {
    fulfillment(id: $id) {
      id
      events(last: ${EVENTS_PAGE_SIZE}, sortKey: HAPPENED_AT) { nodes { ${EVENT_FIELDS} } }
    }
  }`;

const eventSchema = z.object({ id: z.string(), status: z.string(), happenedAt: z.iso.datetime().transform((value) => new Date(value)) });

const createResultSchema = z.object({
  fulfillmentEventCreate: z.object({
    fulfillmentEvent: eventSchema.nullish(),
    userErrors: z.array(z.object({ field: z.array(z.string()).nullish(), message: z.string() })),
  }),
});

const eventsResultSchema = z.object({
  fulfillment: z.object({ id: z.string(), events: z.object({ nodes: z.array(eventSchema) }) }).nullable(),
});

/** Shopify serialises DateTime to the second; sending the same precision lets adoption compare exactly. */
export function shopifyDateTime(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, "Z");
}

export class ShopifyFulfillmentEvents {
  constructor(private readonly client: ShopifyAdminClient) {}

  /**
   * Throws NotFoundError when Shopify does not know the fulfillment, InvalidRequestError for any
   * other `userErrors` (both final), and the client's typed errors for throttling, 5xx and network.
   */
  async create(input: FulfillmentEventInput): Promise<ShopifyFulfillmentEvent> {
    const result = await this.client.request(CREATE_FULFILLMENT_EVENT, { fulfillmentEvent: eventVariables(input) }, createResultSchema);
    const { fulfillmentEvent, userErrors } = result.fulfillmentEventCreate;
    if (userErrors.length > 0 || !fulfillmentEvent) {
      const message = userErrors.map((error) => (error.field?.length ? `${error.field.join(".")}: ${error.message}` : error.message)).join("; ");
      const aboutFulfillment = userErrors.some((error) => error.field?.includes("fulfillmentId"));
      const options = { service: "shopify" as const, status: 200, code: "USER_ERROR" };
      if (aboutFulfillment && /does not exist|not found/i.test(message)) throw new NotFoundError(`Shopify: ${message}`, options);
      throw new InvalidRequestError(`Shopify refused the fulfillment event: ${message || "no event and no reason given"}`, options);
    }
    return fulfillmentEvent;
  }

  /** The fulfillment's most recent events, oldest first; null when Shopify does not know the fulfillment. */
  async recentEvents(fulfillmentId: string): Promise<ShopifyFulfillmentEvent[] | null> {
    const result = await this.client.request(FULFILLMENT_EVENTS, { id: fulfillmentId }, eventsResultSchema);
    return result.fulfillment ? result.fulfillment.events.nodes : null;
  }
}

function eventVariables(input: FulfillmentEventInput): Record<string, unknown> {
  const variables: Record<string, unknown> = {
    fulfillmentId: input.fulfillmentId,
    status: input.status,
    happenedAt: shopifyDateTime(input.happenedAt),
  };
  if (input.estimatedDeliveryAt) variables.estimatedDeliveryAt = shopifyDateTime(input.estimatedDeliveryAt);
  const optional = { message: input.message, city: input.city, province: input.province, country: input.country, zip: input.zip };
  for (const [key, value] of Object.entries(optional)) if (value) variables[key] = value;
  if (typeof input.latitude === "number" && typeof input.longitude === "number") {
    variables.latitude = input.latitude;
    variables.longitude = input.longitude;
  }
  return variables;
}
