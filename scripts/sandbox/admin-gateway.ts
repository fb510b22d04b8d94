import { createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { adminPageHtml, adminQuery, APP_BRIDGE_URL, appBridgeStandInScript } from "./admin-frame";
import { mintSessionToken } from "./session-token";

/**
 * The Shopify admin stand-in over plain HTTP, for a person's own browser (the demo). The browser
 * tests serve the same pieces (scripts/sandbox/admin-frame.ts) through Playwright's routing at
 * admin.shopify.com; a real browser cannot be pointed there, so two loopback servers stand in:
 *
 * - the **admin** (`<admin>/store/<handle>/apps/<api key>/app…`): the admin page around the app's
 *   iframe, minting real session tokens (HS256, the app secret) when the app asks over
 *   postMessage, exactly as Shopify admin does; the app verifies them like any other.
 * - the **app's public address** (SHOPIFY_APP_URL), like the tunnel `shopify app dev` opens: it
 *   forwards every request to the app unchanged, and does the two things Shopify's own hosts
 *   would: App Bridge comes from `cdn.shopify.com`, here from the stand-in (the page's script
 *   address is rewritten to it), and the app's `frame-ancestors` names admin.shopify.com, so the
 *   stand-in admin's origin is added to it. Nothing about authentication changes.
 */

export interface AdminGatewayOptions {
  shop: string;
  apiKey: string;
  apiSecret: string;
  appName?: string;
}

export interface AdminGateway {
  /** The app's public address: give it to the app as SHOPIFY_APP_URL. */
  appUrl: string;
  adminOrigin: string;
  /** Where the app's own web process listens (set once it is started). */
  setAppTarget(origin: string): void;
  /** The admin page that opens the app at `appPath`. */
  adminUrl(appPath?: string): string;
  close(): Promise<void>;
}

const STAND_IN_APP_BRIDGE_PATH = "/__sandbox/app-bridge.js";

async function listen(server: Server): Promise<string> {
  await new Promise<void>((ready) => server.listen(0, "127.0.0.1", ready));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

function close(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((done) => server.close(() => done()));
}

export async function startAdminGateway(options: AdminGatewayOptions): Promise<AdminGateway> {
  const handle = options.shop.replace(/\.myshopify\.com$/, "");
  const adminAppPath = `/store/${handle}/apps/${options.apiKey}`;
  let appTarget: URL | null = null;
  const mint = () => mintSessionToken({ shop: options.shop, apiKey: options.apiKey, apiSecret: options.apiSecret });

  const gateway = createServer();
  const admin = createServer();
  const appUrl = await listen(gateway);
  const adminOrigin = await listen(admin);

  // The admin page's two bindings (Playwright provides them in the browser tests) as calls to the admin's own server.
  const bindings = `<script>
window.__tracklightMintIdToken = () => fetch("/__admin/id-token", { method: "POST" }).then((response) => { if (!response.ok) throw new Error("token " + response.status); return response.text(); });
window.__tracklightAdminRecord = () => Promise.resolve();
</script>`;

  admin.on("request", (request: IncomingMessage, response: ServerResponse) => {
    const url = new URL(request.url ?? "/", adminOrigin);
    if (request.method === "POST" && url.pathname === "/__admin/id-token") {
      // Only the admin page itself gets tokens (as in Shopify, where it is the signed-in admin).
      if (request.headers.origin !== adminOrigin) return void response.writeHead(403).end();
      return void response.writeHead(200, { "content-type": "text/plain", "cache-control": "no-store" }).end(mint());
    }
    if (request.method === "GET" && url.pathname === "/") {
      return void response.writeHead(302, { location: `${adminAppPath}/app` }).end();
    }
    if (request.method !== "GET" || !url.pathname.startsWith(`${adminAppPath}/`)) {
      return void response.writeHead(404, { "content-type": "text/plain" }).end("Not a page of the admin stand-in");
    }
    const appPath = url.pathname.slice(adminAppPath.length) || "/app";
    const query = adminQuery({ shop: options.shop, apiSecret: options.apiSecret, idToken: mint() });
    for (const [key, value] of url.searchParams) query.set(key, value);
    const page = adminPageHtml({ shop: options.shop, appOrigin: appUrl, frameSrc: `${appUrl}${appPath}?${query}`, appName: options.appName ?? "Tracklight", bounceLimit: 3 });
    response.writeHead(200, { "content-type": "text/html; charset=utf-8", "cache-control": "no-store" }).end(page.replace("<body>", `<body>\n${bindings}`));
  });

  gateway.on("request", (request: IncomingMessage, response: ServerResponse) => {
    if (request.url === STAND_IN_APP_BRIDGE_PATH) {
      return void response.writeHead(200, { "content-type": "text/javascript; charset=utf-8" }).end(appBridgeStandInScript({ adminOrigin }));
    }
    if (!appTarget) return void response.writeHead(503, { "content-type": "text/plain" }).end("The app is starting");
    // Uncompressed, so an HTML page's App Bridge address can be rewritten.
    const headers = { ...request.headers, host: appTarget.host };
    delete headers["accept-encoding"];
    const upstream = httpRequest({ hostname: appTarget.hostname, port: appTarget.port, method: request.method, path: request.url, headers }, (answer) => {
      const answerHeaders = { ...answer.headers };
      const policy = answerHeaders["content-security-policy"];
      if (typeof policy === "string") answerHeaders["content-security-policy"] = policy.replace(/frame-ancestors ([^;]*)/, `frame-ancestors $1 ${adminOrigin}`);
      const isHtml = String(answer.headers["content-type"] ?? "").startsWith("text/html");
      if (!isHtml) {
        response.writeHead(answer.statusCode ?? 502, answerHeaders);
        answer.pipe(response);
        return;
      }
      const chunks: Buffer[] = [];
      answer.on("data", (chunk: Buffer) => chunks.push(chunk));
      answer.on("end", () => {
        const body = Buffer.from(Buffer.concat(chunks).toString("utf8").replaceAll(APP_BRIDGE_URL, STAND_IN_APP_BRIDGE_PATH));
        delete answerHeaders["content-length"];
        delete answerHeaders["transfer-encoding"];
        response.writeHead(answer.statusCode ?? 502, { ...answerHeaders, "content-length": String(body.length) }).end(body);
      });
    });
    upstream.on("error", (error) => {
      if (!response.headersSent) response.writeHead(502, { "content-type": "text/plain" });
      response.end(`sandbox gateway: ${error.message}`);
    });
    request.pipe(upstream);
  });

  return {
    appUrl,
    adminOrigin,
    setAppTarget: (origin) => (appTarget = new URL(origin)),
    adminUrl: (appPath = "/app") => `${adminOrigin}${adminAppPath}${appPath}`,
    close: async () => {
      await Promise.all([close(gateway), close(admin)]);
    },
  };
}
