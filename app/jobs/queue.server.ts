import type { Database, PrismaClient, TransactionClient } from "~/db/database.server";
import { PgBossJobQueue } from "./pg-boss-queue.server";
import * as sql from "./sql-queue.server";

/**
 * The job queue port. Two engines sit behind it: the embedded `Job` table (SQLite, and
 * PostgreSQL when JOB_ENGINE=sql) and pg-boss on PostgreSQL. Callers (services, the runner,
 * admin screens, tests) use only the functions below, never the engines' tables.
 * See docs/decisions/0003-durable-job-queue.md and docs/decisions/0018-pg-boss-on-postgresql.md.
 */

export interface EnqueueOptions {
  shopId?: string | null;
  /** Permanent idempotency key: enqueueing the same key again does nothing, forever (until pruned). */
  dedupeKey?: string;
  /** At most one queued job with this key; a second enqueue while one waits does nothing. */
  singletonKey?: string;
  runAt?: Date;
  maxAttempts?: number;
}

export type EnqueueResult = "ENQUEUED" | "DUPLICATE";

/** A Prisma client or transaction client: jobs enqueued through it commit or roll back with it. */
export type SqlExecutor = Pick<PrismaClient, "$executeRaw" | "$queryRaw" | "$queryRawUnsafe"> | TransactionClient;

export interface ClaimedJob {
  id: string;
  type: string;
  payload: string;
  shopId: string | null;
  /** Attempts including this one. */
  attempts: number;
  maxAttempts: number;
}

export type JobState = "queued" | "running" | "succeeded" | "dead" | "cancelled";

/** A job as the port reports it, whichever engine stores it. */
export interface JobRecord {
  id: string;
  type: string;
  shopId: string | null;
  state: JobState;
  /** JSON text; "{}" once the job succeeded. */
  payload: string;
  result: string | null;
  lastError: string | null;
  attempts: number;
  maxAttempts: number;
  runAt: Date;
  dedupeKey: string | null;
  singletonKey: string | null;
  createdAt: Date;
}

export interface JobFilter {
  id?: string;
  ids?: ReadonlyArray<string>;
  type?: string;
  /** Every type but this one. */
  notType?: string;
  shopId?: string | null;
  dedupeKey?: string;
  /** Jobs due to run by this time. */
  dueBy?: Date;
  states?: ReadonlyArray<JobState>;
  /** Jobs whose payload contains this exact text (GDPR redaction). */
  payloadContains?: string;
}

/** The Prisma model client (whole client or transaction) list and delete run on. */
export type JobClient = PrismaClient | TransactionClient;

export interface JobQueue {
  readonly engine: "sql" | "pg-boss";
  enqueue(target: Database | SqlExecutor, now: Date, type: string, payload: unknown, options: EnqueueOptions): Promise<EnqueueResult>;
  claim(workerId: string, now: Date, limit: number, leaseMs: number): Promise<ClaimedJob[]>;
  renewLease(jobId: string, workerId: string, until: Date): Promise<boolean>;
  markSucceeded(jobId: string, workerId: string, now: Date, result: string): Promise<boolean>;
  markForRetry(jobId: string, workerId: string, now: Date, runAt: Date, error: string | null, consumesAttempt: boolean): Promise<boolean>;
  markDead(jobId: string, workerId: string, now: Date, error: string): Promise<boolean>;
  cancelQueuedForShop(executor: SqlExecutor, shopId: string, now: Date): Promise<number>;
  /** Move a queued job's next run (an operator's "retry now"); false when it is not queued. */
  rescheduleQueued(jobId: string, runAt: Date): Promise<boolean>;
  pruneFinished(olderThan: Date): Promise<number>;
  list(filter: JobFilter, client?: JobClient): Promise<JobRecord[]>;
  delete(filter: JobFilter, client?: JobClient): Promise<number>;
  /** Throws when the engine cannot take or hand out jobs (the health endpoint). */
  check(): Promise<void>;
  close(): Promise<void>;
}

