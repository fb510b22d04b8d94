import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "~/db/database.server";
import { accountFromRow, connectProvider } from "~/services/provider-accounts.server";
import { ensureShop } from "~/services/shops.server";
import { unsubscribeToken } from "~/services/unsubscribe-links.server";
import { createTestDatabase, testDialect, type TestDatabase } from "../support/database";
import { createShopWithTrackingMore, upsNumber } from "../support/factories";
import { startWebServer, type RunningWeb } from "../support/processes";
import { createTestServices, TEST_API_SECRET } from "../support/services";
import { badInputCorpus, type CorpusEntry, type CorpusRequest, type CorpusWorld } from "./bad-input-corpus";
import { ingestParcels } from "./support";

/**
 * The bad-input corpus (bad-input-corpus.ts) against the built production server: every request
 * gets the status its route is designed to give, and no table changes (every row of every table
 * is fingerprinted before and after; a replay is compared with the state its original left).
 */

const WEBHOOK_SECRET = "whsec-bad-input-0123456789";
const EXHAUSTED_CLIENT = "198.51.100.77";
const LOOKUPS_PER_CLIENT = 3;

let database: TestDatabase;
let web: RunningWeb;
let corpus: CorpusEntry[] = [];

/** Every table's rows, hashed: any insert, update or delete shows. */
async function fingerprint(db: Database): Promise<Record<string, string>> {
  const tables =
    db.dialect === "sqlite"
      ? await db.prisma.$queryRawUnsafe<Array<{ name: string }>>("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
      : await db.prisma.$queryRawUnsafe<Array<{ name: string }>>("SELECT table_name AS name FROM information_schema.tables WHERE table_schema = current_schema()");
  const result: Record<string, string> = {};
  for (const { name } of tables) {
    const rows = await db.prisma.$queryRawUnsafe<unknown[]>(`SELECT * FROM "${name}"`);
    const canonical = rows.map((row) => JSON.stringify(row, (_key, value) => (typeof value === "bigint" ? value.toString() : value))).sort();
    result[name] = `${rows.length} rows ${createHash("sha256").update(canonical.join("\n")).digest("hex").slice(0, 16)}`;
  }
  return result;
}

function send(request: CorpusRequest): Promise<Response> {
  return fetch(`${web.url}${request.path}`, {
    method: request.method,
    headers: request.headers,
    ...(request.body !== undefined ? { body: request.body } : {}),
    redirect: "manual",
  });
}

beforeAll(async () => {
  database = await createTestDatabase();
  const services = createTestServices(database.db);
  const tmShop = await createShopWithTrackingMore(services, { domain: "bad-input-tm.myshopify.com", apiKey: "tm-bad-input-key-abcdefgh", webhookSecret: WEBHOOK_SECRET });
  const tmNumber = upsNumber(920_001);
  await ingestParcels(services, tmShop, [tmNumber], "badtm");
  const upsShop = await ensureShop(services, "bad-input-ups.myshopify.com");
  await connectProvider(services, upsShop.id, { provider: "ups", credentials: { clientId: "ups-bad-input-client", clientSecret: "ups-bad-input-secret-0123" } });
  const upsNumberTracked = upsNumber(920_002);
  await ingestParcels(services, upsShop, [upsNumberTracked], "badups");
  const upsAccount = accountFromRow(services, await database.db.prisma.providerAccount.findUniqueOrThrow({ where: { shopId_provider: { shopId: upsShop.id, provider: "ups" } } }));
  if (upsAccount.provider !== "ups") throw new Error("expected the UPS account");
  // Registered at the providers already: pushes for these numbers are accepted.
  await database.db.prisma.shipment.updateMany({ data: { registrationState: "registered", registeredAt: new Date() } });
  const order = await database.db.prisma.order.findFirstOrThrow({ where: { shopId: tmShop.id } });

  web = await startWebServer({
    DATABASE_URL: database.url,
    STOREFRONT_LOOKUPS_PER_CLIENT: String(LOOKUPS_PER_CLIENT),
    STOREFRONT_LOOKUP_WINDOW_SECONDS: String(24 * 3600),
  });
  const world: CorpusWorld = {
    webUrl: web.url,
    trackingMoreShop: { domain: tmShop.domain, webhookToken: tmShop.webhookToken, webhookSecret: WEBHOOK_SECRET, trackingNumber: tmNumber },
    upsShop: { domain: upsShop.domain, webhookToken: upsShop.webhookToken, credential: upsAccount.credentials.webhookCredential, trackingNumber: upsNumberTracked },
    unsubscribeToken: unsubscribeToken(TEST_API_SECRET, tmShop.domain, order.id, order.email!),
    exhaustedClient: EXHAUSTED_CLIENT,
  };
  corpus = badInputCorpus(world);
  // Spend the exhausted client's budget with genuine lookups.
  const lookup = corpus.find((entry) => entry.expectedStatus === 429)!.request;
  for (let i = 0; i < LOOKUPS_PER_CLIENT; i++) expect((await send(lookup)).status).toBe(200);
}, 120_000);

afterAll(async () => {
  await web?.stop();
  await database?.dispose();
});

describe(`bad input at every public endpoint (${testDialect()})`, () => {
  it("covers every public endpoint with malformed, oversized, wrongly signed and replayed requests", () => {
    const endpoints = new Set(corpus.map((entry) => entry.endpoint));
    for (const expected of [
      "POST /webhooks/fulfillments/create",
      "POST /webhooks/fulfillments/update",
      "POST /webhooks/app/uninstalled",
      "POST /webhooks/customers/data_request",
      "POST /webhooks/customers/redact",
      "POST /webhooks/shop/redact",
      "POST /webhooks/trackingmore/<token>",
      "POST /webhooks/ups/<token>",
      "GET /proxy",
      "GET /proxy/api/track",
      "GET /proxy/fragment",
      "GET /proxy/assets/tracking-page.css",
      "/email/unsubscribe/<token>",
    ]) {
      expect(endpoints, expected).toContain(expected);
    }
    const statuses = new Set(corpus.map((entry) => entry.expectedStatus));
    for (const status of [400, 401, 404, 405, 413, 422, 429]) expect(statuses, String(status)).toContain(status);
    expect(corpus.filter((entry) => entry.original).length).toBeGreaterThanOrEqual(7);
  });

  it("refuses each one with its designed status and changes nothing", async () => {
    const failures: string[] = [];
    for (const entry of corpus) {
      const label = `${entry.endpoint}: ${entry.name}`;
      if (entry.original) {
        const first = await send(entry.original);
        await first.arrayBuffer();
        if (first.status !== 200) failures.push(`${label}: the original answered ${first.status}`);
      }
      const before = await fingerprint(database.db);
      const response = await send(entry.request);
      const body = await response.text();
      const after = await fingerprint(database.db);
      if (response.status !== entry.expectedStatus) {
        failures.push(`${label}: ${response.status} instead of ${entry.expectedStatus} (${body.slice(0, 120)})`);
      }
      // Provider webhooks say what they did with a replay; Shopify's acknowledgement is an empty 200.
      if (entry.original && body !== "" && !/DUPLICATE/.test(body)) failures.push(`${label}: the replay was not recognised (${body.slice(0, 120)})`);
      const changed = Object.keys(after).filter((table) => after[table] !== before[table] && !entry.mayChange?.includes(table));
      if (changed.length > 0) failures.push(`${label}: changed ${changed.join(", ")}`);
    }
    process.stdout.write(`[reliability] bad input: ${corpus.length} requests at ${new Set(corpus.map((entry) => entry.endpoint)).size} endpoints\n`);
    expect(failures).toEqual([]);
  }, 120_000);
});
