import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTrackingMoreSimulator, type TrackingMoreSimulator, type TrackingMoreSimulatorOptions } from "../../simulators/trackingmore";
import { startTracktrySimulator, type TracktrySimulator, type TracktrySimulatorOptions } from "../../simulators/tracktry";
import { startUpsSimulator, type UpsSimulator, type UpsSimulatorOptions } from "../../simulators/ups";
import type { ServiceContext } from "~/services/context.server";
import { loadProviderAccount } from "~/services/provider-accounts.server";
import { connectionProblemMessage, saveProviderConnection, testProviderConnection, trackingMoreWebhookUrl } from "~/services/provider-connection.server";
import { ensureShop } from "~/services/shops.server";
import { createTestDatabase, type TestDatabase } from "../support/database";
import { createTestServices } from "../support/services";

/**
 * "Test connection" and saving credentials against the real simulators: one real call each,
 * and every answer a merchant can act on turned into words.
 */

interface World {
  trackingMore: TrackingMoreSimulator;
  tracktry: TracktrySimulator;
  ups: UpsSimulator;
  services: ServiceContext;
}

let database: TestDatabase;
const worlds: World[] = [];
let world: World;
let limited: World;
let keyCounter = 0;

async function startWorld(options: { trackingMore?: TrackingMoreSimulatorOptions; tracktry?: TracktrySimulatorOptions; ups?: UpsSimulatorOptions } = {}): Promise<World> {
  const trackingMore = await startTrackingMoreSimulator(options.trackingMore);
  const tracktry = await startTracktrySimulator(options.tracktry);
  const ups = await startUpsSimulator({ environment: "production", ...options.ups });
  const services = createTestServices(database.db, { trackingMoreBaseUrl: trackingMore.url, tracktryBaseUrl: tracktry.url, upsBaseUrl: ups.url });
  const started = { trackingMore, tracktry, ups, services };
  worlds.push(started);
  return started;
}

beforeAll(async () => {
  database = await createTestDatabase();
  world = await startWorld();
  // Limits of 0 make every call a 429: the simulators' own rate limiting, not an injected fault.
  limited = await startWorld({ trackingMore: { rateLimits: { v4Other: 0, v2: 0 } }, tracktry: { rateLimits: { perKey: 0 } }, ups: { rateLimitPerSecond: 0 } });
});

afterAll(async () => {
  for (const started of worlds) {
    await started.trackingMore.close();
    await started.tracktry.close();
    await started.ups.close();
  }
  await database.dispose();
});

function key(prefix: string): string {
  return `${prefix}-key-${++keyCounter}-abcdefgh`;
}

async function newShop(services: ServiceContext) {
  return ensureShop(services, `connection-${++keyCounter}.myshopify.com`);
}

type Family = { name: string; input: (apiKey: string) => Record<string, unknown>; add: (w: World, apiKey: string) => void; calls: (w: World) => number; quotaFault: (w: World) => void };

const FAMILIES: Family[] = [
  {
    name: "TrackingMore v4",
    input: (apiKey) => ({ provider: "trackingmore", apiVersion: "v4", apiKey }),
    add: (w, apiKey) => w.trackingMore.addAccount({ apiKey }),
    calls: (w) => w.trackingMore.calls.length,
    quotaFault: (w) => w.trackingMore.injectFaults(1, { kind: "http", httpStatus: 400, metaCode: 4190 }),
  },
  {
    name: "TrackingMore v2",
    input: (apiKey) => ({ provider: "trackingmore", apiVersion: "v2", apiKey }),
    add: (w, apiKey) => w.trackingMore.addAccount({ apiKey }),
    calls: (w) => w.trackingMore.calls.length,
    quotaFault: (w) => w.trackingMore.injectFaults(1, { kind: "http", httpStatus: 200, metaCode: 4021 }),
  },
  {
    name: "Tracktry",
    input: (apiKey) => ({ provider: "tracktry", apiKey }),
    add: (w, apiKey) => w.tracktry.addAccount({ apiKey }),
    calls: (w) => w.tracktry.calls.length,
    quotaFault: (w) => w.tracktry.injectFaults(1, { kind: "http", httpStatus: 200, metaCode: 4019 }),
  },
];

