import type { Database } from "~/db/database.server";
import { jobQueueFor } from "~/jobs/queue.server";

export type CheckResult = "ok" | "failed";

export interface HealthReport {
  ok: boolean;
  database: CheckResult;
  jobs: CheckResult;
}

/** A check that hangs (a database that stopped answering) counts as failed once this passes. */
export const HEALTH_CHECK_TIMEOUT_MS = 2_000;

async function passes(check: () => Promise<unknown>, timeoutMs: number): Promise<CheckResult> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<CheckResult>((resolve) => {
    timer = setTimeout(() => resolve("failed"), timeoutMs);
  });
  try {
    return await Promise.race([check().then((): CheckResult => "ok", (): CheckResult => "failed"), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * What a load balancer or orchestrator asks before sending traffic: the database answers a
 * trivial query, and the job engine can take jobs (the Job table on SQLite; pg-boss started with
 * its schema on PostgreSQL). Which check failed is reported, never why: errors can name hosts.
 */
export async function checkHealth(db: Database, timeoutMs = HEALTH_CHECK_TIMEOUT_MS): Promise<HealthReport> {
  const [database, jobs] = await Promise.all([
    passes(() => db.prisma.$queryRaw`SELECT 1`, timeoutMs),
    passes(() => jobQueueFor(db).check(), timeoutMs),
  ]);
  return { ok: database === "ok" && jobs === "ok", database, jobs };
}
