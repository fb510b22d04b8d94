// Read one shop's recent orders from Shopify now, with a progress bar, instead of waiting for a worker.
//
//   npm run backfill -- <shop-domain> [--days N]
//
// Uses the app's own configuration (DATABASE_URL, SHOPIFY_*, ENCRYPTION_KEY from the environment)
// and the shop's stored offline session. It queues a backfill exactly as the admin does and runs
// the job queue inline until that run is finished; while it waits it also runs whatever else is
// due, as any worker would. Safe next to running workers (jobs are leased) and safe to interrupt:
// the run resumes where it stopped when a worker (or this command) picks it up again.
//
// Progress goes to stderr; exit code 0 when the run completed, 1 when it failed, 2 on bad usage.
import { setTimeout as sleep } from "node:timers/promises";
import { parseArgs } from "node:util";

const USAGE = "usage: npm run backfill -- <shop-domain> [--days N]";
const MAX_DAYS = 3_650;

interface RunRecord {
  id: string;
  state: string;
  sinceDate: Date;
  totalObjects: number | null;
  totalBytes: number | null;
  bytesRead: number;
  linesProcessed: number;
  ordersProcessed: number;
  trackingNumbersFound: number;
  error: string | null;
}

function usageError(message: string): never {
  process.stderr.write(`${message}\n${USAGE}\n`);
  process.exit(2);
}

function parseCommandLine(): { domain: string; days: number | null } {
  let parsed;
  try {
    parsed = parseArgs({
      args: process.argv.slice(2),
      options: { days: { type: "string" }, help: { type: "boolean", short: "h" } },
      allowPositionals: true,
    });
  } catch (error) {
    usageError(error instanceof Error ? error.message : String(error));
  }
  if (parsed.values.help) {
    process.stdout.write(`${USAGE}\n  --days N   how many days back to read (default: the shop's backfill setting)\n`);
    process.exit(0);
  }
  const [domain, ...extra] = parsed.positionals;
  if (!domain) usageError("missing the shop domain");
  if (extra.length > 0) usageError(`unexpected arguments: ${extra.join(" ")}`);
  let days: number | null = null;
  if (parsed.values.days !== undefined) {
    days = Number(parsed.values.days);
    if (!/^\d+$/.test(parsed.values.days) || days < 1 || days > MAX_DAYS) usageError(`--days must be a whole number from 1 to ${MAX_DAYS}`);
  }
  return { domain: domain.trim().toLowerCase(), days };
}

const count = (n: number) => n.toLocaleString("en-US");

function size(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} kB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

const BAR_WIDTH = 30;

/** Percentage once Shopify has told us the file size; null before. */
function percentOf(run: RunRecord): number | null {
  if (run.state === "completed") return 100;
  if (!run.totalBytes) return null;
  return Math.min(100, Math.floor((run.bytesRead / run.totalBytes) * 100));
}

function progressLine(run: RunRecord, retryNote: string | null): string {
  const percent = percentOf(run);
  const filled = percent === null ? 0 : Math.round((percent / 100) * BAR_WIDTH);
  const bar = `[${"#".repeat(filled)}${(percent === null ? " " : "-").repeat(BAR_WIDTH - filled)}]`;
  const pct = percent === null ? "   …" : `${String(percent).padStart(3)}%`;
  let phase: string;
  switch (run.state) {
    case "queued":
      phase = "queued";
      break;
    case "waiting_for_shopify":
      phase = `Shopify is preparing the export${run.totalObjects ? ` (${count(run.totalObjects)} objects so far)` : ""}`;
      break;
    case "downloading":
      phase = `reading ${size(run.bytesRead)} of ${size(run.totalBytes ?? 0)}`;
      break;
    default:
      phase = run.state;
  }
  const counts = `${count(run.ordersProcessed)} orders, ${count(run.trackingNumbersFound)} tracking numbers`;
  return `${bar} ${pct}  ${counts}  ${phase}${retryNote ? `  (retrying: ${retryNote})` : ""}`;
}

/** Redraws one line on a terminal; elsewhere (logs, CI) writes a line only when something visible changed. */
class ProgressRenderer {
  readonly #tty = Boolean(process.stderr.isTTY);
  #last = "";
  #lastKey = "";

