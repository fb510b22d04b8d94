import { createHash } from "node:crypto";
import { fromPrisma, PgBoss, TestClock, type CommandResponse, type Db, type JobWithMetadata } from "pg-boss";
// The supervisor's heartbeat-expiry statement (see claim()).
import { failJobsByHeartbeat } from "pg-boss/dist/plans.js";
import type { Database } from "~/db/database.server";
import { uuidv7 } from "~/lib/ids";
import type { ClaimedJob, EnqueueOptions, EnqueueResult, JobClient, JobFilter, JobQueue, JobRecord, JobState, SqlExecutor } from "./queue.server";

/**
 * The job queue on pg-boss, for PostgreSQL deployments (docs/decisions/0018-pg-boss-on-postgresql.md).
 *
 * One pg-boss queue holds every job type; our job type, shop, keys and attempt bookkeeping travel
 * in the job's data. How each guarantee of the port maps onto pg-boss:
 * - in a transaction: `send(..., { db: fromPrisma(tx) })` writes with the transaction's own connection;
 * - dedupeKey: the job's id is derived from the key, and pg-boss inserts ON CONFLICT DO NOTHING, so a
 *   second enqueue is a no-op for as long as the first job is kept (deleteAfterSeconds: the retention);
 * - singletonKey: the queue's `short` policy allows one *created* job per singleton key; jobs without a
 *   key get a unique one so they never collide; a running or retrying job does not block a new one;
 * - leases: `heartbeatSeconds` (the claiming worker's lease, set on the jobs it fetched) with `touch()` as
 *   the heartbeat; the supervisor's expiry statement (run before claims) moves a job whose heartbeat
 *   stopped back to retry, where another worker fetches it (crash takeover);
 * - retries: pg-boss never gives up on its own (a huge retryLimit, no delay). The decision stays in
 *   retry-policy.ts: a retry is `fail()` followed by `update()` to our delay, in one transaction; dead
 *   is a fail with the retry limit lowered to zero. Attempts = pg-boss's retryCount + 1 minus the
 *   retries that did not count (rate limits, reschedules), kept in the job's data.
 * Every settle names the attempt it fetched (`{ id, retryCount }`), so a worker that lost its lease
 * cannot settle a job another worker now holds.
 */

const QUEUE = "tracklight";
const SCHEMA = "pgboss";
/** pg-boss must never end a job on its own: only retry-policy.ts decides that a job is dead. */
const NEVER_GIVE_UP = 1_000_000;
/** A single run may hold a job this long while heartbeating; beyond it pg-boss retries it. */
const LONGEST_RUN_SECONDS = 6 * 60 * 60;
/** Finished jobs (and so their dedupe keys) are kept a week, as on the embedded queue. */
const RETENTION_SECONDS = 7 * 24 * 60 * 60;
/** Queued jobs are never dropped for waiting too long (a shop paused for a month still resumes). */
const QUEUED_RETENTION_SECONDS = 10 * 365 * 24 * 60 * 60;

interface JobData {
  type: string;
  payload: unknown;
  shopId: string | null;
  dedupeKey: string | null;
  singletonKey: string | null;
  maxAttempts: number;
  /** Retries that did not use up an attempt (rate limits, reschedules). */
  freeRetries: number;
  lastError: string | null;
  /** The enqueuer's clock, not the database's (pg-boss stamps created_on itself). */
  enqueuedAtMs: number;
}

interface Claim {
  retryCount: number;
  data: JobData;
}

export interface PgBossQueueOptions {
  /** The lease: a running job whose heartbeat stops for this long is handed to another worker. */
  leaseMs: number;
  /**
   * Time moved by hand (in-process tests): pg-boss then reads "now" from the caller's clock, passed
   * to every claim, instead of the database's. Production uses the database clock.
   */
  controlledTime?: boolean;
  /** Connections pg-boss opens itself (claims, settles); enqueues in a transaction use Prisma's. */
  poolSize?: number;
}

/** One hand-moved clock per database, shared by its engines in this process so they agree on "now". */
const controlledClocks = new Map<string, TestClock>();
function controlledClockFor(url: string): TestClock {
  let clock = controlledClocks.get(url);
  if (!clock) controlledClocks.set(url, (clock = new TestClock(Date.now())));
  return clock;
}
let starting: Promise<void> = Promise.resolve();
const clockMoves = new WeakMap<TestClock, Promise<void>>();

