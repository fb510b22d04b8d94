import { mkdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { createServer } from "node:net";
import { resolve } from "node:path";
import { expect } from "vitest";
import { chromium, type Browser, type BrowserContext, type Frame, type FrameLocator, type Page, type Request } from "playwright-core";
import { CHROMIUM_ARGS, chromiumPath } from "../../scripts/chromium.mjs";
import { ADMIN_ORIGIN, adminPageHtml, adminQuery, APP_BRIDGE_URL, APP_FRAME_NAME, appBridgeStandInScript } from "../../scripts/sandbox/admin-frame";
import { startWebServer, type AppEnvironment, type RunningWeb } from "./processes";
import { TEST_API_SECRET } from "./services";
import { mintSessionToken } from "../../scripts/sandbox/session-token";

/**
 * Browser tests: the built app (`server/web.mjs`) on loopback, real Chromium (Debian's package,
 * driven by playwright-core), and a stand-in for the Shopify admin around it (admin-frame.ts).
 * The app authenticates exactly as in production: an offline session stored for the shop, and
 * ID tokens (session tokens) signed with the app secret, which only the admin stand-in mints.
 *
 * Writing one (test/browser/<page>.test.ts, project "browser", SQLite; `npm test` builds first):
 *
 *   beforeAll: database = await createTestDatabase();
 *              seed through the real services (createTestServices, createShopWithTrackingMore, …)
 *              await storeOfflineSession(database.db, SHOP, "shpat_…");     // "installed"
 *              harness = await startBrowserHarness({ env: { DATABASE_URL: database.url, TRACKINGMORE_API_BASE_URL: sim.url } });
 *   test:      admin = await harness.openAdmin({ shop: SHOP, path: "/app/settings" });
 *              await admin.waitForAppPage("/app/settings");                  // loaded and hydrated
 *              await admin.app.getByLabel("API key").fill("…");              // admin.app: FrameLocator
 *              await admin.saveBar.save();                                   // the admin's save bar
 *              await expect.poll(() => admin!.toasts().map((t) => t.message)).toContain("Saved");
 *              await admin.navigate("Shipments");                            // admin sidebar → ui-nav-menu
 *              expect(admin.browserErrors).toEqual([]); expect(admin.blockedRequests).toEqual([]);
 *              await admin.screenshot("settings");                           // test/artifacts/settings.png
 *   afterEach: await admin?.close();   afterAll: await harness.close(); await database.dispose();
 *
 * `admin.requests` lists what the browser asked the app (path, Authorization, status);
 * `admin.events` everything App Bridge told the admin; `openAdmin({ tokenSecret })` makes the
 * admin sign with another secret (negative tests); `idTokenInUrl: false` exercises the bounce page.
 */

export const ARTIFACTS_DIR = resolve("test/artifacts");
export const DESKTOP_VIEWPORT = { width: 1440, height: 900 } as const;

export interface BrowserHarness {
  /** The app's own origin (`http://127.0.0.1:<port>`), also its SHOPIFY_APP_URL. */
  appUrl: string;
  web: RunningWeb;
  browser: Browser;
  openAdmin(options: OpenAdminOptions): Promise<AdminSession>;
  close(): Promise<void>;
}

export interface OpenAdminOptions {
  shop: string;
  /** The app path the admin opens (what follows `/apps/<api key>` in the admin URL). Default `/app`. */
  path?: string;
  /** The secret the admin signs ID tokens with. Default: the app's (test) secret. */
  tokenSecret?: string;
  /** The audience of the ID tokens. Default: the app's API key. */
  tokenAudience?: string;
  /** Put `id_token` in the iframe URL as admin does. Default true. */
  idTokenInUrl?: boolean;
  viewport?: { width: number; height: number };
  /** Bounce-page reloads served before the stand-in stops answering (guards reload loops). Default 3. */
  bounceLimit?: number;
}

export interface RecordedRequest {
  method: string;
  /** Path and query on the app origin. */
  path: string;
  /** `Authorization` header as sent, or null. */
  authorization: string | null;
  /** Playwright's resource type: "document" for page loads, "fetch" for fetch(), "script", "stylesheet", … */
  resourceType: string;
  status: number | null;
}

export interface AdminEvent {
  action: string;
  payload: unknown;
}

export interface ToastRecord {
  id: string;
  message: string;
  isError: boolean;
  duration: number;
  action: string | null;
}

export interface AdminSession {
  page: Page;
  context: BrowserContext;
  /** The embedded app, for locators: `admin.app.getByRole(...)`. */
  app: FrameLocator;
  /** The embedded app's frame (for `evaluate`, `url()`, `waitForFunction`). */
  appFrame(): Promise<Frame>;
  /** Waits until the app frame shows a page at `path` (pathname) and React has hydrated it. */
  waitForAppPage(path?: string, timeoutMs?: number): Promise<Frame>;
  /** Everything App Bridge told the admin, in order. */
  events: AdminEvent[];
  toasts(): ToastRecord[];
  /** Requests the browser made to the app's origin (redirects included), in order; `status` once answered. */
  requests: RecordedRequest[];
  /** Requests to anywhere but the app and the two stand-ins (they fail: the tests are offline). */
  blockedRequests: string[];
  /** console.error messages and uncaught exceptions from any frame. */
  browserErrors: string[];
  /** ID tokens minted for this session. */
  tokensMinted(): number;
  /** Clicks an item of the app's navigation in the admin sidebar (the app's `ui-nav-menu`). */
  navigate(label: string): Promise<void>;
  /** Clicks Save / Discard on the admin's contextual save bar. */
  saveBar: { isVisible(): Promise<boolean>; save(): Promise<void>; discard(): Promise<void> };
  /** Saves a PNG of the whole admin page to test/artifacts/<name>.png and returns its path. */
  screenshot(name: string): Promise<string>;
  close(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });
}

