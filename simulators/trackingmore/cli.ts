import { readFile } from "node:fs/promises";

/** Helpers shared by the TrackingMore-family CLIs (simulators/trackingmore/main.ts, simulators/tracktry/main.ts). */

export function nonNegativeNumber(flag: string, raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0) throw new Error(`--${flag} must be a number >= 0, got ${JSON.stringify(raw)}`);
  return value;
}

/** A JSON array of objects that each have a string `apiKey`. */
export async function readAccountsFile(file: string): Promise<Array<Record<string, unknown> & { apiKey: string }>> {
  const parsed: unknown = JSON.parse(await readFile(file, "utf8"));
  if (!Array.isArray(parsed)) throw new Error(`${file} must contain a JSON array of accounts`);
  return parsed.map((entry: unknown, i) => {
    if (typeof entry !== "object" || entry === null || Array.isArray(entry) || typeof (entry as { apiKey?: unknown }).apiKey !== "string") {
      throw new Error(`${file}[${i}] must be an object with an apiKey`);
    }
    return { ...(entry as Record<string, unknown> & { apiKey: string }) };
  });
}

/** Close the simulator and exit 0 on SIGINT / SIGTERM. */
export function closeOnSignals(sim: { close(): Promise<void> }): void {
  const shutdown = () => {
    void sim.close().then(() => process.exit(0));
  };
  process.once("SIGINT", shutdown);
  process.once("SIGTERM", shutdown);
}

/** Run `main`, reporting a startup failure as one line on stderr and exit code 1. */
export function runCli(main: () => Promise<void>): void {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
