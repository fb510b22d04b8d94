import { Prisma } from "~/generated/prisma-sqlite/client";
import type { Database } from "~/db/database.server";
import { uuidv7 } from "~/lib/ids";
import { toSqliteValue } from "~/db/serialized-sqlite-adapter.server";

import type { ClaimedJob, EnqueueOptions, EnqueueResult, JobClient, JobFilter, JobRecord, JobState, SqlExecutor } from "./queue.server";

/**
 * The embedded job engine: the `Job` table. Enqueue, claim with a lease, and settle in plain SQL
 * that runs unchanged on SQLite and PostgreSQL except for the claim, where PostgreSQL adds SKIP
 * LOCKED so that workers never wait on each other. See docs/decisions/0003-durable-job-queue.md;
 * PostgreSQL deployments use pg-boss instead (docs/decisions/0018-pg-boss-on-postgresql.md).
 */

/** The same insert as the tagged template in `enqueueJob`, for the direct SQLite path. */
const INSERT_JOB_SQLITE = `INSERT INTO "Job" ("id", "type", "payload", "shopId", "state", "dedupeKey", "singletonKey",
                   "attempts", "maxAttempts", "runAtMs", "createdAt", "updatedAt")
  VALUES (?, ?, ?, ?, 'queued', ?, ?, 0, ?, ?, ?, ?)
  ON CONFLICT DO NOTHING`;

/** On SQLite a Database target writes without Prisma's per-query overhead (the webhook acknowledgement path). */
export async function enqueueJob(
  target: Database | SqlExecutor,
  now: Date,
  type: string,
  payload: unknown,
  options: EnqueueOptions = {},
): Promise<EnqueueResult> {
  const id = uuidv7(now.getTime());
  const body = JSON.stringify(payload);
  const shopId = options.shopId ?? null;
  const dedupeKey = options.dedupeKey ?? null;
  const singletonKey = options.singletonKey ?? null;
  const maxAttempts = options.maxAttempts ?? 12;
  const runAtMs = BigInt((options.runAt ?? now).getTime());
  if ("dialect" in target && target.runDirect) {
    const values = [id, type, body, shopId, dedupeKey, singletonKey, maxAttempts, runAtMs, now, now];
    return (await target.runDirect(INSERT_JOB_SQLITE, values.map(toSqliteValue))) === 1 ? "ENQUEUED" : "DUPLICATE";
  }
  const executor = "dialect" in target ? target.prisma : target;
  const inserted = await executor.$executeRaw`
    INSERT INTO "Job" ("id", "type", "payload", "shopId", "state", "dedupeKey", "singletonKey",
                       "attempts", "maxAttempts", "runAtMs", "createdAt", "updatedAt")
    VALUES (${id}, ${type}, ${body}, ${shopId}, 'queued', ${dedupeKey}, ${singletonKey}, 0, ${maxAttempts},
            ${runAtMs}, ${now}, ${now})
    ON CONFLICT DO NOTHING`;
  return inserted === 1 ? "ENQUEUED" : "DUPLICATE";
}

interface ClaimedRow {
  id: string;
  type: string;
  payload: string;
  shopId: string | null;
  attempts: number | bigint;
  maxAttempts: number | bigint;
}

/**
 * Take up to `limit` due jobs: queued ones whose time has come, and running ones whose lease
 * expired (their worker died). Both halves use the (state, runAtMs) index: running jobs are
 * few at any moment, so finding the expired ones among them needs no index of its own. Counting the attempt here means a job that crashes its worker
 * every time still ends in the dead-letter state.
 */
export async function claimJobs(db: Database, workerId: string, now: Date, limit: number, leaseMs: number): Promise<ClaimedJob[]> {
  const nowMs = BigInt(now.getTime());
  const leaseUntil = BigInt(now.getTime() + leaseMs);
  const candidates =
    db.dialect === "postgresql"
      ? Prisma.sql`SELECT "id" FROM "Job"
           WHERE ("state" = 'queued' AND "runAtMs" <= ${nowMs}) OR ("state" = 'running' AND "lockedUntilMs" < ${nowMs})
           ORDER BY "runAtMs" LIMIT ${limit} FOR UPDATE SKIP LOCKED`
      : // Two index-friendly halves instead of an OR that SQLite would answer with a table scan.
        Prisma.sql`SELECT "id" FROM (
             SELECT "id", "runAtMs" FROM "Job" WHERE "state" = 'queued' AND "runAtMs" <= ${nowMs}
             UNION ALL
             SELECT "id", "runAtMs" FROM "Job" WHERE "state" = 'running' AND "lockedUntilMs" < ${nowMs}
           ) ORDER BY "runAtMs" LIMIT ${limit}`;
  const rows = await db.prisma.$queryRaw<ClaimedRow[]>`
    UPDATE "Job" SET "state" = 'running', "lockedBy" = ${workerId}, "lockedUntilMs" = ${leaseUntil},
                     "attempts" = "attempts" + 1, "singletonKey" = NULL, "updatedAt" = ${now}
    WHERE "id" IN (${candidates})
    RETURNING "id", "type", "payload", "shopId", "attempts", "maxAttempts"`;
  return rows.map((row) => ({
    id: row.id,
    type: row.type,
    payload: row.payload,
    shopId: row.shopId,
    attempts: Number(row.attempts),
    maxAttempts: Number(row.maxAttempts),
  }));
}

/** Extend a running job's lease. False when the lease was lost (another worker took the job over). */
export async function renewLease(db: Database, jobId: string, workerId: string, until: Date): Promise<boolean> {
  const updated = await db.prisma.$executeRaw`
    UPDATE "Job" SET "lockedUntilMs" = ${BigInt(until.getTime())}
    WHERE "id" = ${jobId} AND "lockedBy" = ${workerId} AND "state" = 'running'`;
  return updated === 1;
}

