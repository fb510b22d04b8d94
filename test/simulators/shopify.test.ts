import { createHmac } from "node:crypto";
import type { IncomingHttpHeaders } from "node:http";
import { afterEach, describe, expect, it } from "vitest";
import { readBody, startHttpServer, type RunningServer } from "../../simulators/lib/http-server";
import { startShopifySimulator, type ShopifySimulator, type ShopifySimulatorOptions } from "../../simulators/shopify/index";

const SECRET = "shpss_test_secret";
const SHOP = "demo-shop.myshopify.com";
const TOKEN = "shpat_demo_token";
const UPS = "1Z999AA10123456784";
const UPS_2 = "1ZCIETST0111111114";
const ISO_WITH_OFFSET = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

const running: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((r) => r.close()));
});

async function startSim(options: Partial<ShopifySimulatorOptions> = {}, shop: Partial<Parameters<ShopifySimulator["addShop"]>[0]> = {}) {
  const sim = await startShopifySimulator({ apiSecretKey: SECRET, bulkOperationDurationMs: 300, ...options });
  running.push(sim);
  sim.addShop({ domain: SHOP, accessToken: TOKEN, name: "Demo Shop", ianaTimezone: "America/New_York", ...shop });
  return sim;
}

interface GqlAnswer {
  status: number;
  headers: Headers;
  /** Untyped on purpose: tests assert field by field, including absent fields. */
  json: any;
}

async function gql(
  sim: ShopifySimulator,
  query: string,
  variables: Record<string, unknown> = {},
  opts: { version?: string; token?: string | null; shop?: string } = {},
): Promise<GqlAnswer> {
  const headers: Record<string, string> = { "content-type": "application/json" };
  const token = opts.token === undefined ? TOKEN : opts.token;
  if (token !== null) headers["x-shopify-access-token"] = token;
  const res = await fetch(`${sim.url}/${opts.shop ?? SHOP}/admin/api/${opts.version ?? "2026-10"}/graphql.json`, {
    method: "POST",
    headers,
    body: JSON.stringify({ query, variables }),
  });
  return { status: res.status, headers: res.headers, json: await res.json() };
}

const EVENT_CREATE = `
  mutation fulfillmentEventCreate($fulfillmentEvent: FulfillmentEventInput!) {
    fulfillmentEventCreate(fulfillmentEvent: $fulfillmentEvent) {
      fulfillmentEvent { id status message happenedAt estimatedDeliveryAt }
      userErrors { field message }
    }
  }`;

const RUN_BULK = `
  mutation run($query: String!) {
    bulkOperationRunQuery(query: $query) { bulkOperation { id status } userErrors { field message code } }
  }`;

const CURRENT_BULK = `{ currentBulkOperation(type: QUERY) { id status errorCode objectCount rootObjectCount fileSize url completedAt } }`;

async function until<T>(what: string, fn: () => Promise<T | undefined> | T | undefined, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await fn();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  raw: Buffer;
}

/** A stand-in for the app's webhook endpoint; `answer` decides the status per request. */
async function startReceiver(answer: (r: Received, index: number) => number = () => 200) {
  const received: Received[] = [];
  const server: RunningServer = await startHttpServer(async (req, res) => {
    const r = { path: req.url ?? "", headers: req.headers, raw: await readBody(req) };
    received.push(r);
    res.writeHead(answer(r, received.length - 1), { "content-type": "text/plain" });
    res.end("ok");
  });
  running.push(server);
  return { url: server.url, received };
}

const hmac = (raw: Buffer) => createHmac("sha256", SECRET).update(raw).digest("base64");

