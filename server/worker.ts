// The background worker: runs the durable job queue, enqueues periodic work, and checkpoints
// SQLite's WAL (web processes leave that to it; see app/db/database.server.ts).
//   npm run worker       (DATABASE_URL, SHOPIFY_*, ENCRYPTION_KEY from the environment)
// Safe to run several at once and to kill at any moment: jobs are leased, and a job whose
// worker died is taken over when its lease runs out. On SIGTERM it stops claiming, lets running
// jobs finish for up to WORKER_SHUTDOWN_GRACE_MS, releases the rest to other workers, and exits 0.
import { config } from "~/config.server";
import { appContext } from "~/context.server";
import { checkpointSqlite } from "~/db/database.server";
import { ALL_JOBS } from "~/jobs/definitions.server";
import { closeJobQueue, jobQueueFor } from "~/jobs/queue.server";
import { JobRunner } from "~/jobs/runner.server";
import { schedulePeriodicWork } from "~/jobs/scheduler.server";

const appConfig = config();
const services = appContext();
/** Under the usual 30 s an orchestrator waits between SIGTERM and SIGKILL. */
const shutdownGraceMs = Number(process.env.WORKER_SHUTDOWN_GRACE_MS ?? 20_000);
// Fail at start, not at the first job, when the job engine cannot start (pg-boss installs its schema here).
await jobQueueFor(services.db).check();
const runner = new JobRunner(services, ALL_JOBS, {
  concurrency: appConfig.WORKER_CONCURRENCY,
  leaseMs: appConfig.JOB_LEASE_MS,
  pollIntervalMs: Number(process.env.WORKER_POLL_INTERVAL_MS ?? 500),
});

const scheduleEveryMs = Number(process.env.WORKER_SCHEDULE_INTERVAL_MS ?? 60_000);
const tick = () =>
  schedulePeriodicWork(services).catch((error: unknown) => services.log.error({ err: error }, "scheduling periodic work failed"));
await tick();
const scheduler = setInterval(tick, scheduleEveryMs);
const checkpoints = setInterval(() => {
  checkpointSqlite(services.db).catch((error: unknown) => services.log.warn({ err: error }, "WAL checkpoint failed"));
}, Number(process.env.WORKER_CHECKPOINT_INTERVAL_MS ?? 5_000));
runner.start();
services.log.info({ workerId: runner.workerId, concurrency: appConfig.WORKER_CONCURRENCY }, "worker started");

let stopping = false;
async function shutdown(signal: string) {
  if (stopping) return;
  stopping = true;
  services.log.info({ signal }, "worker stopping");
  clearInterval(scheduler);
  clearInterval(checkpoints);
  // A last resort: whatever hangs below must not turn a clean stop into a SIGKILL.
  setTimeout(() => process.exit(1), shutdownGraceMs + 10_000).unref();
  const { released } = await runner.stop({ graceMs: shutdownGraceMs });
  services.log.info({ released }, "worker stopped");
  await closeJobQueue(services.db);
  await services.db.close();
  process.exit(0);
}
process.on("SIGTERM", () => void shutdown("SIGTERM"));
process.on("SIGINT", () => void shutdown("SIGINT"));
