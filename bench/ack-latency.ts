import { spawn, type ChildProcess } from "node:child_process";
import { join } from "node:path";
import { WEB_ENTRY, WEB_NODE_FLAGS } from "../server/web-process.mjs";
import { BENCH_ENCRYPTION_KEY, percentile, ROOT, runScript } from "./support";

/**
 * Acknowledgement latency of the production server against a bare node:http server answering
 * 200, both driven by the same open-loop generator (its own process) at the same fixed rate, in
 * short alternating rounds so both see the same machine noise.
 */

export interface RunningServer {
  child: ChildProcess;
  url: string;
}

function startProcess(args: string[], env: NodeJS.ProcessEnv, ready: RegExp): Promise<RunningServer> {
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

/** The built app's production server and the bare baseline, started with the same environment. */
export async function startServers(env: NodeJS.ProcessEnv): Promise<{ app: RunningServer; bare: RunningServer; stop(): Promise<void> }> {
  const app = await startProcess([...WEB_NODE_FLAGS, join(ROOT, WEB_ENTRY)], env, /listening on (http:\/\/\S+)/);
  const bare = await startProcess([join(ROOT, "bench/bare-server.mjs")], env, /bare listening on (http:\/\/\S+)/);
  return {
    app,
    bare,
    // Waits for both to exit: the app closes its database on the way out (a WAL checkpoint),
    // which must not overlap the next measurement.
    async stop() {
      await Promise.all([app, bare].map(({ child }) => new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
      })));
    },
  };
}

export interface LoadShape {
  kind: "shopify" | "ups";
  ratePerSecond: number;
  /** Unmeasured, once per server: lets V8 optimise the hot path, as in a long-running server. */
  warmupMs: number;
  roundMs: number;
  rounds: number;
  secret: string;
  shop: string;
}

interface RoundResult {
  latenciesMs: number[];
  errors: number;
  acknowledged: number;
  sent: number;
}

export interface LatencyComparison {
  app: { p50: number; p99: number; requests: number };
  bare: { p50: number; p99: number; requests: number };
  /** Requests the app answered 200, warm-up included. */
  appAcknowledged: number;
  errors: number;
}

export async function compareAckLatency(appUrl: string, bareUrl: string, shape: LoadShape): Promise<LatencyComparison> {
  let nextIndex = 0;
  const measure = async (url: string, durationMs: number, warmupMs: number): Promise<RoundResult> => {
    const config = { url, ratePerSecond: shape.ratePerSecond, durationMs, warmupMs, kind: shape.kind, secret: shape.secret, shop: shape.shop, firstIndex: nextIndex };
    const result = JSON.parse(await runScript("bench/load-generator.ts", [JSON.stringify(config)])) as RoundResult;
    nextIndex += result.sent;
    return result;
  };
  const appLatencies: number[] = [];
  const bareLatencies: number[] = [];
  let errors = 0;
  let appAcknowledged = 0;
  await measure(bareUrl, 0, shape.warmupMs);
  const warm = await measure(appUrl, 0, shape.warmupMs);
  appAcknowledged += warm.acknowledged;
  errors += warm.errors;
  for (let round = 0; round < shape.rounds; round++) {
    const bareRound = await measure(bareUrl, shape.roundMs, 200);
    const appRound = await measure(appUrl, shape.roundMs, 200);
    bareLatencies.push(...bareRound.latenciesMs);
    appLatencies.push(...appRound.latenciesMs);
    appAcknowledged += appRound.acknowledged;
    errors += bareRound.errors + appRound.errors;
  }
  const sortedApp = appLatencies.sort((a, b) => a - b);
  const sortedBare = bareLatencies.sort((a, b) => a - b);
  return {
    app: { p50: percentile(sortedApp, 50), p99: percentile(sortedApp, 99), requests: sortedApp.length },
    bare: { p50: percentile(sortedBare, 50), p99: percentile(sortedBare, 99), requests: sortedBare.length },
    appAcknowledged,
    errors,
  };
}

/** The environment both servers run with: production mode, the bench database, quiet logs. */
export function benchServerEnvironment(databaseUrl: string, secret: string): NodeJS.ProcessEnv {
  return {
    ...process.env,
    NODE_ENV: "production",
    DATABASE_URL: databaseUrl,
    SHOPIFY_API_KEY: "bench-api-key",
    SHOPIFY_API_SECRET: secret,
    SHOPIFY_APP_URL: "https://tracklight.bench",
    ENCRYPTION_KEY: BENCH_ENCRYPTION_KEY,
    LOG_LEVEL: "warn",
    PORT: "0",
  };
}