describe("Admin GraphQL endpoint", () => {
  it("rejects a wrong or missing access token with Shopify's 401 body, and unknown shops and versions with 404", async () => {
    const sim = await startSim();
    for (const token of ["wrong", null]) {
      const res = await gql(sim, "{ shop { id } }", {}, { token });
      expect(res.status).toBe(401);
      expect(res.json).toEqual({ errors: "[API] Invalid API key or access token (unrecognized login or wrong password)" });
    }
    expect(sim.graphqlCalls.map((c) => c.status)).toEqual([401, 401]);
    expect((await gql(sim, "{ shop { id } }", {}, { shop: "other-shop.myshopify.com" })).status).toBe(404);
    expect((await gql(sim, "{ shop { id } }", {}, { version: "2023-04" })).status).toBe(404);
    for (const version of ["2025-07", "2025-10", "2026-01", "2026-04", "2026-07", "2026-10"]) {
      const res = await gql(sim, "{ shop { name myshopifyDomain } }", {}, { version });
      expect(res.status).toBe(200);
      expect(res.headers.get("x-shopify-api-version")).toBe(version);
      expect(res.json.data.shop).toEqual({ name: "Demo Shop", myshopifyDomain: SHOP });
    }
  });

  it("answers an order query with tracking, line items and fulfillment line items", async () => {
    const sim = await startSim();
    const order = sim.addOrder(SHOP, {
      email: "ada@example.com",
      customer: { firstName: "Ada", lastName: "Lovelace", email: "ada@example.com", phone: "+441234567890", locale: "en-GB" },
      shippingAddress: { firstName: "Ada", countryCode: "GB", zip: "SW1A 1AA", city: "London" },
      lineItems: [
        { title: "Mug", quantity: 2, sku: "MUG-1", variantTitle: "Blue", imageUrl: "https://cdn.example/mug.png" },
        { title: "Cap", quantity: 1, sku: "CAP-1", variantTitle: null },
      ],
    });
    expect(order.name).toBe("#1001");
    const mug = order.lineItems[0]!;
    await sim.createFulfillment(SHOP, order.id, { trackingCompany: "UPS", trackingNumbers: [UPS], lineItems: [{ lineItemId: mug.gid, quantity: 2 }] }, { silent: true });

    const res = await gql(
      sim,
      `query($id: ID!) { order(id: $id) {
        id legacyResourceId name email phone createdAt updatedAt displayFulfillmentStatus
        customer { id firstName lastName email phone locale }
        shippingAddress { countryCodeV2 zip city firstName }
        lineItems(first: 10) { edges { node { id title quantity sku variantTitle image { url altText } } } }
        fulfillments(first: 10) { id legacyResourceId status displayStatus createdAt updatedAt
          trackingInfo(first: 10) { number company url }
          fulfillmentLineItems(first: 10) { edges { node { id quantity lineItem { id title } } } } } } }`,
      { id: order.gid },
    );
    expect(res.status).toBe(200);
    expect(res.json.errors).toBeUndefined();
    const o = res.json.data.order;
    expect(o).toMatchObject({
      id: order.gid,
      legacyResourceId: String(order.id),
      name: "#1001",
      email: "ada@example.com",
      phone: "+441234567890",
      displayFulfillmentStatus: "PARTIALLY_FULFILLED",
      customer: { id: order.customer!.gid, firstName: "Ada", lastName: "Lovelace", email: "ada@example.com", locale: "en-GB" },
      shippingAddress: { countryCodeV2: "GB", zip: "SW1A 1AA", city: "London", firstName: "Ada" },
    });
    expect(o.createdAt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    expect(o.lineItems.edges.map((e: any) => e.node)).toEqual([
      { id: mug.gid, title: "Mug", quantity: 2, sku: "MUG-1", variantTitle: "Blue", image: { url: "https://cdn.example/mug.png", altText: null } },
      expect.objectContaining({ title: "Cap", quantity: 1, sku: "CAP-1", variantTitle: null }),
    ]);
    expect(o.fulfillments).toHaveLength(1);
    expect(o.fulfillments[0]).toMatchObject({
      status: "SUCCESS",
      displayStatus: "FULFILLED",
      trackingInfo: [{ number: UPS, company: "UPS", url: expect.stringContaining(UPS) }],
      fulfillmentLineItems: { edges: [{ node: { quantity: 2, lineItem: { id: mug.gid, title: "Mug" } } }] },
    });
    expect(res.json.extensions.cost).toMatchObject({ requestedQueryCost: expect.any(Number), actualQueryCost: expect.any(Number) });
    expect(res.json.extensions.cost.throttleStatus).toMatchObject({ maximumAvailable: 1000, restoreRate: 50 });

    const missing = await gql(sim, `{ order(id: "gid://shopify/Order/1") { id } }`);
    expect(missing.json.data.order).toBeNull();
    const bad = await gql(sim, `{ shop { id bogus } }`);
    expect(bad.status).toBe(200);
    expect(bad.json.errors[0].message).toBe("Field 'bogus' doesn't exist on type 'Shop'");
    expect(bad.json.data).toBeUndefined();
    const unpaged = await gql(sim, `{ orders { edges { node { id } } } }`);
    expect(unpaged.json.errors[0].message).toBe("you must provide one of first or last");
  });

  it("filters and pages orders with Shopify's search syntax, reading bare dates in the shop's time zone", async () => {
    const sim = await startSim({}, { rateLimit: { maximumAvailable: 100_000, restoreRate: 10_000 } });
    const a = sim.addOrder(SHOP, { createdAt: "2025-01-15T12:00:00Z" });
    const b = sim.addOrder(SHOP, { createdAt: "2025-03-10T12:00:00Z", lineItems: [{ quantity: 1 }] });
    const c = sim.addOrder(SHOP, { createdAt: "2025-03-20T12:00:00Z", lineItems: [{ title: "A", quantity: 1 }, { title: "B", quantity: 1 }] });
    // 03:00Z on April 1st is still March 31st in New York.
    const d = sim.addOrder(SHOP, { createdAt: "2025-04-01T03:00:00Z" });
    await sim.createFulfillment(SHOP, b.id, { createdAt: "2025-05-02T10:00:00Z" }, { silent: true });
    await sim.createFulfillment(SHOP, c.id, { lineItems: [{ lineItemId: c.lineItems[0]!.id, quantity: 1 }], createdAt: "2025-05-03T10:00:00Z" }, { silent: true });

    const names = async (query: string, extra = "") => {
      const res = await gql(sim, `query($q: String) { orders(first: 50, query: $q${extra}) { edges { node { name } } } }`, { q: query });
      expect(res.json.errors).toBeUndefined();
      return res.json.data.orders.edges.map((e: any) => e.node.name);
    };
    expect(await names("created_at:>=2025-03-01")).toEqual([b.name, c.name, d.name]);
    expect(await names("created_at:>='2025-04-01T00:00:00Z'")).toEqual([d.name]);
    expect(await names("created_at:>=2025-04-01")).toEqual([]);
    expect(await names("fulfillment_status:shipped")).toEqual([b.name]);
    expect(await names("fulfillment_status:partial OR fulfillment_status:unshipped")).toEqual([a.name, c.name, d.name]);
    expect(await names("created_at:>=2025-03-01 fulfillment_status:unshipped")).toEqual([d.name]);
    expect(await names("updated_at:>=2025-05-01 status:any")).toEqual([b.name, c.name]);
    expect(await names("status:any", ", sortKey: CREATED_AT, reverse: true")).toEqual([d.name, c.name, b.name, a.name]);

    const warned = await gql(sim, `{ orders(first: 5, query: "bogus_field:1") { edges { node { id } } } }`);
    expect(warned.json.data.orders.edges).toHaveLength(4);
    expect(warned.json.extensions.search[0].warnings).toEqual([{ field: "bogus_field", message: "Invalid search field for this query." }]);

    const page1 = await gql(sim, `{ orders(first: 3, sortKey: CREATED_AT) { edges { node { name } } pageInfo { hasNextPage hasPreviousPage endCursor } } }`);
    expect(page1.json.data.orders.edges.map((e: any) => e.node.name)).toEqual([a.name, b.name, c.name]);
    expect(page1.json.data.orders.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: false });
    const page2 = await gql(sim, `query($after: String) { orders(first: 3, after: $after, sortKey: CREATED_AT) { edges { node { name } } pageInfo { hasNextPage hasPreviousPage } } }`, {
      after: page1.json.data.orders.pageInfo.endCursor,
    });
    expect(page2.json.data.orders.edges.map((e: any) => e.node.name)).toEqual([d.name]);
    expect(page2.json.data.orders.pageInfo).toEqual({ hasNextPage: false, hasPreviousPage: true });
  });
});

