import { createHmac } from "node:crypto";
import { createTransport } from "nodemailer";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { adminQuery, APP_BRIDGE_URL } from "../../scripts/sandbox/admin-frame";
import { startAdminGateway, type AdminGateway } from "../../scripts/sandbox/admin-gateway";
import { startMailInbox, type MailInbox } from "../../scripts/sandbox/mail-inbox";
import { mintSessionToken } from "../../scripts/sandbox/session-token";
import { startSmtpServer, type TestSmtpServer } from "../../scripts/sandbox/smtp";
import { createTestDatabase, type TestDatabase } from "../support/database";
import { createShopWithTrackingMore } from "../support/factories";
import { startWebServer, type RunningWeb } from "../support/processes";
import { createTestServices, storeOfflineSession, TEST_API_SECRET } from "../support/services";

/**
 * The demo's way into the embedded admin (scripts/sandbox/admin-gateway.ts) in front of the real
 * built app: the admin stand-in mints real session tokens only for its own page, the app's public
 * address forwards to the app and only swaps in the App Bridge stand-in and the admin's origin in
 * `frame-ancestors`, and the app still refuses a token it did not sign. And the demo's inbox
 * escapes what it shows.
 */

const SHOP = "gateway-demo.myshopify.com";
const API_KEY = process.env.SHOPIFY_API_KEY!;
const BROWSER = { "user-agent": "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/140.0.0.0 Safari/537.36" };

let database: TestDatabase;
let gateway: AdminGateway;
let web: RunningWeb;

beforeAll(async () => {
  database = await createTestDatabase();
  const services = createTestServices(database.db);
  await createShopWithTrackingMore(services, { domain: SHOP, apiKey: "tm-gateway-demo-key" });
  await storeOfflineSession(database.db, SHOP, "shpat_gateway_demo");
  gateway = await startAdminGateway({ shop: SHOP, apiKey: API_KEY, apiSecret: TEST_API_SECRET });
  web = await startWebServer({ DATABASE_URL: database.url, SHOPIFY_APP_URL: gateway.appUrl });
  gateway.setAppTarget(web.url);
});

afterAll(async () => {
  await web?.stop();
  await gateway?.close();
  await database?.dispose();
});

function verifiedClaims(token: string): Record<string, unknown> {
  const [header, payload, signature] = token.split(".");
  expect(createHmac("sha256", TEST_API_SECRET).update(`${header}.${payload}`).digest("base64url")).toBe(signature);
  return JSON.parse(Buffer.from(payload!, "base64url").toString()) as Record<string, unknown>;
}

describe("the demo's admin stand-in", () => {
  test("the admin page frames the app at its public address with a signed query and a session token", async () => {
    const response = await fetch(gateway.adminUrl("/app/shipments"));
    expect(response.status).toBe(200);
    const html = await response.text();
    const src = /<iframe name="app-iframe"[^>]* src="([^"]+)"/.exec(html)?.[1]?.replace(/&#(\d+);/g, (_entity, code: string) => String.fromCharCode(Number(code)));
    expect(src).toBeDefined();
    const frame = new URL(src!);
    expect(frame.origin + frame.pathname).toBe(`${gateway.appUrl}/app/shipments`);
    expect(frame.searchParams.get("shop")).toBe(SHOP);
    expect(frame.searchParams.get("hmac")).toMatch(/^[0-9a-f]{64}$/);
    expect(verifiedClaims(frame.searchParams.get("id_token")!)).toMatchObject({ aud: API_KEY, dest: `https://${SHOP}` });
  });

  test("session tokens go to the admin page only", async () => {
    const own = await fetch(`${gateway.adminOrigin}/__admin/id-token`, { method: "POST", headers: { origin: gateway.adminOrigin } });
    expect(own.status).toBe(200);
    expect(verifiedClaims(await own.text())).toMatchObject({ iss: `https://${SHOP}/admin` });
    const other = await fetch(`${gateway.adminOrigin}/__admin/id-token`, { method: "POST", headers: { origin: gateway.appUrl } });
    expect(other.status).toBe(403);
    expect(await other.text()).toBe("");
  });

  test("the app's page comes through with the App Bridge stand-in and the admin's origin allowed to frame it", async () => {
    const query = adminQuery({ shop: SHOP, apiSecret: TEST_API_SECRET, idToken: mintSessionToken({ shop: SHOP, apiKey: API_KEY, apiSecret: TEST_API_SECRET }) });
    const response = await fetch(`${gateway.appUrl}/app?${query}`, { headers: BROWSER });
    expect(response.status).toBe(200);
    const html = await response.text();
    expect(html).toContain('src="/__sandbox/app-bridge.js"');
    expect(html).not.toContain(APP_BRIDGE_URL);
    const policy = response.headers.get("content-security-policy")!;
    expect(policy).toMatch(/frame-ancestors [^;]*https:\/\/admin\.shopify\.com/);
    expect(policy).toMatch(new RegExp(`frame-ancestors [^;]* ${gateway.adminOrigin.replaceAll(".", "\\.")}`));

    const bridge = await fetch(`${gateway.appUrl}/__sandbox/app-bridge.js`);
    expect(bridge.headers.get("content-type")).toMatch(/^text\/javascript/);
    expect(await bridge.text()).toContain(JSON.stringify({ adminOrigin: gateway.adminOrigin }));
  });

  test("the app still refuses a session token it did not sign", async () => {
    const forged = mintSessionToken({ shop: SHOP, apiKey: API_KEY, apiSecret: "not-the-app-secret" });
    const response = await fetch(`${gateway.appUrl}/app?${adminQuery({ shop: SHOP, apiSecret: TEST_API_SECRET, idToken: forged })}`, { headers: BROWSER, redirect: "manual" });
    expect(response.status).not.toBe(200);
    expect(await response.text()).not.toContain("/__sandbox/app-bridge.js");
  });
});

describe("the demo's inbox", () => {
  let smtp: TestSmtpServer;
  let inbox: MailInbox;
  beforeAll(async () => {
    smtp = await startSmtpServer();
    inbox = await startMailInbox(smtp.messages);
    const transport = createTransport({ url: smtp.url } as Parameters<typeof createTransport>[0]);
    await transport.sendMail({
      from: "shop@example.com",
      to: "customer1@example.com",
      subject: "<script>alert(1)</script> Out for delivery",
      html: "<p>Hello <b>Ada</b></p><script>alert(2)</script>",
      text: "Hello <Ada>",
    });
    transport.close();
  });
  afterAll(async () => {
    await inbox?.close();
    await smtp?.stop();
  });

  test("lists and shows each message escaped, and serves its HTML part with scripts forbidden", async () => {
    const list = await (await fetch(inbox.url)).text();
    expect(list).toContain("&#60;script&#62;alert(1)&#60;/script&#62; Out for delivery");
    expect(list).not.toContain("<script>alert(1)");
    const message = await (await fetch(`${inbox.url}/messages/0`)).text();
    expect(message).toContain("Hello &#60;Ada&#62;");
    expect(message).toContain('<iframe sandbox title="HTML part" src="/messages/0/html">');
    const html = await fetch(`${inbox.url}/messages/0/html`);
    expect(html.headers.get("content-security-policy")).toMatch(/default-src 'none'.*sandbox/);
    expect(await html.text()).toContain("<p>Hello <b>Ada</b></p>");
    expect((await fetch(`${inbox.url}/messages/7`)).status).toBe(404);
  });
});
