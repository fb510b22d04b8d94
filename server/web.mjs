// Production HTTP server for the Remix build (`npm run build` first).
import { createRequestHandler } from "@remix-run/express";
import express from "express";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";

const buildDir = resolve(process.env.TRACKLIGHT_BUILD_DIR ?? "build");
const build = await import(pathToFileURL(resolve(buildDir, "server/index.js")).href);

const app = express();
app.disable("x-powered-by");
// Fingerprinted assets never change; everything else is revalidated.
app.use("/assets", express.static(resolve(buildDir, "client/assets"), { immutable: true, maxAge: "1y" }));
app.use(express.static(resolve(buildDir, "client"), { maxAge: "1h" }));
app.all("*", createRequestHandler({ build, mode: process.env.NODE_ENV ?? "production" }));

const port = Number(process.env.PORT ?? 3000);
const host = process.env.HOST ?? "127.0.0.1";
const server = app.listen(port, host, () => {
  const address = server.address();
  console.log(`tracklight web listening on http://${host}:${typeof address === "object" && address ? address.port : port}`);
});
server.keepAliveTimeout = 65_000;
for (const signal of ["SIGTERM", "SIGINT"]) {
  process.on(signal, () => server.close(() => process.exit(0)));
}