describe("order visibility", () => {
  it("hides orders older than 60 days from a shop without read_all_orders", async () => {
    const now = new Date("2026-06-01T12:00:00Z");
    const sim = await startSim({ now: () => now }, { readAllOrders: false });
    const old = sim.addOrder(SHOP, { createdAt: "2026-03-01T12:00:00Z" });
    const recent = sim.addOrder(SHOP, { createdAt: "2026-05-20T12:00:00Z" });
    const res = await gql(sim, `query($old: ID!, $recent: ID!) { a: order(id: $old) { id } b: order(id: $recent) { id } orders(first: 10) { edges { node { id } } } }`, {
      old: old.gid,
      recent: recent.gid,
    });
    expect(res.json.data).toEqual({ a: null, b: { id: recent.gid }, orders: { edges: [{ node: { id: recent.gid } }] } });
  });
});

describe("fulfillmentEventCreate", () => {
  async function withFulfillment(options: Partial<ShopifySimulatorOptions> = {}) {
    const sim = await startSim(options);
    const order = sim.addOrder(SHOP);
    const { fulfillment } = await sim.createFulfillment(SHOP, order.id, { trackingCompany: "UPS", trackingNumbers: [UPS] }, { silent: true });
    return { sim, fulfillmentId: fulfillment.admin_graphql_api_id };
  }

  it("accepts CARRIER_PICKED_UP on 2026-10 but fails validation on 2025-07, in errors[] with HTTP 200", async () => {
    const { sim, fulfillmentId } = await withFulfillment();
    const ok = await gql(sim, EVENT_CREATE, {
      fulfillmentEvent: { fulfillmentId, status: "CARRIER_PICKED_UP", happenedAt: "2026-03-07T15:50:00Z", message: "Picked up", city: "Ottawa", country: "Canada", zip: "K2P 2L8" },
    });
    expect(ok.status).toBe(200);
    expect(ok.json.data.fulfillmentEventCreate).toMatchObject({
      fulfillmentEvent: { status: "CARRIER_PICKED_UP", message: "Picked up", happenedAt: "2026-03-07T15:50:00Z" },
      userErrors: [],
    });
    expect(sim.fulfillmentEvents(SHOP)).toEqual([
      expect.objectContaining({ fulfillmentId, status: "CARRIER_PICKED_UP", happenedAt: "2026-03-07T15:50:00.000Z", city: "Ottawa", zip: "K2P 2L8", apiVersion: "2026-10" }),
    ]);

    const old = await gql(sim, EVENT_CREATE, { fulfillmentEvent: { fulfillmentId, status: "CARRIER_PICKED_UP" } }, { version: "2025-07" });
    expect(old.status).toBe(200);
    expect(old.json.data).toBeUndefined();
    expect(old.json.errors).toHaveLength(1);
    expect(old.json.errors[0].message).toContain('Variable $fulfillmentEvent of type FulfillmentEventInput! was provided invalid value for status');
    expect(old.json.errors[0].message).toContain("DELAYED");
    const literal = await gql(sim, `mutation { fulfillmentEventCreate(fulfillmentEvent: { fulfillmentId: "${fulfillmentId}", status: CARRIER_PICKED_UP }) { userErrors { message } } }`, {}, { version: "2025-07" });
    expect(literal.json.errors[0].message).toContain("CARRIER_PICKED_UP");
    expect(sim.fulfillmentEvents(SHOP)).toHaveLength(1);
  });

  it("knows DELAYED from 2025-07 on but not on 2025-04", async () => {
    const { sim, fulfillmentId } = await withFulfillment();
    const before = await gql(sim, EVENT_CREATE, { fulfillmentEvent: { fulfillmentId, status: "DELAYED" } }, { version: "2025-04" });
    expect(before.json.errors?.[0]?.message).toContain("DELAYED");
    const after = await gql(sim, EVENT_CREATE, { fulfillmentEvent: { fulfillmentId, status: "DELAYED" } }, { version: "2025-07" });
    expect(after.json.data.fulfillmentEventCreate.fulfillmentEvent.status).toBe("DELAYED");
    expect(sim.fulfillmentEvents(SHOP).map((e) => e.status)).toEqual(["DELAYED"]);
  });

  it("answers userErrors for an unknown or cancelled fulfillment, and drives displayStatus and REST shipment_status", async () => {
    const { sim, fulfillmentId } = await withFulfillment();
    const unknown = await gql(sim, EVENT_CREATE, { fulfillmentEvent: { fulfillmentId: "gid://shopify/Fulfillment/999", status: "IN_TRANSIT" } });
    expect(unknown.json.data.fulfillmentEventCreate).toEqual({
      fulfillmentEvent: null,
      userErrors: [{ field: ["fulfillmentEvent", "fulfillmentId"], message: "Fulfillment does not exist." }],
    });

    await gql(sim, EVENT_CREATE, { fulfillmentEvent: { fulfillmentId, status: "OUT_FOR_DELIVERY", happenedAt: "2026-03-07T15:50:00Z" } });
    const shown = await gql(sim, `query($id: ID!) { node(id: $id) { ... on Fulfillment { displayStatus events(first: 5) { edges { node { status } } } } } }`, { id: fulfillmentId });
    expect(shown.json.data.node).toEqual({ displayStatus: "OUT_FOR_DELIVERY", events: { edges: [{ node: { status: "OUT_FOR_DELIVERY" } }] } });
    expect(sim.getFulfillment(SHOP, fulfillmentId)?.shipment_status).toBe("out_for_delivery");

    await sim.updateFulfillment(SHOP, fulfillmentId, { status: "cancelled" }, { silent: true });
    const cancelled = await gql(sim, EVENT_CREATE, { fulfillmentEvent: { fulfillmentId, status: "DELIVERED" } });
    expect(cancelled.json.data.fulfillmentEventCreate.fulfillmentEvent).toBeNull();
    expect(cancelled.json.data.fulfillmentEventCreate.userErrors).toHaveLength(1);
    expect(cancelled.json.data.fulfillmentEventCreate.userErrors[0].field).toEqual(["fulfillmentEvent", "fulfillmentId"]);
    expect(sim.fulfillmentEvents(SHOP)).toHaveLength(1);
  });
});