/**
 * Every settle is conditional on still owning the job, so a worker that lost its lease cannot
 * overwrite the new owner. A finished job keeps its dedupe key but not its payload, which may
 * hold a customer's e-mail: nothing needs it any more.
 */
export async function markSucceeded(db: Database, jobId: string, workerId: string, now: Date, result: string): Promise<boolean> {
  const updated = await db.prisma.$executeRaw`
    UPDATE "Job" SET "state" = 'succeeded', "result" = ${result}, "payload" = '{}', "lockedBy" = NULL, "lockedUntilMs" = NULL,
                     "finishedAt" = ${now}, "updatedAt" = ${now}
    WHERE "id" = ${jobId} AND "lockedBy" = ${workerId} AND "state" = 'running'`;
  return updated === 1;
}

export async function markForRetry(
  db: Database,
  jobId: string,
  workerId: string,
  now: Date,
  runAt: Date,
  /** Null keeps the previous error (a reschedule is not a failure). */
  error: string | null,
  consumesAttempt: boolean,
): Promise<boolean> {
  const attemptAdjustment = consumesAttempt ? 0 : 1;
  const updated = await db.prisma.$executeRaw`
    UPDATE "Job" SET "state" = 'queued', "runAtMs" = ${BigInt(runAt.getTime())}, "lastError" = COALESCE(${error}, "lastError"),
                     "attempts" = "attempts" - ${attemptAdjustment}, "lockedBy" = NULL, "lockedUntilMs" = NULL,
                     "updatedAt" = ${now}
    WHERE "id" = ${jobId} AND "lockedBy" = ${workerId} AND "state" = 'running'`;
  return updated === 1;
}

export async function markDead(db: Database, jobId: string, workerId: string, now: Date, error: string): Promise<boolean> {
  const updated = await db.prisma.$executeRaw`
    UPDATE "Job" SET "state" = 'dead', "lastError" = ${error}, "lockedBy" = NULL, "lockedUntilMs" = NULL,
                     "finishedAt" = ${now}, "updatedAt" = ${now}
    WHERE "id" = ${jobId} AND "lockedBy" = ${workerId} AND "state" = 'running'`;
  return updated === 1;
}

/** Stop everything queued for a shop (uninstall). Running jobs finish their current step and then find the shop inactive. */
export async function cancelQueuedJobsForShop(executor: SqlExecutor, shopId: string, now: Date): Promise<number> {
  return executor.$executeRaw`
    UPDATE "Job" SET "state" = 'cancelled', "singletonKey" = NULL, "finishedAt" = ${now}, "updatedAt" = ${now}
    WHERE "shopId" = ${shopId} AND "state" = 'queued'`;
}

export async function rescheduleQueuedJob(db: Database, jobId: string, runAt: Date): Promise<boolean> {
  const updated = await db.prisma.$executeRaw`
    UPDATE "Job" SET "runAtMs" = ${BigInt(runAt.getTime())} WHERE "id" = ${jobId} AND "state" = 'queued'`;
  return updated === 1;
}

/** Delete finished jobs older than the retention window; dedupe keys live as long as their job. */
export async function pruneFinishedJobs(db: Database, olderThan: Date): Promise<number> {
  return db.prisma.job.deleteMany({
    where: { state: { in: ["succeeded", "cancelled"] }, finishedAt: { lt: olderThan } },
  }).then((result) => result.count);
}

function whereOf(filter: JobFilter) {
  return {
    ...(filter.id ? { id: filter.id } : {}),
    ...(filter.ids ? { id: { in: [...filter.ids] } } : {}),
    ...(filter.type ? { type: filter.type } : filter.notType ? { type: { not: filter.notType } } : {}),
    ...(filter.dueBy ? { runAtMs: { lte: BigInt(filter.dueBy.getTime()) } } : {}),
    ...(filter.shopId !== undefined ? { shopId: filter.shopId } : {}),
    ...(filter.dedupeKey ? { dedupeKey: filter.dedupeKey } : {}),
    ...(filter.states ? { state: { in: [...filter.states] } } : {}),
    ...(filter.payloadContains ? { payload: { contains: filter.payloadContains } } : {}),
  };
}

export async function listJobs(client: JobClient, filter: JobFilter = {}): Promise<JobRecord[]> {
  const rows = await client.job.findMany({ where: whereOf(filter), orderBy: { id: "asc" } });
  // The database's LIKE treats "_" and "%" as wildcards: keep only exact matches.
  const matching = filter.payloadContains ? rows.filter((row) => row.payload.includes(filter.payloadContains!)) : rows;
  return matching.map((row) => ({
    id: row.id,
    type: row.type,
    shopId: row.shopId,
    state: row.state as JobState,
    payload: row.payload,
    result: row.result,
    lastError: row.lastError,
    attempts: row.attempts,
    maxAttempts: row.maxAttempts,
    runAt: new Date(Number(row.runAtMs)),
    dedupeKey: row.dedupeKey,
    singletonKey: row.singletonKey,
    createdAt: row.createdAt,
  }));
}

export async function deleteJobs(client: JobClient, filter: JobFilter = {}): Promise<number> {
  if (filter.payloadContains) {
    const ids = (await listJobs(client, filter)).map((job) => job.id);
    return ids.length === 0 ? 0 : (await client.job.deleteMany({ where: { id: { in: ids } } })).count;
  }
  return (await client.job.deleteMany({ where: whereOf(filter) })).count;
}

export async function checkJobTable(db: Database): Promise<void> {
  await db.prisma.$queryRaw`SELECT "id" FROM "Job" LIMIT 1`;
}
