import { parseArgs } from "node:util";
import { closeOnSignals, nonNegativeNumber, readAccountsFile, runCli } from "../trackingmore/cli";
import { startTracktrySimulator, type TracktryAccountSeed } from "./index";

/**
 * CLI for the offline demo:
 *   npx tsx simulators/tracktry/main.ts [--port 4040] [--accounts accounts.json] [--auto-progress 15000] [--latency-ms 0]
 * `accounts.json` is an array of `{apiKey, monthlyQuota? (default 500, null = unmetered), remaining?}`.
 * Port 4040 because 4010 (TrackingMore), 4020 (Shopify) and 4030 (UPS) are the other simulators' defaults.
 */

const DEFAULT_PORT = 4040;

async function loadAccounts(file: string): Promise<TracktryAccountSeed[]> {
  return (await readAccountsFile(file)).map((entry) => {
    const seed = { ...entry } as TracktryAccountSeed & { monthlyQuota?: number | null };
    // JSON cannot say Infinity; null means unmetered.
    if (seed.monthlyQuota === null) seed.monthlyQuota = Number.POSITIVE_INFINITY;
    return seed as TracktryAccountSeed;
  });
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: "string", default: String(DEFAULT_PORT) },
      accounts: { type: "string" },
      "auto-progress": { type: "string" },
      "latency-ms": { type: "string" },
    },
    strict: true,
  });
  const port = nonNegativeNumber("port", values.port) ?? DEFAULT_PORT;
  const autoProgress = nonNegativeNumber("auto-progress", values["auto-progress"]);
  const latencyMs = nonNegativeNumber("latency-ms", values["latency-ms"]);
  const seeds = values.accounts ? await loadAccounts(values.accounts) : [];

  const sim = await startTracktrySimulator({ port, ...(latencyMs !== undefined ? { latencyMs } : {}) });
  for (const seed of seeds) sim.addAccount(seed);
  if (autoProgress) sim.startAutoProgress(autoProgress);

  console.log(`Tracktry simulator listening on ${sim.url} (v1: ${sim.url}/v1, control: ${sim.url}/__sim)`);
  if (seeds.length > 0) console.log(`seeded accounts: ${seeds.map((s) => s.apiKey).join(", ")}`);
  if (autoProgress) console.log(`auto-progress every ${autoProgress} ms`);

  closeOnSignals(sim);
}

runCli(main);