describe("bulk operations", () => {
  const BULK_QUERY = `{ orders(query: "fulfillment_status:shipped") { edges { node {
      id name
      fulfillments { id status trackingInfo { number company } }
      lineItems { edges { node { id title quantity } } } } } } }`;

  it("runs CREATED → RUNNING → COMPLETED, refuses a second one while running, and flattens to JSONL with __parentId", async () => {
    const sim = await startSim({ bulkOperationDurationMs: 800 });
    const shipped = sim.addOrders(SHOP, 12, (i) => ({
      lineItems: [{ title: `Mug ${i}`, quantity: 1 }, { title: `Cap ${i}`, quantity: 2 }],
      fulfillments: [{ trackingCompany: "UPS", trackingNumbers: [i % 2 ? UPS : UPS_2] }],
    }));
    sim.addOrders(SHOP, 5); // unshipped: filtered out by the inner query

    const run = await gql(sim, RUN_BULK, { query: BULK_QUERY }, { version: "2025-10" });
    expect(run.json.data.bulkOperationRunQuery.userErrors).toEqual([]);
    const op = run.json.data.bulkOperationRunQuery.bulkOperation;
    expect(op).toEqual({ id: expect.stringMatching(/^gid:\/\/shopify\/BulkOperation\/\d+$/), status: "CREATED" });

    const second = await gql(sim, RUN_BULK, { query: BULK_QUERY }, { version: "2025-10" });
    expect(second.json.data.bulkOperationRunQuery).toEqual({
      bulkOperation: null,
      userErrors: [{ field: null, message: `A bulk query operation for this app and shop is already in progress: ${op.id}.`, code: "OPERATION_IN_PROGRESS" }],
    });

    const seen: Array<{ status: string; objectCount: string }> = [];
    const done = await until("COMPLETED", async () => {
      const cur = (await gql(sim, CURRENT_BULK, {}, { version: "2025-10" })).json.data.currentBulkOperation;
      seen.push({ status: cur.status, objectCount: cur.objectCount });
      return cur.status === "COMPLETED" ? cur : undefined;
    });
    const total = shipped.length * 3;
    expect(done).toMatchObject({ id: op.id, errorCode: null, objectCount: String(total), rootObjectCount: String(shipped.length) });
    expect(done.completedAt).toMatch(/Z$/);
    const counts = seen.filter((s) => s.status === "RUNNING").map((s) => Number(s.objectCount));
    expect(counts.some((n) => n > 0 && n < total)).toBe(true);
    expect(counts).toEqual([...counts].sort((x, y) => x - y));

    const download = await fetch(done.url);
    expect(download.status).toBe(200);
    const text = await download.text();
    expect(String(Buffer.byteLength(text))).toBe(done.fileSize);
    const lines = text.trimEnd().split("\n").map((l) => JSON.parse(l));
    expect(lines).toHaveLength(total);
    expect(lines[0]).toEqual({
      id: shipped[0]!.gid,
      name: shipped[0]!.name,
      fulfillments: [{ id: expect.any(String), status: "SUCCESS", trackingInfo: [{ number: UPS_2, company: "UPS" }] }],
    });
    expect(lines[1]).toEqual({ id: shipped[0]!.lineItems[0]!.gid, title: "Mug 0", quantity: 1, __parentId: shipped[0]!.gid });
    expect(Object.keys(lines[1]).at(-1)).toBe("__parentId");
    let parent: string | null = null;
    for (const line of lines) {
      if (line.__parentId === undefined) parent = line.id;
      else expect(line.__parentId).toBe(parent);
    }
    expect(lines.filter((l) => l.__parentId === undefined).map((l) => l.name)).toEqual(shipped.map((o) => o.name));

    // The result is a signed URL: tampering is refused like a storage bucket would.
    const tampered = new URL(done.url);
    tampered.searchParams.set("Expires", String(Number(tampered.searchParams.get("Expires")) + 1));
    expect((await fetch(tampered)).status).toBe(403);
    expect(sim.bulkOperations(SHOP)).toEqual([expect.objectContaining({ id: op.id, status: "COMPLETED", objectCount: String(total) })]);
  });

  it("completes an empty result with url null and objectCount 0", async () => {
    const sim = await startSim({ bulkOperationDurationMs: 50 });
    sim.addOrder(SHOP);
    const run = await gql(sim, RUN_BULK, { query: `{ orders(query: "created_at:<2001-01-01") { edges { node { id } } } }` });
    expect(run.json.data.bulkOperationRunQuery.userErrors).toEqual([]);
    const done = await until("COMPLETED", async () => {
      const cur = (await gql(sim, CURRENT_BULK)).json.data.currentBulkOperation;
      return cur.status === "COMPLETED" ? cur : undefined;
    });
    expect(done).toMatchObject({ objectCount: "0", rootObjectCount: "0", url: null, fileSize: null, errorCode: null });
  });

  it("rejects inner queries Shopify would reject, with code INVALID", async () => {
    const sim = await startSim();
    const errorsFor = async (query: string) => (await gql(sim, RUN_BULK, { query })).json.data.bulkOperationRunQuery;
    const undefinedField = await errorsFor(`{ orders { edges { node { id bogus } } } }`);
    expect(undefinedField.bulkOperation).toBeNull();
    expect(undefinedField.userErrors).toEqual([{ field: ["query"], code: "INVALID", message: "Invalid bulk query: Field 'bogus' doesn't exist on type 'Order'" }]);
    expect((await errorsFor(`{ shop { id } }`)).userErrors[0].message).toBe("Bulk queries must contain at least one connection.");
    expect((await errorsFor(`{ orders { edges { node { id fulfillments { fulfillmentLineItems { edges { node { id } } } } } } } }`)).userErrors[0].message).toBe(
      "Queries that contain a connection field within a list field are not currently supported.",
    );
    expect((await errorsFor(`{ orders { edges { node { name lineItems { edges { node { id } } } } } } }`)).userErrors[0].message).toContain(
      "must select the 'id' field",
    );
    expect((await errorsFor(`{ orders { edges { node { id `)).userErrors[0].message).toMatch(/^Invalid bulk query: Syntax Error/);
    expect(sim.bulkOperations(SHOP)).toEqual([]);
  });

  it("allows concurrent bulk queries from 2026-01 unless told to keep Shopify's older one-at-a-time limit", async () => {
    const sim = await startSim({ bulkOperationDurationMs: 1000 });
    const q = `{ orders { edges { node { id } } } }`;
    for (let i = 0; i < 5; i++) expect((await gql(sim, RUN_BULK, { query: q })).json.data.bulkOperationRunQuery.userErrors).toEqual([]);
    expect((await gql(sim, RUN_BULK, { query: q })).json.data.bulkOperationRunQuery.userErrors[0].code).toBe("LIMIT_REACHED");

    const strict = await startShopifySimulator({ apiSecretKey: SECRET, bulkQueryConcurrency: 1, bulkOperationDurationMs: 1000 });
    running.push(strict);
    strict.addShop({ domain: SHOP, accessToken: TOKEN });
    expect((await gql(strict, RUN_BULK, { query: q })).json.data.bulkOperationRunQuery.userErrors).toEqual([]);
    expect((await gql(strict, RUN_BULK, { query: q })).json.data.bulkOperationRunQuery.userErrors[0].code).toBe("OPERATION_IN_PROGRESS");
  });

  it("holdBulkDownload stops the JSONL stream at the given byte until released", async () => {
    const sim = await startSim({ bulkOperationDurationMs: 0 });
    sim.addOrders(SHOP, 600, (i) => ({ lineItems: [{ title: `Item ${i}` }, { title: `Other ${i}` }], fulfillments: [{ trackingCompany: "UPS", trackingNumbers: [UPS] }] }));
    await gql(sim, RUN_BULK, { query: BULK_QUERY });
    const done = await until("COMPLETED", async () => {
      const cur = (await gql(sim, CURRENT_BULK)).json.data.currentBulkOperation;
      return cur.status === "COMPLETED" ? cur : undefined;
    });
    const size = Number(done.fileSize);
    const afterBytes = 50_000;
    expect(size).toBeGreaterThan(afterBytes * 2);

    const hold = sim.holdBulkDownload(afterBytes);
    const res = await fetch(done.url);
    const reader = res.body!.getReader();
    let received = 0;
    while (received < afterBytes) {
      const { value, done: ended } = await reader.read();
      if (ended) throw new Error("stream ended early");
      received += value.length;
    }
    await hold.reached;
    expect(received).toBe(afterBytes);
    const pending = reader.read();
    const stalled = await Promise.race([pending.then(() => "data"), new Promise((r) => setTimeout(() => r("stalled"), 300))]);
    expect(stalled).toBe("stalled");

    hold.release();
    let total = received;
    for (let next = await pending; !next.done; next = await reader.read()) total += next.value.length;
    expect(total).toBe(size);
    expect(sim.bulkOperations(SHOP)[0]!.status).toBe("COMPLETED");
  });

  it("streams a large backfill in order without buffering surprises", async () => {
    const sim = await startSim({ bulkOperationDurationMs: 0 });
    sim.addOrders(SHOP, 5000, (i) => ({ createdAt: new Date(Date.UTC(2025, 0, 1) + i * 60_000), fulfillments: i % 2 ? [{ trackingNumbers: [`N${i}`] }] : [] }));
    await gql(sim, RUN_BULK, { query: `{ orders(query: "fulfillment_status:shipped", sortKey: CREATED_AT) { edges { node { id createdAt fulfillments { trackingInfo { number } } } } } }` });
    const done = await until("COMPLETED", async () => {
      const cur = (await gql(sim, CURRENT_BULK)).json.data.currentBulkOperation;
      return cur.status === "COMPLETED" ? cur : undefined;
    });
    expect(done.objectCount).toBe("2500");
    const lines = (await (await fetch(done.url)).text()).trimEnd().split("\n").map((l) => JSON.parse(l));
    expect(lines).toHaveLength(2500);
    expect(lines.map((l) => l.fulfillments[0].trackingInfo[0].number)).toEqual(Array.from({ length: 2500 }, (_, k) => `N${2 * k + 1}`));
  });
});