describe.each(FAMILIES)("test connection: $name", (family) => {
  it("accepts a working key with exactly one call", async () => {
    const shop = await newShop(world.services);
    const apiKey = key("ok");
    family.add(world, apiKey);
    const before = family.calls(world);
    const result = await testProviderConnection(world.services, shop.domain, family.input(apiKey));
    expect(result).toMatchObject({ ok: true });
    expect(family.calls(world) - before).toBe(1);
    // Testing saves nothing.
    expect(await world.services.db.prisma.providerAccount.count({ where: { shopId: shop.id } })).toBe(0);
  });

  it("says the key was refused, and what to do", async () => {
    const shop = await newShop(world.services);
    const result = await testProviderConnection(world.services, shop.domain, family.input(key("unknown")));
    expect(result).toMatchObject({ ok: false, problem: "bad_credentials" });
    expect(result.message).toMatch(/refused these credentials\. Copy them again/);
  });

  it("says the quota is used up when the provider answers with its quota code", async () => {
    const shop = await newShop(world.services);
    const apiKey = key("quota");
    family.add(world, apiKey);
    family.quotaFault(world);
    const result = await testProviderConnection(world.services, shop.domain, family.input(apiKey));
    expect(result).toMatchObject({ ok: false, problem: "quota_exhausted" });
    expect(result.message).toMatch(/no tracking quota left\. Top up or upgrade your plan/);
  });

  it("says the provider is rate limiting, from the simulator's own 429", async () => {
    const shop = await newShop(limited.services);
    const apiKey = key("limited");
    family.add(limited, apiKey);
    const result = await testProviderConnection(limited.services, shop.domain, family.input(apiKey));
    expect(result).toMatchObject({ ok: false, problem: "rate_limited" });
    expect(result.message).toMatch(/asked us to slow down\. Wait a few minutes/);
  });

  it("says the provider cannot be reached", async () => {
    const unreachable = createTestServices(database.db);
    const shop = await newShop(unreachable);
    const result = await testProviderConnection(unreachable, shop.domain, family.input(key("nowhere")));
    expect(result).toMatchObject({ ok: false, problem: "unreachable" });
    expect(result.message).toMatch(/could not reach/);
  });
});

describe("test connection: UPS", () => {
  function upsClient() {
    const clientId = `ups-client-${++keyCounter}`;
    const clientSecret = `ups-secret-${keyCounter}-0123456789`;
    return { clientId, clientSecret };
  }

  it("obtains one OAuth token with working credentials, in either environment", async () => {
    const shop = await newShop(world.services);
    const client = upsClient();
    world.ups.addClient(client);
    for (const environment of ["production", "cie"] as const) {
      const before = world.ups.clients().find((c) => c.clientId === client.clientId)?.tokensIssued ?? 0;
      const result = await testProviderConnection(world.services, shop.domain, { provider: "ups", environment, ...client });
      expect(result).toMatchObject({ ok: true, provider: "ups" });
      expect(world.ups.clients().find((c) => c.clientId === client.clientId)?.tokensIssued).toBe(before + 1);
    }
  });

  it("says UPS refused the client id and secret", async () => {
    const shop = await newShop(world.services);
    const client = upsClient();
    world.ups.addClient(client);
    const result = await testProviderConnection(world.services, shop.domain, { provider: "ups", clientId: client.clientId, clientSecret: "wrong-secret-0123456789" });
    expect(result).toMatchObject({ ok: false, problem: "bad_credentials" });
    expect(result.message).toMatch(/UPS refused this client ID and secret\. Copy both again from your app on developer\.ups\.com/);
  });

  it("says UPS is limiting requests (its 429 'Quota Limit Exceeded' is a rate limit, UPS has no tracking quota)", async () => {
    const shop = await newShop(limited.services);
    const client = upsClient();
    limited.ups.addClient(client);
    const result = await testProviderConnection(limited.services, shop.domain, { provider: "ups", ...client });
    expect(result).toMatchObject({ ok: false, problem: "rate_limited" });
  });

  it("says UPS cannot be reached when its token endpoint fails", async () => {
    const shop = await newShop(world.services);
    const client = upsClient();
    world.ups.addClient(client);
    world.ups.injectFaults(1, { kind: "http", httpStatus: 500, code: "10004", api: "oauth" });
    const result = await testProviderConnection(world.services, shop.domain, { provider: "ups", ...client });
    expect(result).toMatchObject({ ok: false, problem: "unreachable" });
  });
});