/** A stable UUID for a dedupe key: pg-boss dedupes on the job id. */
function idForDedupeKey(key: string): string {
  const hex = createHash("sha256").update(`tracklight-job:${key}`).digest("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-${((parseInt(hex.slice(16, 17), 16) & 0x3) | 0x8).toString(16)}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

const STATE_OF: Record<JobWithMetadata["state"], JobState> = {
  created: "queued",
  retry: "queued",
  active: "running",
  completed: "succeeded",
  failed: "dead",
  cancelled: "cancelled",
};

export class PgBossJobQueue implements JobQueue {
  readonly engine = "pg-boss";
  readonly #boss: PgBoss;
  readonly #clock: TestClock | null;
  readonly #heartbeatSeconds: number;
  readonly #ready: Promise<void>;
  readonly #claims = new Map<string, Claim>();
  #table = "job";
  #lastSweepMs = 0;

  constructor(db: Database, options: PgBossQueueOptions) {
    // pg-boss refuses heartbeats under 10 s.
    this.#heartbeatSeconds = Math.max(10, Math.ceil(options.leaseMs / 1000));
    this.#clock = options.controlledTime ? controlledClockFor(db.url) : null;
    this.#boss = new PgBoss({
      connectionString: db.url,
      schema: SCHEMA,
      max: options.poolSize ?? 4,
      application_name: "tracklight-jobs",
      schedule: false,
      registerInstance: false,
      // With time moved by hand the supervisor runs before each claim instead (see claim()).
      supervise: !options.controlledTime,
      // Expired heartbeats are found by the monitor pass: run it often enough that a lease means a lease.
      superviseIntervalSeconds: Math.max(10, Math.floor(this.#heartbeatSeconds / 2)),
      monitorIntervalSeconds: Math.max(10, Math.floor(this.#heartbeatSeconds / 2)),
      ...(this.#clock ? { clock: this.#clock } : {}),
    });
    this.#boss.on("error", () => {
      // Connection errors surface on the next call (and in /healthz); the event must have a listener.
    });
    this.#ready = this.#start();
    this.#ready.catch(() => {});
  }

  async #start(): Promise<void> {
    // Engines of one process start one after another: attaching a hand-moved clock recreates its
    // table, which two instances must not do at the same moment.
    const started = starting.then(() => this.#boss.start());
    starting = started.then(() => {}, () => {});
    await started;
    const queue = {
      policy: "short" as const,
      retryLimit: NEVER_GIVE_UP,
      retryDelay: 0,
      expireInSeconds: LONGEST_RUN_SECONDS,
      heartbeatSeconds: this.#heartbeatSeconds,
      deleteAfterSeconds: RETENTION_SECONDS,
      retentionSeconds: QUEUED_RETENTION_SECONDS,
    };
    // Several processes start at once: whoever loses the race to create the queue finds it created.
    if (!(await this.#boss.getQueue(QUEUE))) await this.#boss.createQueue(QUEUE, queue).catch(() => {});
    this.#table = (await this.#boss.getQueue(QUEUE))?.table ?? "job";
  }

  /** pg-boss's test clock takes one move at a time; claims and settles (of any engine sharing it) may overlap. */
  #time(now: Date): Promise<void> {
    const clock = this.#clock;
    if (!clock) return Promise.resolve();
    const move = (clockMoves.get(clock) ?? Promise.resolve()).then(() => (clock.now() === now.getTime() ? undefined : clock.setTime(now)));
    clockMoves.set(clock, move.catch(() => {}));
    return move;
  }

  async enqueue(target: Database | SqlExecutor, now: Date, type: string, payload: unknown, options: EnqueueOptions): Promise<EnqueueResult> {
    await this.#ready;
    const id = options.dedupeKey ? idForDedupeKey(options.dedupeKey) : uuidv7(now.getTime());
    const data: JobData = {
      type,
      payload,
      shopId: options.shopId ?? null,
      dedupeKey: options.dedupeKey ?? null,
      singletonKey: options.singletonKey ?? null,
      maxAttempts: options.maxAttempts ?? 12,
      freeRetries: 0,
      lastError: null,
      enqueuedAtMs: now.getTime(),
    };
    // Outside a transaction pg-boss uses its own pool; inside one, the transaction's connection.
    const db = "dialect" in target ? undefined : fromPrisma(target);
    const sent = await this.#boss.send(QUEUE, data, {
      id,
      // Every job needs a key under the `short` policy, or all keyless jobs would share one slot.
      singletonKey: options.singletonKey ? `key:${options.singletonKey}` : `job:${id}`,
      startAfter: options.runAt ?? now,
      heartbeatSeconds: this.#heartbeatSeconds,
      ...(db ? { db } : {}),
    });
    return sent ? "ENQUEUED" : "DUPLICATE";
  }

  async claim(workerId: string, now: Date, limit: number, _leaseMs: number): Promise<ClaimedJob[]> {
    await this.#ready;
    await this.#time(now);
    // Hand back jobs whose heartbeat stopped (their worker died) with the supervisor's own
    // statement, at most once a second: the supervisor alone passes every ≥10 s, which would add
    // up to that to every takeover. Under a hand-moved clock no timer runs, so before every claim.
    if (this.#clock || Date.now() - this.#lastSweepMs >= 1_000) {
      this.#lastSweepMs = Date.now();
      await this.#boss.getDb().executeSql(failJobsByHeartbeat(SCHEMA, this.#table, [QUEUE], false));
    }
    const jobs = await this.#boss.fetch<JobData>(QUEUE, { batchSize: limit, includeMetadata: true });
    // The lease belongs to the worker that holds the job, as on the embedded queue, not to whichever
    // process enqueued it (pg-boss copies heartbeatSeconds at insert, and can edit only waiting jobs).
    const foreignLease = jobs.filter((job) => job.heartbeatSeconds !== this.#heartbeatSeconds).map((job) => job.id);
    if (foreignLease.length > 0) {
      await this.#boss.getDb().executeSql(`UPDATE ${SCHEMA}.${this.#table} SET heartbeat_seconds = $1 WHERE name = $2 AND id = ANY($3::uuid[]) AND state = 'active'`, [this.#heartbeatSeconds, QUEUE, foreignLease]);
    }
    const claimed: ClaimedJob[] = [];
    for (const job of jobs) {
      const attempts = job.retryCount + 1 - job.data.freeRetries;
      this.#claims.set(`${workerId} ${job.id}`, { retryCount: job.retryCount, data: job.data });
      if (attempts > job.data.maxAttempts) {
        // Its worker died on every attempt (a lease ran out each time): stop handing it out.
        await this.markDead(job.id, workerId, now, job.data.lastError ?? "the worker stopped during every attempt");
        continue;
      }
      claimed.push({
        id: job.id,
        type: job.data.type,
        payload: JSON.stringify(job.data.payload),
        shopId: job.data.shopId,
        attempts,
        maxAttempts: job.data.maxAttempts,
      });
    }
    return claimed;
  }

  #claimOf(jobId: string, workerId: string): Claim | undefined {
    return this.#claims.get(`${workerId} ${jobId}`);
  }

  async renewLease(jobId: string, workerId: string, _until: Date): Promise<boolean> {
    const claim = this.#claimOf(jobId, workerId);
    if (!claim) return false;
    const touched = await this.#boss.touch(QUEUE, { id: jobId, retryCount: claim.retryCount });
    return affected(touched) === 1;
  }

  /** Runs settle steps in one transaction; false (and nothing changed) when the attempt is no longer ours. */
  async #settle(jobId: string, workerId: string, now: Date, steps: (db: Db, claim: Claim) => Promise<boolean>): Promise<boolean> {
    await this.#ready;
    const claim = this.#claimOf(jobId, workerId);
    if (!claim) return false;
    await this.#time(now);
    const transaction = await this.#boss.getDb().beginTransaction!();
    try {
      if (!(await steps(transaction.db, claim))) {
        await transaction.rollback();
        return false;
      }
      await transaction.commit();
      this.#claims.delete(`${workerId} ${jobId}`);
      return true;
    } catch (error) {
      await transaction.rollback();
      throw error;
    }
  }

  markSucceeded(jobId: string, workerId: string, now: Date, result: string): Promise<boolean> {
    return this.#settle(jobId, workerId, now, async (db, claim) => {
      const completed = await this.#boss.complete(QUEUE, { id: jobId, retryCount: claim.retryCount }, { result }, { db });
      if (affected(completed) !== 1) return false;
      // A finished job keeps its dedupe key but not its payload, which may hold a customer's e-mail.
      // pg-boss has no call to edit a finished job, so this statement writes its `data` column
      // directly, in the same transaction as the completion (with the lease in claim(), the only
      // two writes of ours to pg-boss's table).
      await db.executeSql(`UPDATE ${SCHEMA}.job SET data = jsonb_set(data, '{payload}', '{}'::jsonb) WHERE name = $1 AND id = $2`, [QUEUE, jobId]);
      return true;
    });
  }

  markForRetry(jobId: string, workerId: string, now: Date, runAt: Date, error: string | null, consumesAttempt: boolean): Promise<boolean> {
    return this.#settle(jobId, workerId, now, async (db, claim) => {
      const failed = await this.#boss.fail(QUEUE, { id: jobId, retryCount: claim.retryCount }, { error }, { db });
      if (affected(failed) !== 1) return false;
      const data: JobData = {
        ...claim.data,
        lastError: error ?? claim.data.lastError,
        freeRetries: claim.data.freeRetries + (consumesAttempt ? 0 : 1),
      };
      await this.#boss.update(QUEUE, data, { id: jobId, startAfter: runAt, db });
      return true;
    });
  }

  markDead(jobId: string, workerId: string, now: Date, error: string): Promise<boolean> {
    return this.#settle(jobId, workerId, now, async (db, claim) => {
      const failed = await this.#boss.fail(QUEUE, { id: jobId, retryCount: claim.retryCount }, { error }, { db });
      if (affected(failed) !== 1) return false;
      // The first fail left it waiting to retry (pg-boss never gives up on its own); with the limit
      // at zero the second one is terminal.
      await this.#boss.update(QUEUE, { ...claim.data, lastError: error }, { id: jobId, retryLimit: 0, db });
      await this.#boss.fail(QUEUE, jobId, { error }, { db });
      return true;
    });
  }

  async cancelQueuedForShop(executor: SqlExecutor, shopId: string, _now: Date): Promise<number> {
    await this.#ready;
    const db = fromPrisma(executor);
    const queued = await this.#boss.findJobs<JobData>(QUEUE, { data: { shopId }, queued: true, limit: 100_000, db });
    if (queued.length === 0) return 0;
    return affected(await this.#boss.cancel(QUEUE, queued.map((job) => job.id), { db }));
  }

  async rescheduleQueued(jobId: string, runAt: Date): Promise<boolean> {
    await this.#ready;
    return (await this.#boss.update(QUEUE, undefined, { id: jobId, startAfter: runAt })).updated === 1;
  }

  /** pg-boss deletes finished jobs itself (deleteAfterSeconds) during its maintenance. */
  async pruneFinished(_olderThan: Date): Promise<number> {
    return 0;
  }

  async list(filter: JobFilter, client?: JobClient): Promise<JobRecord[]> {
    await this.#ready;
    const data: Record<string, unknown> = {};
    if (filter.type) data.type = filter.type;
    if (filter.shopId !== undefined) data.shopId = filter.shopId;
    if (filter.dedupeKey) data.dedupeKey = filter.dedupeKey;
    const db = client ? fromPrisma(client) : undefined;
    const jobs = await this.#boss.findJobs<JobData>(QUEUE, { ...(filter.id ? { id: filter.id } : {}), data, limit: 100_000, ...(db ? { db } : {}) });
    return jobs
      .map((job) => recordOf(job))
      .filter((job) => !filter.states || filter.states.includes(job.state))
      .filter((job) => !filter.ids || filter.ids.includes(job.id))
      .filter((job) => !filter.notType || job.type !== filter.notType)
      .filter((job) => !filter.dueBy || job.runAt.getTime() <= filter.dueBy.getTime())
      .filter((job) => !filter.payloadContains || job.payload.includes(filter.payloadContains))
      .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  async delete(filter: JobFilter, client?: JobClient): Promise<number> {
    const ids = (await this.list(filter, client)).map((job) => job.id);
    if (ids.length === 0) return 0;
    const db = client ? fromPrisma(client) : undefined;
    return affected(await this.#boss.deleteJob(QUEUE, ids, db ? { db } : {}));
  }

  async check(): Promise<void> {
    await this.#ready;
    if (!(await this.#boss.isInstalled())) throw new Error("the pg-boss schema is missing");
    await this.#boss.getDb().executeSql("SELECT 1");
  }

  async close(): Promise<void> {
    await this.#ready.catch(() => {});
    await this.#boss.stop({ graceful: false, close: true, timeout: 5_000 });
  }
}

/** pg-boss's command responses carry `affected` at run time; its type declares an empty object. */
function affected(response: CommandResponse): number {
  return (response as { affected?: number }).affected ?? 0;
}

function recordOf(job: JobWithMetadata<JobData>): JobRecord {
  const output = (job.output ?? {}) as { result?: string; error?: string };
  const state = STATE_OF[job.state];
  // retryCount counts claims after the first; a queued job that never ran has used no attempt.
  const claims = job.startedOn ? job.retryCount + 1 : job.retryCount;
  return {
    id: job.id,
    type: job.data.type,
    shopId: job.data.shopId,
    state,
    payload: JSON.stringify(job.data.payload),
    result: state === "succeeded" ? (output.result ?? null) : null,
    lastError: job.data.lastError ?? output.error ?? null,
    attempts: claims - job.data.freeRetries,
    maxAttempts: job.data.maxAttempts,
    runAt: new Date(job.startAfter),
    dedupeKey: job.data.dedupeKey,
    singletonKey: state === "queued" && job.retryCount === 0 && !job.startedOn ? job.data.singletonKey : null,
    createdAt: new Date(job.data.enqueuedAtMs),
  };
}
