import { afterEach, describe, expect, it } from "vitest";
import { startShopifySimulator, type ShopifySimulator } from "../../simulators/shopify/index";
import { fulfillmentEventStatuses } from "../../simulators/shopify/schema";
import { FULFILLMENT_EVENT_STATUSES, shopifyEventStatusFor } from "~/adapters/shopify-admin/fulfillment-events.server";
import { MILESTONES } from "~/domain/notification-milestones";
import { ADMIN_API_VERSION } from "~/shopify-app.server";

/**
 * The simulator's side of the status write-back: fulfillmentEventCreate behind the write_fulfillments
 * scope and the bucket, the fulfillment's events read back through GraphQL and the control API, and
 * the app's status mapping checked against the enum of the version the app pins.
 */

const SHOP = "write-back-shop.myshopify.com";
const TOKEN = "shpat_write_back";

const running: ShopifySimulator[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((sim) => sim.close()));
});

async function simWithFulfillment(shop: { accessScopes?: string[]; rateLimit?: { maximumAvailable: number; restoreRate: number } } = {}) {
  const sim = await startShopifySimulator({ apiSecretKey: "shpss_write_back" });
  running.push(sim);
  sim.addShop({ domain: SHOP, accessToken: TOKEN, ...shop });
  const order = sim.addOrder(SHOP, { lineItems: [{ title: "Mug", quantity: 1 }] });
  const { fulfillment } = await sim.createFulfillment(SHOP, order.id, { trackingCompany: "UPS", trackingNumbers: ["1Z999AA10123456784"] }, { silent: true });
  return { sim, fulfillmentId: fulfillment.admin_graphql_api_id };
}

async function adminGraphql(sim: ShopifySimulator, query: string, variables: Record<string, unknown> = {}, version = "2026-10") {
  const response = await fetch(`${sim.url}/${SHOP}/admin/api/${version}/graphql.json`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-shopify-access-token": TOKEN },
    body: JSON.stringify({ query, variables }),
  });
  expect(response.status).toBe(200);
  // Untyped on purpose: the assertions read Shopify's answer field by field.
  return (await response.json()) as any;
}

const CREATE = `mutation($event: FulfillmentEventInput!) {
  fulfillmentEventCreate(fulfillmentEvent: $event) { fulfillmentEvent { id status happenedAt } userErrors { field message } }
}`;

const EVENTS = `query($id: ID!, $first: Int, $last: Int) {
  fulfillment(id: $id) { displayStatus events(first: $first, last: $last, sortKey: HAPPENED_AT) { nodes { id status happenedAt estimatedDeliveryAt city province country zip message } } }
}`;

describe("fulfillmentEventCreate scope and cost", () => {
  it("refuses an app without write_fulfillments with Shopify's ACCESS_DENIED error and stores nothing", async () => {
    const { sim, fulfillmentId } = await simWithFulfillment({ accessScopes: ["read_orders", "read_fulfillments"] });

    const answer = await adminGraphql(sim, CREATE, { event: { fulfillmentId, status: "DELIVERED" } });

    expect(answer.data).toEqual({ fulfillmentEventCreate: null });
    expect(answer.errors).toHaveLength(1);
    expect(answer.errors[0].message).toContain("Access denied for fulfillmentEventCreate field");
    expect(answer.errors[0].extensions).toMatchObject({ code: "ACCESS_DENIED", requiredAccess: expect.stringContaining("write_fulfillments") });
    expect(answer.errors[0].path).toEqual(["fulfillmentEventCreate"]);
    expect(sim.fulfillmentEvents(SHOP)).toEqual([]);
  });

  it("costs 10 points like Shopify's other mutations, and is throttled when the bucket cannot pay", async () => {
    const { sim, fulfillmentId } = await simWithFulfillment({ rateLimit: { maximumAvailable: 15, restoreRate: 1 } });

    const first = await adminGraphql(sim, CREATE, { event: { fulfillmentId, status: "IN_TRANSIT" } });
    expect(first.extensions.cost).toMatchObject({ requestedQueryCost: 10, actualQueryCost: 10 });
    expect(first.extensions.cost.throttleStatus).toMatchObject({ maximumAvailable: 15, restoreRate: 1 });
    expect(first.extensions.cost.throttleStatus.currentlyAvailable).toBeLessThan(10);

    const second = await adminGraphql(sim, CREATE, { event: { fulfillmentId, status: "DELIVERED" } });
    expect(second.errors[0].extensions.code).toBe("THROTTLED");
    expect(second.extensions.cost).toMatchObject({ requestedQueryCost: 10, actualQueryCost: null });
    expect(sim.fulfillmentEvents(SHOP).map((event) => event.status)).toEqual(["IN_TRANSIT"]);
  });
});

