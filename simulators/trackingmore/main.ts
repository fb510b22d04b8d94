import { parseArgs } from "node:util";
import { closeOnSignals, nonNegativeNumber, readAccountsFile, runCli } from "./cli";
import { startTrackingMoreSimulator } from "./index";
import type { NewAccount, WebhookUrlConfig } from "./state";

/**
 * CLI for the offline demo:
 *   npx tsx simulators/trackingmore/main.ts [--port 4010] [--accounts accounts.json] [--auto-progress 15000] [--latency-ms 0]
 * `accounts.json` is an array of `{apiKey, email?, webhookSecret?, credits? (null = unmetered), webhookUrls?}`.
 */

type AccountSeed = NewAccount & { webhookUrls?: WebhookUrlConfig[] };

async function loadAccounts(file: string): Promise<AccountSeed[]> {
  return (await readAccountsFile(file)).map((entry) => {
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
  const port = nonNegativeNumber("port", values.port) ?? 4010;
  const autoProgress = nonNegativeNumber("auto-progress", values["auto-progress"]);
  const latencyMs = nonNegativeNumber("latency-ms", values["latency-ms"]);
  const seeds = values.accounts ? await loadAccounts(values.accounts) : [];

  const sim = await startTrackingMoreSimulator({ port, ...(latencyMs !== undefined ? { latencyMs } : {}) });
  for (const seed of seeds) sim.addAccount(seed);
  if (autoProgress) sim.startAutoProgress(autoProgress);

  console.log(`TrackingMore simulator listening on ${sim.url} (v4: ${sim.url}/v4, v2: ${sim.url}/v2, control: ${sim.url}/__sim)`);
  if (seeds.length > 0) console.log(`seeded accounts: ${seeds.map((s) => s.apiKey).join(", ")}`);
  if (autoProgress) console.log(`auto-progress every ${autoProgress} ms`);

  closeOnSignals(sim);
}

runCli(main);
