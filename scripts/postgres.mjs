// A private PostgreSQL server for tests and migration authoring, started on loopback when none is
// given. Installs Debian's `postgresql` package if the binaries are missing (a fresh CI machine),
// creates a throwaway cluster in the temp directory, and starts it on a free port.
//
//   node scripts/postgres.mjs start   # prints the URL and leaves the server running
//   node scripts/postgres.mjs stop
//
// POSTGRES_URL (or TEST_POSTGRES_URL) skips all of this and uses that server instead.
import { execFileSync, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const CLUSTER = join(tmpdir(), `tracklight-postgres-${createHash("sha256").update(ROOT).digest("hex").slice(0, 10)}`);
const DATA = join(CLUSTER, "data");
const isRoot = typeof process.getuid === "function" && process.getuid() === 0;

function log(message) {
  process.stderr.write(`[postgres] ${message}\n`);
}

function findBinDir() {
  const candidates = [];
  if (existsSync("/usr/lib/postgresql")) {
    for (const version of readdirSync("/usr/lib/postgresql").sort((a, b) => Number(b) - Number(a))) {
      candidates.push(join("/usr/lib/postgresql", version, "bin"));
    }
  }
  for (const dir of (process.env.PATH ?? "").split(":")) candidates.push(dir);
  return candidates.find((dir) => existsSync(join(dir, "initdb")) && existsSync(join(dir, "pg_ctl"))) ?? null;
}

function installPostgres() {
  if (!isRoot || !existsSync("/usr/bin/apt-get")) {
    throw new Error("PostgreSQL is not installed. Install it (Debian: apt-get install postgresql) or set POSTGRES_URL.");
  }
  log("installing Debian's postgresql package (one time)…");
  execFileSync("apt-get", ["update", "-qq"], { stdio: "inherit" });
  execFileSync("apt-get", ["install", "-y", "-qq", "--no-install-recommends", "postgresql"], {
    stdio: "inherit",
    env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" },
  });
}

// PostgreSQL refuses to run as root; as root we run it as the `postgres` user the package creates.
function asServerUser(command, args, options = {}) {
  const [file, argv] = isRoot ? ["runuser", ["-u", "postgres", "--", command, ...args]] : [command, args];
  const result = spawnSync(file, argv, { encoding: "utf8", ...options });
  if (result.status !== 0) {
    throw new Error(`${command} ${args.join(" ")} failed:\n${result.stdout ?? ""}${result.stderr ?? ""}`);
  }
  return result.stdout;
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

function isRunning(binDir) {
  if (!existsSync(join(DATA, "postmaster.pid"))) return false;
  const result = spawnSync(isRoot ? "runuser" : join(binDir, "pg_ctl"), isRoot ? ["-u", "postgres", "--", join(binDir, "pg_ctl"), "-D", DATA, "status"] : ["-D", DATA, "status"], {
    encoding: "utf8",
  });
  return result.status === 0;
}

async function createDatabase(url, name) {
  const { default: pg } = await import("pg");
  const client = new pg.Client({ connectionString: url.replace(/\/[^/]*$/, "/postgres") });
  await client.connect();
  try {
    const exists = await client.query("SELECT 1 FROM pg_database WHERE datname = $1", [name]);
    if (exists.rowCount === 0) await client.query(`CREATE DATABASE "${name}"`);
  } finally {
    await client.end();
  }
}

export async function ensurePostgres() {
  const given = process.env.TEST_POSTGRES_URL ?? process.env.POSTGRES_URL;
  if (given) return { url: given, started: false, stopIfStarted: async () => {} };

  let binDir = findBinDir();
  if (!binDir) {
    installPostgres();
    binDir = findBinDir();
    if (!binDir) throw new Error("PostgreSQL was installed but initdb/pg_ctl were not found");
  }
  mkdirSync(CLUSTER, { recursive: true });
  if (isRoot) execFileSync("chown", ["postgres:postgres", CLUSTER]);
  if (!existsSync(join(DATA, "PG_VERSION"))) {
    log(`creating a cluster in ${DATA}`);
    asServerUser(join(binDir, "initdb"), ["-D", DATA, "-A", "trust", "-U", "postgres", "--no-sync", "-E", "UTF8"]);
  }

  const portFile = join(CLUSTER, "port");
  let started = false;
  if (!isRunning(binDir)) {
    const port = await freePort();
    writeFileSync(portFile, String(port));
    // Durability settings are off: this server holds only disposable test data.
    asServerUser(join(binDir, "pg_ctl"), [
      "-D",
      DATA,
      "-l",
      join(CLUSTER, "server.log"),
      "-w",
      "-o",
      `-p ${port} -k ${CLUSTER} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300`,
      "start",
    ]);
    started = true;
    log(`started on 127.0.0.1:${port}`);
  }
  const port = Number(readFileSync(portFile, "utf8"));
  const url = `postgresql://postgres@127.0.0.1:${port}/tracklight`;
  await createDatabase(url, "tracklight");
  return {
    url,
    started,
    stopIfStarted: async () => {
      if (started) stopPostgres();
    },
  };
}

export function stopPostgres() {
  const binDir = findBinDir();
  if (!binDir || !existsSync(join(DATA, "postmaster.pid"))) return;
  try {
    asServerUser(join(binDir, "pg_ctl"), ["-D", DATA, "-m", "fast", "-w", "stop"]);
    log("stopped");
  } catch (error) {
    log(String(error));
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const command = process.argv[2] ?? "start";
  if (command === "stop") stopPostgres();
  else {
    const { url } = await ensurePostgres();
    console.log(url);
  }
}
