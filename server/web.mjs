// Production HTTP server for the Remix build (`npm run build` first).
import { createRequestHandler } from "@remix-run/express";
import express from "express";
import { createServer } from "node:http";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";

const buildDir = resolve(process.env.TRACKLIGHT_BUILD_DIR ?? "build");
// This process answers webhooks: SQLite WAL checkpoints (an fsync inside some commit) are left to
// the worker, off the acknowledgement path. Read by app/db.server.ts when the build is imported.
process.env.SQLITE_CHECKPOINT_ELSEWHERE ??= "1";
const build = await import(pathToFileURL(resolve(buildDir, "server/index.js")).href);

/**
 * Inbound webhooks (Shopify, TrackingMore) are answered by the `handle` of their entry in
 * app/http/webhook-routes.server.ts, the very function their Remix `action` calls, fed straight
 * from Node's request: no Express, no Remix request machinery, no Fetch objects, which together
 * would more than double the time to acknowledge a webhook.
 * See docs/decisions/0006-webhook-acknowledgement-path.md.
 */
const routePaths = new Set(Object.values(build.routes).map((route) => `/${route.path ?? ""}`));
const webhookRoutes = Object.values(build.entry.module.WEBHOOK_ROUTES).map((route) => {
  if (!routePaths.has(route.path)) throw new Error(`webhook route ${route.path} has no route file in the build`);
  return { segments: route.path.slice(1).split("/"), webhook: route };
});

function matchWebhookRoute(pathname) {
  const parts = pathname.replace(/^\/|\/$/g, "").split("/").map(decodeURIComponent);
  for (const route of webhookRoutes) {
    if (route.segments.length !== parts.length) continue;
    const params = {};
    const matches = route.segments.every((segment, index) => {
      if (segment.startsWith(":")) {
        params[segment.slice(1)] = parts[index];
        return parts[index].length > 0;
      }
      return segment === parts[index];
    });
    if (matches) return { webhook: route.webhook, params };
  }
  return null;
}

/** The body as text, or null once it exceeds `limit` bytes. */
async function readBody(req, limit) {
  if (Number(req.headers["content-length"] ?? 0) > limit) return null;
  const chunks = [];
  let size = 0;
  for await (const chunk of req) {
    size += chunk.length;
    if (size > limit) return null;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString("utf8");
}

async function handleWebhook(req, res, match) {
  const rawBody = await readBody(req, match.webhook.maxBytes);
  if (rawBody === null) {
    res.writeHead(413, { "content-type": "text/plain" }).end("Payload too large");
    return;
  }
  // Node lower-cases header names, as the handlers' lookups do.
  const headers = { get: (name) => req.headers[name] ?? null };
  const reply = await match.webhook.handle({ method: req.method, headers, rawBody }, match.params);
  if (reply.json !== undefined) {
    res.writeHead(reply.status, { "content-type": "application/json" }).end(JSON.stringify(reply.json));
  } else {
    res.writeHead(reply.status, reply.text ? { "content-type": "text/plain; charset=utf-8" } : {}).end(reply.text ?? "");
  }
}

const app = express();
app.disable("x-powered-by");
// Fingerprinted assets never change; everything else is revalidated.
app.use("/assets", express.static(resolve(buildDir, "client/assets"), { immutable: true, maxAge: "1y" }));
app.use(express.static(resolve(buildDir, "client"), { maxAge: "1h" }));
app.all("*", createRequestHandler({ build, mode: process.env.NODE_ENV ?? "production" }));

const port = Number(process.env.PORT ?? 3000);
const host = process.env.HOST ?? "127.0.0.1";
const server = createServer((req, res) => {
  if (req.method === "POST" && req.url?.startsWith("/webhooks/")) {
    const match = matchWebhookRoute(new URL(req.url, "http://localhost").pathname);
    if (match) {
      handleWebhook(req, res, match).catch((error) => {
        console.error(error);
        if (!res.headersSent) res.writeHead(500);
        res.end();
      });
      return;
    }
  }
  app(req, res);
});
server.listen(port, host, () => {
  const address = server.address();
  console.log(`tracklight web listening on http://${host}:${typeof address === "object" && address ? address.port : port}`);
});
server.keepAliveTimeout = 65_000;

/**
 * SIGTERM: stop accepting connections, let requests in flight finish (idle keep-alive connections
 * are closed at once, busy ones after their response), close the database, exit 0. Whatever is
 * still open after WEB_SHUTDOWN_GRACE_MS is cut, so the process never outlives the orchestrator's patience.
 */
const shutdownGraceMs = Number(process.env.WEB_SHUTDOWN_GRACE_MS ?? 20_000);
let stopping = false;
async function shutdown() {
  if (stopping) return;
  stopping = true;
  const closed = new Promise((resolveClosed) => server.close(resolveClosed));
  server.closeIdleConnections();
  // A keep-alive connection that finishes its request is closed instead of kept for the next one.
  server.on("request", (_req, res) => res.setHeader("connection", "close"));
  const cut = setTimeout(() => server.closeAllConnections(), shutdownGraceMs);
  cut.unref();
  await closed;
  clearTimeout(cut);
  setTimeout(() => process.exit(1), 10_000).unref();
  await globalThis.__tracklightCloseDatabase?.();
  process.exit(0);
}
for (const signal of ["SIGTERM", "SIGINT"]) {
  process.on(signal, () => {
    shutdown().catch((error) => {
      console.error(error);
      process.exit(1);
    });
  });
}