describe("reading a fulfillment's events", () => {
  it("returns them by time with what the app sent, and Shopify's display status follows the latest", async () => {
    const { sim, fulfillmentId } = await simWithFulfillment();
    const later = await adminGraphql(sim, CREATE, {
      event: { fulfillmentId, status: "DELIVERED", happenedAt: "2026-11-23T15:42:10Z", city: "Ottawa", province: "ON", country: "Canada", zip: "K2P 2L8", message: "Front door" },
    });
    await adminGraphql(sim, CREATE, { event: { fulfillmentId, status: "OUT_FOR_DELIVERY", happenedAt: "2026-11-23T07:15:00Z", estimatedDeliveryAt: "2026-11-23T22:00:00Z" } });

    const answer = await adminGraphql(sim, EVENTS, { id: fulfillmentId, last: 50 });

    expect(answer.data.fulfillment.displayStatus).toBe("DELIVERED");
    expect(answer.data.fulfillment.events.nodes).toEqual([
      expect.objectContaining({ status: "OUT_FOR_DELIVERY", happenedAt: "2026-11-23T07:15:00Z", estimatedDeliveryAt: "2026-11-23T22:00:00Z", city: null }),
      {
        id: later.data.fulfillmentEventCreate.fulfillmentEvent.id,
        status: "DELIVERED",
        happenedAt: "2026-11-23T15:42:10Z",
        estimatedDeliveryAt: null,
        city: "Ottawa",
        province: "ON",
        country: "Canada",
        zip: "K2P 2L8",
        message: "Front door",
      },
    ]);
  });

  it("needs first or last, like every connection outside bulk queries", async () => {
    const { sim, fulfillmentId } = await simWithFulfillment();

    const answer = await adminGraphql(sim, EVENTS, { id: fulfillmentId });

    expect(answer.errors[0].message).toBe("you must provide one of first or last");
  });

  it("answers null for a fulfillment of another shop or none at all", async () => {
    const { sim } = await simWithFulfillment();

    const answer = await adminGraphql(sim, EVENTS, { id: "gid://shopify/Fulfillment/987654321", first: 5 });

    expect(answer.data).toEqual({ fulfillment: null });
  });

  it("lets the demo read the events over the control API", async () => {
    const { sim, fulfillmentId } = await simWithFulfillment();
    await adminGraphql(sim, CREATE, { event: { fulfillmentId, status: "CARRIER_PICKED_UP", happenedAt: "2026-11-21T08:00:00Z" } });

    const response = await fetch(`${sim.url}/__sim/shops/${SHOP}/fulfillment-events`);

    expect(await response.json()).toEqual([expect.objectContaining({ fulfillmentId, status: "CARRIER_PICKED_UP", happenedAt: "2026-11-21T08:00:00.000Z", apiVersion: "2026-10" })]);
  });
});

describe("the app's status mapping on the pinned Admin API version", () => {
  it("pins the version the simulator's enum is checked for", () => {
    expect(ADMIN_API_VERSION).toBe("2026-10");
  });

  it("lists exactly the statuses of that version", () => {
    expect([...FULFILLMENT_EVENT_STATUSES].sort()).toEqual(fulfillmentEventStatuses(ADMIN_API_VERSION));
  });

  it("maps every milestone to a status the pinned version accepts", async () => {
    const { sim, fulfillmentId } = await simWithFulfillment();
    for (const milestone of MILESTONES) {
      const status = shopifyEventStatusFor(milestone);
      expect(status, milestone).not.toBeNull();
      const answer = await adminGraphql(sim, CREATE, { event: { fulfillmentId, status } }, ADMIN_API_VERSION);
      expect(answer.errors, `${milestone} → ${status}`).toBeUndefined();
    }
    expect(shopifyEventStatusFor("toString")).toBeNull();
    expect(shopifyEventStatusFor("returned_to_sender")).toBeNull();
  });

  it("would be refused on a version before 2025-10: the mapping depends on the pin", async () => {
    const { sim, fulfillmentId } = await simWithFulfillment();

    const answer = await adminGraphql(sim, CREATE, { event: { fulfillmentId, status: shopifyEventStatusFor("shipped") } }, "2025-07");

    expect(answer.errors[0].message).toContain("was provided invalid value for status");
  });
});