  draw(run: RunRecord, retryNote: string | null): void {
    const line = progressLine(run, retryNote);
    if (this.#tty) {
      if (line !== this.#last) process.stderr.write(`\r\x1b[2K${line}`);
    } else {
      // In a log, one line per state and per 10 %, not one per tick.
      const percent = percentOf(run);
      const key = `${run.state}:${percent === null ? "-" : Math.floor(percent / 10)}:${retryNote ?? ""}`;
      if (key !== this.#lastKey) process.stderr.write(`${line}\n`);
      this.#lastKey = key;
    }
    this.#last = line;
  }

  finish(): void {
    if (this.#tty && this.#last) process.stderr.write("\n");
  }
}

async function main(): Promise<number> {
  const { domain, days: requestedDays } = parseCommandLine();

  // Loaded after the arguments are checked: the context validates the environment and opens the database.
  let services: import("~/services/context.server").ServiceContext;
  try {
    const { appContext } = await import("~/context.server");
    services = appContext();
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    return 2;
  }
  const { ALL_JOBS } = await import("~/jobs/definitions.server");
  const { JobRunner } = await import("~/jobs/runner.server");
  const { listJobs } = await import("~/jobs/queue.server");
  const { requestBackfill } = await import("~/services/shops.server");
  const { prisma } = services.db;

  try {
    const shop = await prisma.shop.findUnique({ where: { domain } });
    if (!shop) {
      process.stderr.write(`unknown shop ${domain}: the app has not been installed there\n`);
      return 2;
    }
    if (shop.uninstalledAt) {
      process.stderr.write(`the app is uninstalled from ${domain}\n`);
      return 2;
    }
    const days = requestedDays ?? shop.backfillDays;

    let runId = await requestBackfill(services, shop.id, days);
    if (runId) {
      process.stderr.write(`Backfilling ${domain}: orders of the last ${days} days (run ${runId})\n`);
    } else {
      const current = await prisma.backfillRun.findFirst({ where: { shopId: shop.id }, orderBy: { createdAt: "desc" } });
      if (!current) throw new Error("requestBackfill refused but no run exists");
      runId = current.id;
      process.stderr.write(`A backfill of ${domain} is already under way (run ${runId}, since ${current.sinceDate.toISOString().slice(0, 10)}); following it\n`);
    }

    const readRun = () => prisma.backfillRun.findUniqueOrThrow({ where: { id: runId } });
    const readJob = async () => (await listJobs(services.db, { dedupeKey: `backfill:${runId}` }))[0];
    const renderer = new ProgressRenderer();
    const startedAt = Date.now();
    let retryNote: string | null = null;

    // The download is one long job step: redraw from the run record while it runs.
    let drawing = Promise.resolve();
    const ticker = setInterval(() => {
      drawing = drawing.then(async () => renderer.draw(await readRun(), retryNote)).catch(() => {});
    }, 250);

    const runner = new JobRunner(services, ALL_JOBS, { concurrency: 1 });
    let run: RunRecord;
    let stuck: string | null = null;
    try {
      for (;;) {
        const ran = await runner.runDue();
        run = await readRun();
        if (run.state === "completed" || run.state === "failed") break;
        const job = await readJob();
        if (!job || job.state === "dead" || job.state === "cancelled" || job.state === "succeeded") {
          stuck = job ? `its job is ${job.state}${job.lastError ? `: ${job.lastError}` : ""}` : "it has no job";
          break;
        }
        // A step that threw is retried with backoff; say so rather than look stalled.
        retryNote = job.attempts > 0 && job.lastError ? `${job.attempts} failed, last: ${job.lastError.slice(0, 120)}` : null;
        renderer.draw(run, retryNote);
        if (ran === 0) {
          // Another worker may hold the job; otherwise wake when its reschedule is due.
          const dueInMs = job.state === "running" ? 500 : job.runAt.getTime() - Date.now();
          await sleep(Math.min(1_000, Math.max(50, dueInMs)));
        }
      }
    } finally {
      clearInterval(ticker);
      await drawing;
    }

    run = await readRun();
    renderer.draw(run, null);
    renderer.finish();
    const seconds = ((Date.now() - startedAt) / 1000).toFixed(1);
    if (run.state === "completed") {
      process.stderr.write(
        `Backfill of ${domain} completed: ${count(run.ordersProcessed)} orders, ${count(run.trackingNumbersFound)} tracking numbers ` +
          `from ${count(run.linesProcessed)} lines (${size(run.totalBytes ?? 0)}) in ${seconds}s\n`,
      );
      return 0;
    }
    process.stderr.write(`Backfill of ${domain} failed: ${run.state === "failed" ? (run.error ?? "unknown error") : `run ${run.id} is stuck in ${run.state}; ${stuck}`}\n`);
    return 1;
  } finally {
    await services.db.close();
  }
}

process.on("SIGINT", () => {
  process.stderr.write("\nInterrupted. The backfill resumes where it stopped when a worker picks it up.\n");
  process.exit(130);
});

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`backfill failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
