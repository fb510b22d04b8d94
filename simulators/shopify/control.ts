import type { IncomingMessage, ServerResponse } from "node:http";
import { readBody, sendJson } from "../lib/http-server";
import type { SimCore } from "./core";
import type { ShopifySimulator } from "./index";
import type { SimOrderInput } from "./model";

/**
 * `/__sim/…`: JSON endpoints that let a process other than the one that started the simulator (the
 * offline demo) drive it. They map one to one onto the in-process API. Loopback only, no auth.
 *
 *   GET  /__sim/health
 *   PUT  /__sim/app-url                                  {url}
 *   GET  /__sim/shops
 *   POST /__sim/shops                                    {domain, accessToken, name?, email?, ianaTimezone?, currencyCode?, readAllOrders?, rateLimit?, accessScopes?}
 *   POST /__sim/shops/:domain/uninstall                  {silent?}
 *   POST /__sim/shops/:domain/orders                     SimOrderInput | SimOrderInput[] | {count, template?}
 *   GET  /__sim/shops/:domain/orders/:orderId
 *   POST /__sim/shops/:domain/orders/:orderId/fulfillments   {trackingCompany?, trackingNumbers?, trackingUrls?, lineItems?, status?, createdAt?, silent?}
 *   POST /__sim/shops/:domain/fulfillments/:id           (PATCH too) {trackingCompany?, trackingNumbers?, trackingUrls?, status?, silent?}
 *   GET  /__sim/shops/:domain/fulfillments/:id
 *   POST /__sim/shops/:domain/webhooks                   {topic, payload, webhookId?, path?, hmacOverride?, omitHeaders?, retry?}
 *   GET  /__sim/shops/:domain/fulfillment-events
 *   GET  /__sim/shops/:domain/bulk-operations
 *   GET  /__sim/webhook-deliveries
 *   GET  /__sim/graphql-calls
 */

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

async function json(req: IncomingMessage): Promise<Record<string, unknown>> {
  const raw = (await readBody(req)).toString("utf8");
  if (!raw.trim()) return {};
  try {
    const value = JSON.parse(raw) as unknown;
    if (value && typeof value === "object") return value as Record<string, unknown>;
  } catch {
    // fall through
  }
  throw new HttpError(400, "body must be a JSON object or array");
}

export async function handleControl(sim: ShopifySimulator, core: SimCore, req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
  const parts = url.pathname.split("/").filter(Boolean).slice(1).map(decodeURIComponent);
  const method = req.method ?? "GET";
  try {
    const result = await dispatch(sim, core, req, method, parts);
    if (result === undefined) throw new HttpError(404, `no control endpoint ${method} ${url.pathname}`);
    sendJson(res, 200, result);
  } catch (e) {
    const status = e instanceof HttpError ? e.status : 400;
    sendJson(res, status, { error: e instanceof Error ? e.message : String(e) });
  }
}

async function dispatch(sim: ShopifySimulator, core: SimCore, req: IncomingMessage, method: string, p: string[]): Promise<unknown> {
  const [a, domain, b, id, c] = p;
  if (a === "health" && method === "GET") return { ok: true, url: core.baseUrl, shops: [...core.shops.keys()] };
  if (a === "app-url" && (method === "PUT" || method === "POST")) {
    const body = await json(req);
    sim.setAppUrl(typeof body.url === "string" ? body.url : null);
    return { appUrl: core.options.appUrl };
  }
  if (a === "webhook-deliveries" && method === "GET") return sim.webhookDeliveries;
  if (a === "graphql-calls" && method === "GET") return sim.graphqlCalls;
  if (a !== "shops") return undefined;

  if (domain === undefined) {
    if (method === "GET") {
      return [...core.shops.values()].map((s) => ({ domain: s.domain, name: s.name, orders: s.orders.length, uninstalled: s.tokenRevoked }));
    }
    if (method === "POST") {
      const body = await json(req);
      sim.addShop(body as never);
      return { domain: String(body.domain).toLowerCase() };
    }
    return undefined;
  }
  if (!core.shops.has(domain.toLowerCase())) throw new HttpError(404, `unknown shop ${domain}`);

  if (b === "uninstall" && method === "POST") {
    const body = await json(req);
    return sim.uninstallApp(domain, { silent: body.silent === true });
  }
  if (b === "orders" && id === undefined && method === "POST") {
    const body = await json(req);
    if (Array.isArray(body)) return (body as SimOrderInput[]).map((o) => sim.addOrder(domain, o));
    if (typeof body.count === "number") {
      const template = (body.template ?? {}) as SimOrderInput;
      return sim.addOrders(domain, body.count, () => template);
    }
    return sim.addOrder(domain, body as SimOrderInput);
  }
  if (b === "orders" && id !== undefined && c === undefined && method === "GET") {
    const order = sim.getOrder(domain, id);
    if (!order) throw new HttpError(404, `unknown order ${id}`);
    return order;
  }
  if (b === "orders" && id !== undefined && c === "fulfillments" && method === "POST") {
    const { silent, ...f } = await json(req);
    return sim.createFulfillment(domain, id, f, { silent: silent === true });
  }
  if (b === "fulfillments" && id !== undefined && (method === "POST" || method === "PATCH")) {
    const { silent, ...patch } = await json(req);
    return sim.updateFulfillment(domain, id, patch, { silent: silent === true });
  }
  if (b === "fulfillments" && id !== undefined && method === "GET") {
    const f = sim.getFulfillment(domain, id);
    if (!f) throw new HttpError(404, `unknown fulfillment ${id}`);
    return f;
  }
  if (b === "webhooks" && method === "POST") {
    const { topic, payload, ...opts } = await json(req);
    if (typeof topic !== "string") throw new HttpError(400, "topic is required");
    return sim.sendWebhook(domain, topic, payload ?? {}, opts);
  }
  if (b === "fulfillment-events" && method === "GET") return sim.fulfillmentEvents(domain);
  if (b === "bulk-operations" && method === "GET") return sim.bulkOperations(domain);
  return undefined;
}
