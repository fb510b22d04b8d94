// `npm test`: type-check, build the app (the end-to-end tests run the production server), then
// every test project: unit, integration on SQLite, integration on a real PostgreSQL (started by
// the tests, installed from Debian's packages when missing).
import { spawnSync } from "node:child_process";

const steps = [
  ["type-check", "tsc", ["--noEmit"]],
  ["build", "remix", ["vite:build"]],
  ["tests", "vitest", ["run", ...process.argv.slice(2)]],
];

for (const [name, command, args] of steps) {
  const started = Date.now();
  process.stderr.write(`\n▶ ${name}: ${command} ${args.join(" ")}\n`);
  const result = spawnSync(command, args, { stdio: "inherit", shell: false });
  if (result.status !== 0) {
    process.stderr.write(`\n✖ ${name} failed (exit ${result.status ?? result.signal})\n`);
    process.exit(result.status ?? 1);
  }
  process.stderr.write(`✔ ${name} (${((Date.now() - started) / 1000).toFixed(1)} s)\n`);
}
