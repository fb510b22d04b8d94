import { spawn, type ChildProcess } from "node:child_process";
import { join } from "node:path";
import { openDatabase } from "~/db/database.server";
import { freshSqliteDatabase, percentile, report, ROOT, runScript } from "./support";

/**
 * Shopify-webhook acknowledgement latency of the production server (built Remix app, SQLite,
 * HMAC check, validation, durable enqueue) against a bare node:http server answering 200, both
 * driven by the same open-loop generator at the same fixed rate, alternating rounds so both see
 * the same machine noise. The generator runs in its own process.
 */

const SECRET = "bench-api-secret";
const SHOP = "bench-shop.myshopify.com";
const RATE_PER_SECOND = 200;
/** Unmeasured, once per server: lets V8 optimise the hot path, as in a long-running server. */
const WARMUP_MS = 5_000;
/** Short alternating rounds: a burst of noise on this shared machine hits both servers alike. */
const ROUND_MS = 2_500;
const ROUNDS = 8;

function startProcess(args: string[], env: NodeJS.ProcessEnv, ready: RegExp): Promise<{ child: ChildProcess; url: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { env, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = ready.exec(output);
      if (match) resolve({ child, url: match[1]! });
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.once("exit", (code) => reject(new Error(`process exited (${code}):\n${output}`)));
  });
}

async function measure(url: string, durationMs: number, warmupMs: number): Promise<{ latenciesMs: number[]; errors: number }> {
  const output = await runScript("bench/load-generator.ts", [
    JSON.stringify({ url, ratePerSecond: RATE_PER_SECOND, durationMs, warmupMs, secret: SECRET, shop: SHOP }),
  ]);
  return JSON.parse(output) as { latenciesMs: number[]; errors: number };
}

export async function webhookAckLatency(): Promise<void> {
  const databaseUrl = await freshSqliteDatabase("webhook-ack");
  // The shop is installed, as it is for every real webhook.
  const db = await openDatabase(databaseUrl);
  await db.prisma.shop.create({ data: { domain: SHOP, webhookToken: "bench-webhook-token" } });
  await db.close();
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: "production",
    DATABASE_URL: databaseUrl,
    SHOPIFY_API_KEY: "bench-api-key",
    SHOPIFY_API_SECRET: SECRET,
    SHOPIFY_APP_URL: "https://tracklight.bench",
    ENCRYPTION_KEY: Buffer.alloc(32, 9).toString("base64"),
    LOG_LEVEL: "warn",
    PORT: "0",
  };
  const app = await startProcess([join(ROOT, "server/web.mjs")], env, /listening on (http:\/\/\S+)/);
  const bare = await startProcess([join(ROOT, "bench/bare-server.mjs")], env, /bare listening on (http:\/\/\S+)/);
  try {
    const appLatencies: number[] = [];
    const bareLatencies: number[] = [];
    let errors = 0;
    const bareUrl = `${bare.url}/webhooks/fulfillments/create`;
    const appUrl = `${app.url}/webhooks/fulfillments/create`;
    await measure(bareUrl, 0, WARMUP_MS);
    await measure(appUrl, 0, WARMUP_MS);
    for (let round = 0; round < ROUNDS; round++) {
      const bareRound = await measure(bareUrl, ROUND_MS, 200);
      const appRound = await measure(appUrl, ROUND_MS, 200);
      bareLatencies.push(...bareRound.latenciesMs);
      appLatencies.push(...appRound.latenciesMs);
      errors += bareRound.errors + appRound.errors;
    }
    if (errors > 0) throw new Error(`${errors} requests failed during the latency benchmark`);
    const sortedApp = appLatencies.sort((a, b) => a - b);
    const sortedBare = bareLatencies.sort((a, b) => a - b);
    const [appP50, appP99, bareP50, bareP99] = [percentile(sortedApp, 50), percentile(sortedApp, 99), percentile(sortedBare, 50), percentile(sortedBare, 99)];
    const rate = `${RATE_PER_SECOND} req/s, ${sortedApp.length} requests`;
    report("webhook_ack_p50_ms", `${appP50.toFixed(2)} vs bare node:http ${bareP50.toFixed(2)} at ${rate}`, "reported");
    report("webhook_ack_p99_ms", `${appP99.toFixed(2)} vs bare node:http ${bareP99.toFixed(2)} at ${rate}`, "reported");
    report("webhook_ack_p99_ratio", (appP99 / bareP99).toFixed(2), "<= 2");
  } finally {
    app.child.kill("SIGTERM");
    bare.child.kill("SIGTERM");
  }
}
