import type { Database } from "~/db/database.server";
import { claimJobs, listJobs, markDead, markForRetry, type ClaimedJob, type JobFilter, type JobRecord } from "~/jobs/queue.server";

/**
 * Tests inspect jobs through the queue port, never through an engine's tables: the same assertion
 * then holds on the embedded queue (SQLite) and on pg-boss (PostgreSQL).
 */
export { countJobs, deleteJobs, listJobs } from "~/jobs/queue.server";

/** The one job matching the filter; throws when there is none or more than one. */
export async function findJob(db: Database, filter: JobFilter): Promise<JobRecord> {
  const jobs = await listJobs(db, filter);
  if (jobs.length !== 1) throw new Error(`expected one job matching ${JSON.stringify(filter)}, found ${jobs.length}`);
  return jobs[0]!;
}

/** The first job (in creation order) matching the filter; throws when there is none. */
export async function findFirstJob(db: Database, filter: JobFilter = {}): Promise<JobRecord> {
  const [job] = await listJobs(db, filter);
  if (!job) throw new Error(`no job matches ${JSON.stringify(filter)}`);
  return job;
}

/**
 * Claim these queued, due jobs as `workerId` through the engine, the way a worker does; other due
 * jobs claimed along the way go back untouched (no attempt used). For tests that need a job in a
 * state only a worker can put it in: crashed while holding it, waiting after a failed attempt, dead.
 */
export async function claimJobsAs(db: Database, workerId: string, now: Date, ids: ReadonlyArray<string>): Promise<ClaimedJob[]> {
  const wanted = new Set(ids);
  const claimed = await claimJobs(db, workerId, now, 100_000, 60_000);
  for (const job of claimed) {
    if (!wanted.has(job.id)) await markForRetry(db, job.id, workerId, now, now, null, false);
  }
  const mine = claimed.filter((job) => wanted.has(job.id));
  if (mine.length !== wanted.size) throw new Error(`only ${mine.length} of ${wanted.size} jobs were queued and due`);
  return mine;
}

/** The jobs failed once (with `error`) and wait for a retry at `runAt`. */
export async function failJobsOnce(db: Database, ids: ReadonlyArray<string>, runAt: Date, error: string, now = new Date()): Promise<void> {
  for (const job of await claimJobsAs(db, "test-worker", now, ids)) await markForRetry(db, job.id, "test-worker", now, runAt, error, true);
}

/** The jobs failed for good (dead letters), keeping `error`. */
export async function killJobs(db: Database, ids: ReadonlyArray<string>, error: string, now = new Date()): Promise<void> {
  for (const job of await claimJobsAs(db, "test-worker", now, ids)) await markDead(db, job.id, "test-worker", now, error);
}