describe("webhooks", () => {
  it("delivers fulfillments/create signed with the API secret and Shopify's headers, with a REST payload", async () => {
    const receiver = await startReceiver();
    const sim = await startSim({ appUrl: receiver.url });
    const order = sim.addOrder(SHOP, { email: "ada@example.com", shippingAddress: { firstName: "Ada", lastName: "L", city: "London", zip: "SW1A 1AA", countryCode: "GB" } });
    const { fulfillment, delivery } = await sim.createFulfillment(SHOP, order.id, { trackingCompany: "UPS", trackingNumbers: [UPS, UPS_2] });

    expect(delivery).toMatchObject({ httpStatus: 200, webhookId: expect.stringMatching(UUID) });
    expect(receiver.received).toHaveLength(1);
    const got = receiver.received[0]!;
    expect(got.path).toBe("/webhooks/fulfillments/create");
    expect(got.headers["x-shopify-hmac-sha256"]).toBe(hmac(got.raw));
    expect(got.headers).toMatchObject({
      "content-type": "application/json",
      "x-shopify-topic": "fulfillments/create",
      "x-shopify-shop-domain": SHOP,
      "x-shopify-api-version": "2026-10",
      "x-shopify-webhook-id": delivery!.webhookId,
      "x-shopify-event-id": expect.stringMatching(UUID),
    });
    expect(Number.isNaN(Date.parse(String(got.headers["x-shopify-triggered-at"])))).toBe(false);

    const body = JSON.parse(got.raw.toString("utf8"));
    expect(body).toEqual(fulfillment);
    expect(body).toMatchObject({
      id: expect.any(Number),
      admin_graphql_api_id: `gid://shopify/Fulfillment/${body.id}`,
      order_id: order.id,
      name: "#1001.1",
      status: "success",
      service: "manual",
      shipment_status: null,
      origin_address: {},
      receipt: {},
      email: "ada@example.com",
      tracking_company: "UPS",
      tracking_number: UPS,
      tracking_numbers: [UPS, UPS_2],
      destination: expect.objectContaining({ first_name: "Ada", last_name: "L", city: "London", zip: "SW1A 1AA", country_code: "GB", country: "United Kingdom" }),
      line_items: [expect.objectContaining({ id: order.lineItems[0]!.id, quantity: 1, title: order.lineItems[0]!.title, product_id: expect.any(Number), variant_id: expect.any(Number) })],
    });
    expect(body.created_at).toMatch(ISO_WITH_OFFSET);
    expect(body.tracking_urls).toHaveLength(2);

    const first = await sim.updateFulfillment(SHOP, body.id, { trackingNumbers: [UPS_2] });
    const second = await sim.updateFulfillment(SHOP, body.id, { trackingNumbers: [] });
    expect(receiver.received.map((r) => r.headers["x-shopify-topic"])).toEqual(["fulfillments/create", "fulfillments/update", "fulfillments/update"]);
    expect(Date.parse(first.fulfillment.updated_at)).toBeGreaterThan(Date.parse(body.updated_at));
    expect(Date.parse(second.fulfillment.updated_at)).toBeGreaterThan(Date.parse(first.fulfillment.updated_at));
    expect(second.fulfillment).toMatchObject({ tracking_number: null, tracking_numbers: [], tracking_url: null, tracking_urls: [] });
  });

  it("retries a failed delivery with the same webhook id until it succeeds", async () => {
    const receiver = await startReceiver((_r, i) => (i < 2 ? 500 : 200));
    const sim = await startSim({ appUrl: receiver.url, webhookRetryBaseMs: 20 });
    const first = await sim.sendWebhook(SHOP, "customers/redact", { shop_domain: SHOP, customer: { id: 1 }, orders_to_redact: [] });
    expect(first.httpStatus).toBe(500);
    await until("three attempts", () => (sim.webhookDeliveries.length >= 3 ? true : undefined));
    await new Promise((r) => setTimeout(r, 150));
    expect(sim.webhookDeliveries.map((d) => [d.attempt, d.httpStatus, d.webhookId, d.topic])).toEqual([
      [1, 500, first.webhookId, "customers/redact"],
      [2, 500, first.webhookId, "customers/redact"],
      [3, 200, first.webhookId, "customers/redact"],
    ]);
    expect(receiver.received.map((r) => r.path)).toEqual(Array(3).fill("/webhooks/customers/redact"));
    expect(new Set(receiver.received.map((r) => r.headers["x-shopify-webhook-id"]))).toEqual(new Set([first.webhookId]));
    expect(new Set(receiver.received.map((r) => r.headers["x-shopify-event-id"])).size).toBe(1);
    for (const r of receiver.received) expect(r.headers["x-shopify-hmac-sha256"]).toBe(hmac(r.raw));
  });

  it("sends forged signatures, missing headers and duplicates on request, and app/uninstalled revokes the token", async () => {
    const receiver = await startReceiver((r) => (r.headers["x-shopify-hmac-sha256"] === hmac(r.raw) ? 200 : 401));
    const sim = await startSim({ appUrl: receiver.url });
    const forged = await sim.sendWebhook(SHOP, "shop/redact", { shop_domain: SHOP }, { hmacOverride: "bm90LXRoZS1obWFj", retry: false });
    expect(forged.httpStatus).toBe(401);
    await sim.sendWebhook(SHOP, "shop/redact", { shop_domain: SHOP }, { omitHeaders: ["X-Shopify-Webhook-Id"], retry: false });
    expect(receiver.received[1]!.headers["x-shopify-webhook-id"]).toBeUndefined();
    const dup = await sim.sendWebhook(SHOP, "shop/redact", { shop_domain: SHOP }, { webhookId: "same-id" });
    const dup2 = await sim.sendWebhook(SHOP, "shop/redact", { shop_domain: SHOP }, { webhookId: "same-id" });
    expect([dup.webhookId, dup2.webhookId]).toEqual(["same-id", "same-id"]);
    await new Promise((r) => setTimeout(r, 50));
    expect(sim.webhookDeliveries.filter((d) => d.webhookId === forged.webhookId)).toHaveLength(1);

    const { delivery } = await sim.uninstallApp(SHOP);
    expect(delivery?.httpStatus).toBe(200);
    const uninstalled = receiver.received.at(-1)!;
    expect(uninstalled.path).toBe("/webhooks/app/uninstalled");
    expect(JSON.parse(uninstalled.raw.toString()).myshopify_domain).toBe(SHOP);
    expect((await gql(sim, "{ shop { id } }")).status).toBe(401);
  });
});