/** Chromium's own user agent string without the "Headless" marker. */
export function desktopUserAgent(browser: Browser): string {
  return `Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/${browser.version()} Safari/537.36`;
}

/**
 * Playwright's own `--disable-features` list (playwright-core's chromiumSwitches.ts) except
 * `ThirdPartyStoragePartitioning`. Playwright turns partitioning off; with it off and third-party
 * cookies blocked (this Chromium's default), an embedded app cannot touch sessionStorage at all
 * (Remix's scroll restoration throws). Chrome partitions third-party storage, so merchants'
 * browsers give the app frame its own storage: this keeps that behaviour. A later
 * `--disable-features` replaces an earlier one, hence the full list.
 */
const PLAYWRIGHT_DISABLED_FEATURES_EXCEPT_PARTITIONING = [
  "AvoidUnnecessaryBeforeUnloadCheckSync",
  "DestroyProfileOnBrowserClose",
  "HttpsUpgrades",
  "HttpsFirstBalancedModeAutoEnable",
  "LensOverlay",
  "MediaRouter",
  "PaintHolding",
  "AvoidCorsURLLoaderRestartOnRedirect",
  "OptimizationHints",
  "NetworkTimeServiceQuerying",
  "AimEnabled",
  "PreconnectToSearch",
];

export async function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath(),
    args: [
      ...CHROMIUM_ARGS,
      `--disable-features=${PLAYWRIGHT_DISABLED_FEATURES_EXCEPT_PARTITIONING.join(",")}`,
      // Offline even for what routing cannot see (redirects): no name resolves but loopback.
      "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE localhost",
    ],
    headless: true,
  });
}

/** Starts the built web server (SHOPIFY_APP_URL = its loopback URL) and Chromium. */
export async function startBrowserHarness(options: { env: AppEnvironment }): Promise<BrowserHarness> {
  const port = await freePort();
  const appUrl = `http://127.0.0.1:${port}`;
  const web = await startWebServer({ ...options.env, PORT: String(port), SHOPIFY_APP_URL: appUrl });
  let browser: Browser;
  try {
    browser = await launchChromium();
  } catch (error) {
    await web.stop();
    throw error;
  }
  const sessions = new Set<AdminSession>();
  return {
    appUrl,
    web,
    browser,
    async openAdmin(adminOptions) {
      const session = await openAdmin(browser, appUrl, adminOptions);
      sessions.add(session);
      const close = session.close;
      session.close = async () => {
        sessions.delete(session);
        await close();
      };
      return session;
    },
    async close() {
      for (const session of [...sessions]) await session.close();
      await browser.close();
      await web.stop();
    },
  };
}

export { adminHost, adminQuery } from "../../scripts/sandbox/admin-frame";

