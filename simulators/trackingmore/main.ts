import { readFile } from "node:fs/promises";
import { parseArgs } from "node:util";
import { startTrackingMoreSimulator } from "./index";
import type { NewAccount, WebhookUrlConfig } from "./state";

/**
 * CLI for the offline demo:
 *   npx tsx simulators/trackingmore/main.ts [--port 4010] [--accounts accounts.json] [--auto-progress 15000] [--latency-ms 0]
 * `accounts.json` is an array of `{apiKey, email?, webhookSecret?, credits? (null = unmetered), webhookUrls?}`.
 */

type AccountSeed = NewAccount & { webhookUrls?: WebhookUrlConfig[] };

function positiveNumber(flag: string, raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0) throw new Error(`--${flag} must be a number >= 0, got ${JSON.stringify(raw)}`);
  return value;
}

async function loadAccounts(file: string): Promise<AccountSeed[]> {
  const parsed: unknown = JSON.parse(await readFile(file, "utf8"));
  if (!Array.isArray(parsed)) throw new Error(`${file} must contain a JSON array of accounts`);
  return parsed.map((entry: unknown, i) => {
    if (typeof entry !== "object" || entry === null || typeof (entry as { apiKey?: unknown }).apiKey !== "string") {
      throw new Error(`${file}[${i}] must be an object with an apiKey`);
    }
    const seed = { ...(entry as AccountSeed & { credits?: number | null }) };
    // JSON cannot say Infinity; null (or absent) means unmetered.
    if (seed.credits === null) delete seed.credits;
    return seed as AccountSeed;
  });
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: "string", default: "4010" },
      accounts: { type: "string" },
      "auto-progress": { type: "string" },
      "latency-ms": { type: "string" },
    },
    strict: true,
  });
  const port = positiveNumber("port", values.port) ?? 4010;
  const autoProgress = positiveNumber("auto-progress", values["auto-progress"]);
  const latencyMs = positiveNumber("latency-ms", values["latency-ms"]);
  const seeds = values.accounts ? await loadAccounts(values.accounts) : [];

  const sim = await startTrackingMoreSimulator({ port, ...(latencyMs !== undefined ? { latencyMs } : {}) });
  for (const seed of seeds) sim.addAccount(seed);
  if (autoProgress) sim.startAutoProgress(autoProgress);

  console.log(`TrackingMore simulator listening on ${sim.url} (v4: ${sim.url}/v4, v2: ${sim.url}/v2, control: ${sim.url}/__sim)`);
  if (seeds.length > 0) console.log(`seeded accounts: ${seeds.map((s) => s.apiKey).join(", ")}`);
  if (autoProgress) console.log(`auto-progress every ${autoProgress} ms`);

  const shutdown = () => {
    void sim.close().then(() => process.exit(0));
  };
  process.once("SIGINT", shutdown);
  process.once("SIGTERM", shutdown);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