describe("test connection with the saved credentials", () => {
  it("uses the stored key when the form leaves it blank", async () => {
    const shop = await newShop(world.services);
    const apiKey = key("saved");
    world.trackingMore.addAccount({ apiKey });
    expect(await saveProviderConnection(world.services, shop.domain, { provider: "trackingmore", apiVersion: "v4", apiKey })).toMatchObject({ saved: true });
    const result = await testProviderConnection(world.services, shop.domain, { provider: "trackingmore", apiVersion: "v4", apiKey: "  " });
    expect(result).toMatchObject({ ok: true });
    // The key was deleted at TrackingMore since: the stored key is what is tested.
    world.trackingMore.deleteKey(apiKey);
    expect(await testProviderConnection(world.services, shop.domain, { provider: "trackingmore", apiVersion: "v4" })).toMatchObject({ ok: false, problem: "bad_credentials" });
  });

  it("asks for a key when none is typed and none is stored, without calling the provider", async () => {
    const shop = await newShop(world.services);
    const before = world.tracktry.calls.length;
    const result = await testProviderConnection(world.services, shop.domain, { provider: "tracktry", apiKey: "" });
    expect(result).toMatchObject({ ok: false, problem: "invalid_input", fieldErrors: { apiKey: "Enter your Tracktry API key." } });
    expect(world.tracktry.calls.length).toBe(before);
  });
});