async function openAdmin(browser: Browser, appUrl: string, options: OpenAdminOptions): Promise<AdminSession> {
  const apiKey = process.env.SHOPIFY_API_KEY!;
  const appSecret = process.env.SHOPIFY_API_SECRET ?? TEST_API_SECRET;
  const tokenSecret = options.tokenSecret ?? appSecret;
  const handle = options.shop.replace(/\.myshopify\.com$/, "");
  const adminAppBase = `${ADMIN_ORIGIN}/store/${handle}/apps/${apiKey}`;
  const appOrigin = new URL(appUrl).origin;
  let minted = 0;
  const mint = () => {
    minted += 1;
    return mintSessionToken({ shop: options.shop, apiKey: options.tokenAudience ?? apiKey, apiSecret: tokenSecret });
  };

  const context = await browser.newContext({
    viewport: options.viewport ?? DESKTOP_VIEWPORT,
    // A merchant's browser, not "HeadlessChrome": the Shopify library answers bots with 410 Gone.
    userAgent: desktopUserAgent(browser),
    // The admin (a public https origin) frames an app on loopback; Chromium asks before letting a
    // public page reach the local network. Granting it stands for "the app is reachable".
    permissions: ["local-network-access"],
  });
  const requests: RecordedRequest[] = [];
  const blockedRequests: string[] = [];
  const browserErrors: string[] = [];
  const events: AdminEvent[] = [];

  // Offline: only the app, the admin stand-in and the App Bridge stand-in answer. Routes added
  // later take precedence, so the catch-all comes first. (Redirects bypass routing; Chromium's
  // host resolver rules make those fail too, see launchChromium.)
  const adminAppPath = new URL(adminAppBase).pathname;
  const isAllowed = (url: URL, resourceType: string) =>
    url.origin === appOrigin || url.toString() === APP_BRIDGE_URL || (url.origin === ADMIN_ORIGIN && resourceType === "document" && url.pathname.startsWith(adminAppPath));
  await context.route("**/*", async (route) => {
    const url = new URL(route.request().url());
    if (url.origin === appOrigin) return route.continue();
    return route.abort("blockedbyclient");
  });
  await context.route(`${ADMIN_ORIGIN}/**`, async (route) => {
    const url = new URL(route.request().url());
    if (!isAllowed(url, route.request().resourceType())) return route.abort("blockedbyclient");
    const appPath = url.pathname.slice(adminAppPath.length) || "/";
    const query = adminQuery({ shop: options.shop, apiSecret: appSecret, idToken: options.idTokenInUrl === false ? undefined : mint() });
    for (const [key, value] of url.searchParams) query.set(key, value);
    const frameSrc = `${appOrigin}${appPath}?${query.toString()}`;
    return route.fulfill({
      status: 200,
      contentType: "text/html; charset=utf-8",
      body: adminPageHtml({ shop: options.shop, appOrigin, frameSrc, appName: "Tracklight", bounceLimit: options.bounceLimit ?? 3 }),
    });
  });
  await context.route(APP_BRIDGE_URL, (route) =>
    route.fulfill({ status: 200, contentType: "text/javascript; charset=utf-8", body: appBridgeStandInScript({ adminOrigin: ADMIN_ORIGIN }) }),
  );

  // Every request, redirects included, as the browser sent it.
  const recorded = new WeakMap<Request, RecordedRequest>();
  context.on("request", (request) => {
    const url = new URL(request.url());
    if (url.origin !== appOrigin) {
      if (!isAllowed(url, request.resourceType()) && !url.protocol.startsWith("data")) blockedRequests.push(url.toString());
      return;
    }
    const record: RecordedRequest = {
      method: request.method(),
      path: url.pathname + url.search,
      authorization: request.headers().authorization ?? null,
      resourceType: request.resourceType(),
      status: null,
    };
    recorded.set(request, record);
    requests.push(record);
  });
  context.on("response", (response) => {
    const record = recorded.get(response.request());
    if (record) record.status = response.status();
  });

  const page = await context.newPage();
  page.on("pageerror", (error) => browserErrors.push(`uncaught: ${error.message}`));
  page.on("console", (message) => {
    if (message.type() === "error") browserErrors.push(`console.error (${message.location().url || "?"}): ${message.text()}`);
  });
  // Only the admin page itself may mint tokens or record events: the app frame must go
  // through postMessage like it does in the real admin.
  await page.exposeBinding("__tracklightMintIdToken", (source) => {
    if (source.frame !== page.mainFrame()) throw new Error("only the admin page mints ID tokens");
    return mint();
  });
  await page.exposeBinding("__tracklightAdminRecord", (source, event: AdminEvent) => {
    if (source.frame !== page.mainFrame()) throw new Error("only the admin page records events");
    events.push(event);
  });

  const appFrame = async (): Promise<Frame> => {
    const handle = await page.waitForSelector(`iframe[name="${APP_FRAME_NAME}"]`, { state: "attached" });
    const frame = await handle.contentFrame();
    if (!frame) throw new Error("the app iframe has no frame");
    return frame;
  };

  const session: AdminSession = {
    page,
    context,
    app: page.frameLocator(`iframe[name="${APP_FRAME_NAME}"]`),
    appFrame,
    async waitForAppPage(path, timeoutMs = 15_000) {
      const frame = await appFrame();
      await frame
        .waitForFunction(
        ({ path: expected, origin }) =>
          location.origin === origin &&
          (expected === undefined || location.pathname === expected) &&
          document.readyState === "complete" &&
          // React attaches its fiber to each DOM node it hydrates.
          Object.keys(document.body ?? {}).some((key) => key.startsWith("__reactFiber$")),
          { path, origin: appOrigin },
          { timeout: timeoutMs },
        )
        .catch(async (error: unknown) => {
          const body = await frame.locator("body").innerText({ timeout: 1_000 }).catch(() => "(unreadable)");
          throw new Error(
            [
              `the app frame did not show a hydrated ${path ?? "page"} (${String(error).split("\n")[0]})`,
              `frame URL: ${frame.url()}`,
              `frame text: ${body.slice(0, 500)}`,
              `app requests: ${requests.map((request) => `${request.method} ${request.path.split("?")[0]} → ${request.status ?? "…"}`).join(", ")}`,
              `browser errors: ${browserErrors.join(" | ") || "none"}`,
              `blocked: ${blockedRequests.join(", ") || "none"}`,
            ].join("\n"),
          );
        });
      return frame;
    },
    events,
    toasts: () => events.filter((event) => event.action === "toast.show").map((event) => event.payload as ToastRecord),
    requests,
    blockedRequests,
    browserErrors,
    tokensMinted: () => minted,
    async navigate(label) {
      await page.getByRole("navigation", { name: "App navigation" }).getByRole("link", { name: label, exact: true }).click();
    },
    saveBar: {
      isVisible: () => page.getByRole("region", { name: "Contextual save bar" }).isVisible(),
      save: () => page.getByRole("region", { name: "Contextual save bar" }).getByRole("button", { name: "Save" }).click(),
      discard: () => page.getByRole("region", { name: "Contextual save bar" }).getByRole("button", { name: "Discard" }).click(),
    },
    async screenshot(name) {
      mkdirSync(ARTIFACTS_DIR, { recursive: true });
      const path = resolve(ARTIFACTS_DIR, `${name.replace(/[^a-z0-9._-]+/gi, "-")}.png`);
      await page.screenshot({ path, fullPage: false });
      return path;
    },
    close: () => context.close(),
  };

  await page.goto(`${adminAppBase}${options.path ?? "/app"}`);
  return session;
}

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");
const AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"];

