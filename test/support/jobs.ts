import type { Database } from "~/db/database.server";
import { listJobs, type JobFilter, type JobRecord } from "~/jobs/queue.server";

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