describe("saving credentials", () => {
  it("refuses a key the provider refuses and keeps the working one", async () => {
    const shop = await newShop(world.services);
    const good = key("good");
    world.trackingMore.addAccount({ apiKey: good });
    await saveProviderConnection(world.services, shop.domain, { provider: "trackingmore", apiVersion: "v4", apiKey: good, webhookSecret: "whsec-kept-0001" });
    const result = await saveProviderConnection(world.services, shop.domain, { provider: "trackingmore", apiVersion: "v4", apiKey: key("typo") });
    expect(result).toMatchObject({ saved: false, fieldErrors: { apiKey: expect.stringMatching(/refused these credentials/) } });
    const account = await loadProviderAccount(world.services, shop.id, "trackingmore");
    expect(account?.credentials).toMatchObject({ apiKey: good, webhookSecret: "whsec-kept-0001" });
  });

  it("keeps every stored secret when the fields are blank, and replaces only what is typed", async () => {
    const shop = await newShop(world.services);
    const apiKey = key("keep");
    world.trackingMore.addAccount({ apiKey });
    await saveProviderConnection(world.services, shop.domain, {
      provider: "trackingmore",
      apiVersion: "v4",
      apiKey,
      webhookSecret: "whsec-original-42",
      accountEmail: "ops@linen.example",
    });
    // Switch to v2 with every secret field left blank.
    expect(await saveProviderConnection(world.services, shop.domain, { provider: "trackingmore", apiVersion: "v2", apiKey: "", webhookSecret: "", accountEmail: "" })).toMatchObject({
      saved: true,
      warning: null,
    });
    let account = await loadProviderAccount(world.services, shop.id, "trackingmore");
    expect(account).toMatchObject({ apiVersion: "v2", credentials: { apiKey, webhookSecret: "whsec-original-42", accountEmail: "ops@linen.example" } });
    await saveProviderConnection(world.services, shop.domain, { provider: "trackingmore", apiVersion: "v2", webhookSecret: "whsec-rotated-43" });
    account = await loadProviderAccount(world.services, shop.id, "trackingmore");
    expect(account?.credentials).toEqual({ apiKey, webhookSecret: "whsec-rotated-43", accountEmail: "ops@linen.example" });
  });

  it("keeps the UPS client secret and the event credential when only the environment changes", async () => {
    const shop = await newShop(world.services);
    const client = { clientId: `ups-keep-${++keyCounter}`, clientSecret: `ups-keep-secret-${keyCounter}-0123` };
    world.ups.addClient(client);
    await saveProviderConnection(world.services, shop.domain, { provider: "ups", environment: "production", ...client });
    const first = await loadProviderAccount(world.services, shop.id, "ups");
    expect(await saveProviderConnection(world.services, shop.domain, { provider: "ups", environment: "cie", clientId: "", clientSecret: "" })).toMatchObject({ saved: true });
    const second = await loadProviderAccount(world.services, shop.id, "ups");
    expect(second).toMatchObject({ environment: "cie", credentials: { ...client, webhookCredential: first?.provider === "ups" ? first.credentials.webhookCredential : "missing" } });
  });

  it("saves with a warning when the provider cannot check the key right now, and clears a block", async () => {
    const shop = await newShop(limited.services);
    const apiKey = key("busy");
    limited.tracktry.addAccount({ apiKey });
    const result = await saveProviderConnection(limited.services, shop.domain, { provider: "tracktry", apiKey });
    expect(result).toMatchObject({ saved: true, warning: expect.stringMatching(/^Saved, but we could not check the credentials: Tracktry asked us to slow down/) });
    expect(await loadProviderAccount(limited.services, shop.id, "tracktry")).toMatchObject({ credentials: { apiKey }, blockedReason: null });
  });

  it("explains short keys in words before calling anyone", async () => {
    const shop = await newShop(world.services);
    const result = await saveProviderConnection(world.services, shop.domain, { provider: "ups", clientId: "short", clientSecret: "" });
    expect(result).toEqual({
      saved: false,
      provider: "ups",
      message: "This client ID looks too short. Copy it from your app on developer.ups.com.",
      fieldErrors: {
        clientId: "This client ID looks too short. Copy it from your app on developer.ups.com.",
        clientSecret: "Enter the client secret of your UPS app.",
      },
    });
  });

  it("changes only the session's own shop", async () => {
    const mine = await newShop(world.services);
    const theirs = await newShop(world.services);
    const theirKey = key("theirs");
    world.trackingMore.addAccount({ apiKey: theirKey });
    await saveProviderConnection(world.services, theirs.domain, { provider: "trackingmore", apiVersion: "v4", apiKey: theirKey });
    const myKey = key("mine");
    world.trackingMore.addAccount({ apiKey: myKey });
    await saveProviderConnection(world.services, mine.domain, { provider: "trackingmore", apiVersion: "v2", apiKey: myKey });
    expect(await loadProviderAccount(world.services, theirs.id, "trackingmore")).toMatchObject({ apiVersion: "v4", credentials: { apiKey: theirKey } });
    // A blank key on my shop never borrows another shop's stored key.
    const fresh = await newShop(world.services);
    expect(await testProviderConnection(world.services, fresh.domain, { provider: "trackingmore" })).toMatchObject({ ok: false, problem: "invalid_input" });
  });
});

describe("merchant texts", () => {
  it("shows the TrackingMore webhook address of the shop", async () => {
    const shop = await newShop(world.services);
    expect(trackingMoreWebhookUrl(world.services, shop.webhookToken)).toBe(`https://tracklight.test/webhooks/trackingmore/${shop.webhookToken}`);
  });

  it("names the provider in every problem", () => {
    expect(connectionProblemMessage("tracktry", "quota_exhausted")).toBe(
      "Your Tracktry account has no tracking quota left. Top up or upgrade your plan with Tracktry, then save your settings here again; tracking resumes by itself.",
    );
  });
});