interface AxeFinding {
  id: string;
  impact: string | null;
  help: string;
  targets: string[];
}

/**
 * axe-core's WCAG 2.x A/AA and best-practice rules over a page or frame (for the admin, the app's
 * frame: `await admin.appFrame()`; the admin around it is Shopify's, not ours). Serious and
 * critical findings fail, listed with their targets so the failure says what to fix; moderate and
 * minor ones are left to review, as axe's own impact scale intends.
 */
export async function seriousAxeViolations(target: Page | Frame): Promise<string[]> {
  const loaded = await target.evaluate(() => "axe" in window);
  if (!loaded) await target.addScriptTag({ content: AXE_SOURCE });
  const findings: AxeFinding[] = await target.evaluate(async (tags) => {
    type AxeResult = { violations: { id: string; impact: string | null; help: string; nodes: { target: unknown[] }[] }[] };
    const axe = (window as unknown as { axe: { run(context: Document, options: object): Promise<AxeResult> } }).axe;
    const result = await axe.run(document, { runOnly: { type: "tag", values: tags } });
    return result.violations.map((violation) => ({
      id: violation.id,
      impact: violation.impact,
      help: violation.help,
      targets: violation.nodes.map((node) => JSON.stringify(node.target)),
    }));
  }, AXE_TAGS);
  return findings
    .filter((finding) => finding.impact === "serious" || finding.impact === "critical")
    .map((finding) => `${finding.id} (${finding.impact}: ${finding.help}): ${finding.targets.join(", ")}`);
}

/** Fails the test with every serious or critical axe finding on `target`, naming the page by `label`. */
export async function expectNoSeriousAxeViolations(target: Page | Frame, label: string): Promise<void> {
  expect(await seriousAxeViolations(target), `axe on ${label}`).toEqual([]);
}
