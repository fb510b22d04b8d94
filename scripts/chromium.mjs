// Chromium for the browser tests: Debian's `chromium` package, driven by playwright-core
// (`npx playwright install` downloads browsers from a CDN, which a CI machine here cannot reach).
// Installs the package when it is missing and the tests run as root (a fresh CI machine), like
// scripts/postgres.mjs does for PostgreSQL.
//
//   node scripts/chromium.mjs   # prints the executable path, installing first if needed
//
// CHROMIUM_PATH points the tests at another Chromium build instead.
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

export const DEFAULT_CHROMIUM_PATH = "/usr/bin/chromium";

/** The flags every test browser is launched with (no sandbox: CI runs as root in a container). */
export const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
];

const isRoot = typeof process.getuid === "function" && process.getuid() === 0;

function log(message) {
  process.stderr.write(`[chromium] ${message}\n`);
}

export function chromiumPath() {
  return process.env.CHROMIUM_PATH ?? DEFAULT_CHROMIUM_PATH;
}

export function ensureChromium() {
  const path = chromiumPath();
  if (existsSync(path)) return path;
  if (process.env.CHROMIUM_PATH) throw new Error(`CHROMIUM_PATH=${path} does not exist`);
  if (!isRoot || !existsSync("/usr/bin/apt-get")) {
    throw new Error(`Chromium is not installed at ${path}. Install it (Debian: apt-get install chromium) or set CHROMIUM_PATH.`);
  }
  log("installing Debian's chromium package (one time)…");
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  execFileSync("apt-get", ["update", "-qq"], { stdio: "inherit", env });
  // A font is needed for legible screenshots; DejaVu is small and usually there already.
  execFileSync("apt-get", ["install", "-y", "-qq", "--no-install-recommends", "chromium", "fonts-dejavu-core"], { stdio: "inherit", env });
  if (!existsSync(path)) throw new Error(`chromium was installed but ${path} was not found`);
  return path;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  console.log(ensureChromium());
}