describe("rate limiting", () => {
  it("charges a cost-based leaky bucket and answers THROTTLED with HTTP 200 when it is empty", async () => {
    const sim = await startSim({}, { rateLimit: { maximumAvailable: 50, restoreRate: 100 } });
    sim.addOrders(SHOP, 45);
    const query = `{ orders(first: 45) { edges { node { id } } } }`;
    const ok = await gql(sim, query);
    expect(ok.json.extensions.cost).toMatchObject({ requestedQueryCost: 47, actualQueryCost: 47 });
    expect(ok.json.extensions.cost.throttleStatus.currentlyAvailable).toBeLessThan(10);

    const throttled = await gql(sim, query);
    expect(throttled.status).toBe(200);
    expect(throttled.json.data).toBeUndefined();
    expect(throttled.json.errors).toEqual([{ message: "Throttled", extensions: expect.objectContaining({ code: "THROTTLED" }) }]);
    expect(throttled.json.extensions.cost).toMatchObject({ requestedQueryCost: 47, actualQueryCost: null, throttleStatus: { maximumAvailable: 50, restoreRate: 100 } });
    expect(sim.graphqlCalls.map((c) => c.throttled)).toEqual([false, true]);

    await new Promise((r) => setTimeout(r, 500));
    expect((await gql(sim, query)).json.data.orders.edges).toHaveLength(45);

    const tooBig = await gql(sim, `{ orders(first: 100) { edges { node { id } } } }`);
    expect(tooBig.json.errors[0].extensions).toMatchObject({ code: "MAX_COST_EXCEEDED", cost: 102, maxCost: 50 });
  });
});