class SqlJobQueue implements JobQueue {
  readonly engine = "sql";
  constructor(private readonly db: Database) {}
  enqueue(target: Database | SqlExecutor, now: Date, type: string, payload: unknown, options: EnqueueOptions) {
    return sql.enqueueJob(target, now, type, payload, options);
  }
  claim(workerId: string, now: Date, limit: number, leaseMs: number) {
    return sql.claimJobs(this.db, workerId, now, limit, leaseMs);
  }
  renewLease(jobId: string, workerId: string, until: Date) {
    return sql.renewLease(this.db, jobId, workerId, until);
  }
  markSucceeded(jobId: string, workerId: string, now: Date, result: string) {
    return sql.markSucceeded(this.db, jobId, workerId, now, result);
  }
  markForRetry(jobId: string, workerId: string, now: Date, runAt: Date, error: string | null, consumesAttempt: boolean) {
    return sql.markForRetry(this.db, jobId, workerId, now, runAt, error, consumesAttempt);
  }
  markDead(jobId: string, workerId: string, now: Date, error: string) {
    return sql.markDead(this.db, jobId, workerId, now, error);
  }
  cancelQueuedForShop(executor: SqlExecutor, shopId: string, now: Date) {
    return sql.cancelQueuedJobsForShop(executor, shopId, now);
  }
  rescheduleQueued(jobId: string, runAt: Date) {
    return sql.rescheduleQueuedJob(this.db, jobId, runAt);
  }
  pruneFinished(olderThan: Date) {
    return sql.pruneFinishedJobs(this.db, olderThan);
  }
  list(filter: JobFilter, client?: JobClient) {
    return sql.listJobs(client ?? this.db.prisma, filter);
  }
  delete(filter: JobFilter, client?: JobClient) {
    return sql.deleteJobs(client ?? this.db.prisma, filter);
  }
  check() {
    return sql.checkJobTable(this.db);
  }
  async close() {}
}

export type JobEngine = JobQueue["engine"];

/** pg-boss on PostgreSQL unless JOB_ENGINE=sql; SQLite always has the embedded queue. */
export function jobEngineFor(db: Database, requested = process.env.JOB_ENGINE): JobEngine {
  if (db.dialect !== "postgresql") return "sql";
  if (requested === "sql") return "sql";
  if (requested === undefined || requested === "" || requested === "pg-boss") return "pg-boss";
  throw new Error(`JOB_ENGINE must be "pg-boss" or "sql", not "${requested}"`);
}

const queues = new WeakMap<Database, JobQueue>();
/** Every engine in use, so that a transaction's client finds the engine of its database. */
const engines = new Set<{ db: Database; queue: JobQueue }>();

/** Install an engine for a database (tests and the factory). Replaces any earlier one. */
export function useJobQueue(db: Database, queue: JobQueue): JobQueue {
  for (const entry of engines) if (entry.db === db) engines.delete(entry);
  queues.set(db, queue);
  engines.add({ db, queue });
  return queue;
}

/** A new engine for a database; `jobQueueFor` is the one to use, this is for tests comparing engines. */
export function createJobQueue(db: Database, engine: JobEngine, options: { leaseMs?: number } = {}): JobQueue {
  if (engine === "sql") return new SqlJobQueue(db);
  return new PgBossJobQueue(db, {
    leaseMs: options.leaseMs ?? Number(process.env.JOB_LEASE_MS ?? 60_000),
    // In-process tests move time by hand (test/support/clock.ts); real processes use real time.
    controlledTime: Boolean(process.env.VITEST),
  });
}

/** The job queue of a database, created on first use. */
export function jobQueueFor(db: Database): JobQueue {
  return queues.get(db) ?? useJobQueue(db, createJobQueue(db, jobEngineFor(db)));
}

/** Stop a database's engine (pg-boss holds its own connections); call before closing the database. */
export async function closeJobQueue(db: Database): Promise<void> {
  const queue = queues.get(db);
  if (!queue) return;
  queues.delete(db);
  for (const entry of engines) if (entry.db === db) engines.delete(entry);
  await queue.close();
}

/**
 * A transaction or Prisma client carries no Database; find the engine it belongs to. With an
 * external engine in the process (pg-boss), a client of its database enqueues there; a process
 * with pg-boss on several databases must pass the Database instead.
 */
function queueForTarget(target: Database | SqlExecutor): JobQueue | null {
  if ("dialect" in target) return jobQueueFor(target);
  const all = [...engines];
  const exact = all.find((entry) => entry.db.prisma === target);
  if (exact) return exact.queue;
  const external = all.filter((entry) => entry.queue.engine !== "sql");
  const urls = new Set(external.map((entry) => entry.db.url));
  // Engines of the same database are interchangeable (two Database objects on one URL, as when
  // tests open their own beside the app's): any of them writes through the transaction's connection.
  if (urls.size === 1) return external[0]!.queue;
  if (urls.size > 1) throw new Error("pg-boss job engines for several databases in this process: pass the Database, not a client");
  // Without a started engine a PostgreSQL client would write to the embedded table, where no
  // pg-boss worker ever looks: refuse rather than lose the job.
  const provider = (target as { _activeProvider?: string })._activeProvider;
  const postgresEngines = all.some((entry) => entry.db.dialect === "postgresql");
  if (provider === "postgresql" && !postgresEngines && process.env.JOB_ENGINE !== "sql") {
    throw new Error("no job engine started for this PostgreSQL database: call jobQueueFor(db) when opening it");
  }
  return null;
}

