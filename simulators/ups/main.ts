import { readFile } from "node:fs/promises";
import { parseArgs } from "node:util";
import { startUpsSimulator } from "./index";

/**
 * CLI for the offline demo and the benchmark:
 *   npx tsx simulators/ups/main.ts [--port 4030] [--environment production|cie] [--clients clients.json]
 *                                  [--cie-event-spacing-ms 1000] [--token-lifetime-seconds 14399]
 * `clients.json` is an array of `{clientId, clientSecret}`.
 */

function nonNegative(flag: string, raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0) throw new Error(`--${flag} must be a number >= 0, got ${JSON.stringify(raw)}`);
  return value;
}

async function loadClients(file: string): Promise<Array<{ clientId: string; clientSecret: string }>> {
  const parsed: unknown = JSON.parse(await readFile(file, "utf8"));
  if (!Array.isArray(parsed)) throw new Error(`${file} must contain a JSON array of {clientId, clientSecret}`);
  return parsed.map((entry: unknown, i) => {
    const c = entry as { clientId?: unknown; clientSecret?: unknown } | null;
    if (typeof c?.clientId !== "string" || typeof c.clientSecret !== "string") throw new Error(`${file}[${i}] must be {clientId, clientSecret} with string values`);
    return { clientId: c.clientId, clientSecret: c.clientSecret };
  });
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: "string", default: "4030" },
      environment: { type: "string", default: "production" },
      clients: { type: "string" },
      "cie-event-spacing-ms": { type: "string" },
      "token-lifetime-seconds": { type: "string" },
    },
    strict: true,
  });
  const environment = values.environment;
  if (environment !== "production" && environment !== "cie") throw new Error(`--environment must be "production" or "cie", got ${JSON.stringify(environment)}`);
  const port = nonNegative("port", values.port) ?? 4030;
  const spacing = nonNegative("cie-event-spacing-ms", values["cie-event-spacing-ms"]);
  const lifetime = nonNegative("token-lifetime-seconds", values["token-lifetime-seconds"]);
  const clients = values.clients ? await loadClients(values.clients) : [];

  const sim = await startUpsSimulator({
    port,
    environment,
    ...(spacing !== undefined ? { cieEventSpacingMs: spacing } : {}),
    ...(lifetime !== undefined ? { tokenLifetimeSeconds: lifetime } : {}),
  });
  for (const client of clients) sim.addClient(client);

  console.log(`UPS simulator (${environment}) listening on ${sim.url} (token: ${sim.url}/security/v1/oauth/token, track: ${sim.url}/api/track/v1, control: ${sim.url}/__sim)`);
  if (clients.length > 0) console.log(`seeded clients: ${clients.map((c) => c.clientId).join(", ")}`);

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