describe("control endpoints", () => {
  it("lets another process seed a shop, create a fulfillment that sends its webhook, and read what the app wrote", async () => {
    const receiver = await startReceiver();
    const sim = await startShopifySimulator({ apiSecretKey: SECRET });
    running.push(sim);
    const post = async (path: string, body: unknown, method = "POST") => {
      const res = await fetch(`${sim.url}/__sim${path}`, { method, headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
      return { status: res.status, json: (await res.json()) as any };
    };
    expect((await post("/app-url", { url: receiver.url }, "PUT")).status).toBe(200);
    expect((await post("/shops", { domain: SHOP, accessToken: TOKEN })).status).toBe(200);
    const order = (await post(`/shops/${SHOP}/orders`, { email: "x@example.com" })).json;
    expect(order).toMatchObject({ name: "#1001", email: "x@example.com", gid: expect.stringContaining("gid://shopify/Order/") });
    const created = await post(`/shops/${SHOP}/orders/${order.id}/fulfillments`, { trackingCompany: "UPS", trackingNumbers: [UPS] });
    expect(created.json.delivery.httpStatus).toBe(200);
    expect(receiver.received[0]!.headers["x-shopify-topic"]).toBe("fulfillments/create");

    await gql(sim, EVENT_CREATE, { fulfillmentEvent: { fulfillmentId: created.json.fulfillment.admin_graphql_api_id, status: "IN_TRANSIT" } });
    const events = await (await fetch(`${sim.url}/__sim/shops/${SHOP}/fulfillment-events`)).json();
    expect(events).toEqual([expect.objectContaining({ status: "IN_TRANSIT", fulfillmentId: created.json.fulfillment.admin_graphql_api_id })]);
    const deliveries = await (await fetch(`${sim.url}/__sim/webhook-deliveries`)).json();
    expect(deliveries).toEqual([expect.objectContaining({ topic: "fulfillments/create", httpStatus: 200, attempt: 1 })]);
    expect((await post(`/shops/nope.myshopify.com/orders`, {})).status).toBe(404);
  });
});