/**
 * Queue a job. Inside a transaction, pass its client: the job then commits together with the
 * data that caused it. Otherwise pass the Database.
 */
export async function enqueueJob(
  target: Database | SqlExecutor,
  now: Date,
  type: string,
  payload: unknown,
  options: EnqueueOptions = {},
): Promise<EnqueueResult> {
  const queue = queueForTarget(target);
  return queue ? queue.enqueue(target, now, type, payload, options) : sql.enqueueJob(target, now, type, payload, options);
}

export function claimJobs(db: Database, workerId: string, now: Date, limit: number, leaseMs: number): Promise<ClaimedJob[]> {
  return jobQueueFor(db).claim(workerId, now, limit, leaseMs);
}

/** Extend a running job's lease. False when the lease was lost (another worker took the job over). */
export function renewLease(db: Database, jobId: string, workerId: string, until: Date): Promise<boolean> {
  return jobQueueFor(db).renewLease(jobId, workerId, until);
}

/** Every settle is conditional on still owning the job, so a worker that lost its lease cannot overwrite the new owner. */
export function markSucceeded(db: Database, jobId: string, workerId: string, now: Date, result: string): Promise<boolean> {
  return jobQueueFor(db).markSucceeded(jobId, workerId, now, result);
}

export function markForRetry(
  db: Database,
  jobId: string,
  workerId: string,
  now: Date,
  runAt: Date,
  /** Null keeps the previous error (a reschedule is not a failure). */
  error: string | null,
  consumesAttempt: boolean,
): Promise<boolean> {
  return jobQueueFor(db).markForRetry(jobId, workerId, now, runAt, error, consumesAttempt);
}

export function markDead(db: Database, jobId: string, workerId: string, now: Date, error: string): Promise<boolean> {
  return jobQueueFor(db).markDead(jobId, workerId, now, error);
}

/** Stop everything queued for a shop (uninstall). Running jobs finish their current step and then find the shop inactive. */
export async function cancelQueuedJobsForShop(executor: Database | SqlExecutor, shopId: string, now: Date): Promise<number> {
  const queue = queueForTarget(executor);
  const client = "dialect" in executor ? executor.prisma : executor;
  return queue ? queue.cancelQueuedForShop(client, shopId, now) : sql.cancelQueuedJobsForShop(client, shopId, now);
}

/** Move a queued job's next run (an operator's "retry now"); false when it is not queued. */
export function rescheduleQueuedJob(db: Database, jobId: string, runAt: Date): Promise<boolean> {
  return jobQueueFor(db).rescheduleQueued(jobId, runAt);
}

/** Delete finished jobs older than the retention window; dedupe keys live as long as their job. */
export function pruneFinishedJobs(db: Database, olderThan: Date): Promise<number> {
  return jobQueueFor(db).pruneFinished(olderThan);
}

function queueAndClient(target: Database | JobClient): [JobQueue | null, JobClient] {
  return "dialect" in target ? [jobQueueFor(target), target.prisma] : [queueForTarget(target), target];
}

/**
 * Jobs matching a filter, in creation order: for admin screens, scripts and tests (never read the
 * engines' tables). Pass a transaction client to read inside the transaction.
 */
export function listJobs(target: Database | JobClient, filter: JobFilter = {}): Promise<JobRecord[]> {
  const [queue, client] = queueAndClient(target);
  return queue ? queue.list(filter, client) : sql.listJobs(client, filter);
}

export async function countJobs(target: Database | JobClient, filter: JobFilter = {}): Promise<number> {
  return (await listJobs(target, filter)).length;
}

/** Delete jobs outright (GDPR redaction, tests). Pass a transaction client to delete with the transaction. */
export function deleteJobs(target: Database | JobClient, filter: JobFilter = {}): Promise<number> {
  const [queue, client] = queueAndClient(target);
  return queue ? queue.delete(filter, client) : sql.deleteJobs(client, filter);
}
