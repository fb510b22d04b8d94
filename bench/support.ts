import { spawn } from "node:child_process";
import { mkdirSync, rmSync } from "node:fs";
import { join, resolve } from "node:path";
import { applyMigrations } from "~/db/migrations.server";

export const ROOT = resolve(import.meta.dirname, "..");

/** One printed figure: `bench <name>: <value> (target <target>)`. */
export function report(name: string, value: string, target: string): void {
  console.log(`bench ${name}: ${value} (target ${target})`);
}

/** A fresh, migrated SQLite database for one benchmark. */
export async function freshSqliteDatabase(name: string): Promise<string> {
  const dir = join(ROOT, ".tmp", "bench");
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${name}.db`);
  for (const suffix of ["", "-wal", "-shm"]) rmSync(`${file}${suffix}`, { force: true });
  const url = `file:${file}`;
  await applyMigrations(url);
  return url;
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index]!;
}

/** Run a script with the project's Node and the tsx loader; resolves with its stdout. */
export function runScript(script: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<string> {
  return new Promise((resolveOutput, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", join(ROOT, script), ...args], { env, stdio: ["ignore", "pipe", "inherit"] });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.once("exit", (code) => (code === 0 ? resolveOutput(output) : reject(new Error(`${script} exited with ${code}`))));
  });
}
