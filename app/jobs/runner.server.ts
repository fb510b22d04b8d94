import { randomUUID } from "node:crypto";
import { hostname } from "node:os";
import type { z } from "zod";
import type { ServiceContext } from "~/services/context.server";
import type { JobType } from "./job-types";
import { claimJobs, markDead, markForRetry, markSucceeded, renewLease, type ClaimedJob } from "./queue.server";
import { decideFailure, describe, InvalidJobPayloadError } from "./retry-policy";

export interface JobOutcome {
  /** Service result, kept on the job row for the merchant and for tests (e.g. "REGISTERED"). */
  result: string;
  /** Come back later without counting an attempt (a backfill waiting for Shopify, a batch with more to do). */
  rescheduleInMs?: number;
}

export interface JobRunContext {
  services: ServiceContext;
  job: ClaimedJob;
  /** Aborted when the lease is lost: another worker owns the job now. */
  signal: AbortSignal;
}

export interface JobDefinition<Payload = unknown> {
  type: JobType;
  payload: z.ZodType<Payload>;
  run(payload: Payload, context: JobRunContext): Promise<JobOutcome>;
}

export function defineJob<Payload>(definition: JobDefinition<Payload>): JobDefinition<Payload> {
  return definition;
}

export interface RunnerOptions {
  workerId?: string;
  concurrency?: number;
  leaseMs?: number;
  /** Idle wait between polls for due jobs. */
  pollIntervalMs?: number;
  random?: () => number;
}

export type SettledAs = "succeeded" | "rescheduled" | "retry" | "dead" | "lost_lease";

/**
 * Claims due jobs, runs them with a heartbeat on their lease, and settles each one. Every
 * failure goes through `decideFailure`; handlers only throw.
 */
export class JobRunner {
  readonly workerId: string;
  readonly #definitions: Map<string, JobDefinition<unknown>>;
  readonly #concurrency: number;
  readonly #leaseMs: number;
  readonly #pollIntervalMs: number;
  readonly #random: () => number;
  #running = false;
  #loop: Promise<void> | null = null;
  #wake: (() => void) | null = null;
  readonly #inFlight = new Set<Promise<SettledAs>>();
  /** Running jobs and how to stop them, for a shutdown that cannot wait for all of them. */
  readonly #runningJobs = new Map<string, { job: ClaimedJob; abort: AbortController }>();

  constructor(
    private readonly services: ServiceContext,
    definitions: ReadonlyArray<JobDefinition<never>>,
    options: RunnerOptions = {},
  ) {
    this.workerId = options.workerId ?? `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
    this.#definitions = new Map(definitions.map((definition) => [definition.type, definition as unknown as JobDefinition<unknown>]));
    this.#concurrency = options.concurrency ?? 4;
    this.#leaseMs = options.leaseMs ?? 60_000;
    this.#pollIntervalMs = options.pollIntervalMs ?? 500;
    this.#random = options.random ?? Math.random;
  }

  /** Claim and run whatever is due, up to the free concurrency; resolves when those jobs settle. */
  async runDue(): Promise<number> {
    const free = this.#concurrency - this.#inFlight.size;
    if (free <= 0) return 0;
    const jobs = await claimJobs(this.services.db, this.workerId, this.services.clock.now(), free, this.#leaseMs);
    await Promise.all(jobs.map((job) => this.#track(this.#execute(job))));
    return jobs.length;
  }

  /** Run until nothing is due. For tests and the CLI; `maxJobs` guards against a job that reschedules itself forever. */
  async drain(maxJobs = 10_000): Promise<number> {
    let total = 0;
    for (;;) {
      const ran = await this.runDue();
      total += ran;
      if (ran === 0 || total >= maxJobs) return total;
    }
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#loop = this.#pollLoop();
  }

  /**
   * Stop claiming, and wait for running jobs to settle. With `graceMs`, jobs still running after it
   * are released (queued again at once, no attempt used) so that another worker takes them now
   * instead of when their lease runs out; their handlers are aborted. Returns how many were released.
   */
  async stop(options: { graceMs?: number } = {}): Promise<{ released: number }> {
    this.#running = false;
    this.#wake?.();
    await this.#loop;
    if (options.graceMs === undefined) {
      await Promise.all(this.#inFlight);
      return { released: 0 };
    }
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([Promise.all(this.#inFlight), new Promise((resolve) => (timer = setTimeout(resolve, options.graceMs)))]);
    clearTimeout(timer);
    let released = 0;
    for (const { job, abort } of [...this.#runningJobs.values()]) {
      const now = this.services.clock.now();
      // Released first, then aborted: a handler that settles on abort finds the job no longer its own.
      if (await markForRetry(this.services.db, job.id, this.workerId, now, now, null, false)) released++;
      abort.abort(new Error("worker stopping"));
    }
    return { released };
  }

  async #pollLoop(): Promise<void> {
    while (this.#running) {
      let claimed = 0;
      try {
        const free = this.#concurrency - this.#inFlight.size;
        if (free > 0) {
          const jobs = await claimJobs(this.services.db, this.workerId, this.services.clock.now(), free, this.#leaseMs);
          claimed = jobs.length;
          for (const job of jobs) {
            void this.#track(this.#execute(job)).finally(() => this.#wake?.());
          }
        }
      } catch (error) {
        this.services.log.error({ err: error }, "claiming jobs failed");
      }
      if (!this.#running) break;
      if (claimed === 0 || this.#inFlight.size >= this.#concurrency) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, this.#pollIntervalMs);
          this.#wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        this.#wake = null;
      }
    }
  }

  #track(promise: Promise<SettledAs>): Promise<SettledAs> {
    this.#inFlight.add(promise);
    void promise.finally(() => this.#inFlight.delete(promise));
    return promise;
  }

  async #execute(job: ClaimedJob): Promise<SettledAs> {
    const { db, clock, log } = this.services;
    const abort = new AbortController();
    this.#runningJobs.set(job.id, { job, abort });
    const heartbeat = setInterval(() => {
      renewLease(db, job.id, this.workerId, new Date(clock.now().getTime() + this.#leaseMs))
        .then((kept) => {
          if (!kept) abort.abort(new Error("lease lost"));
        })
        .catch(() => {});
    }, Math.max(50, Math.floor(this.#leaseMs / 3)));
    heartbeat.unref?.();

    try {
      const definition = this.#definitions.get(job.type);
      if (!definition) throw new InvalidJobPayloadError(`no handler for job type ${job.type}`);
      const payload = definition.payload.safeParse(JSON.parse(job.payload));
      if (!payload.success) throw new InvalidJobPayloadError(`invalid ${job.type} payload: ${payload.error.message}`);
      const outcome = await definition.run(payload.data, { services: this.services, job, signal: abort.signal });
      const now = clock.now();
      if (outcome.rescheduleInMs !== undefined) {
        const kept = await markForRetry(db, job.id, this.workerId, now, new Date(now.getTime() + outcome.rescheduleInMs), null, false);
        return kept ? "rescheduled" : "lost_lease";
      }
      const kept = await markSucceeded(db, job.id, this.workerId, now, outcome.result);
      return kept ? "succeeded" : "lost_lease";
    } catch (error) {
      const now = clock.now();
      const decision = decideFailure(error, job.attempts, job.maxAttempts, this.#random);
      const message = describe(error).slice(0, 2_000);
      if (decision.kind === "dead") {
        log.warn({ jobId: job.id, type: job.type, error: message }, "job moved to dead letters");
        return (await markDead(db, job.id, this.workerId, now, decision.reason.slice(0, 2_000))) ? "dead" : "lost_lease";
      }
      log.info({ jobId: job.id, type: job.type, attempt: job.attempts, delayMs: decision.delayMs, error: message }, "job will retry");
      const kept = await markForRetry(db, job.id, this.workerId, now, new Date(now.getTime() + decision.delayMs), message, decision.consumesAttempt);
      return kept ? "retry" : "lost_lease";
    } finally {
      clearInterval(heartbeat);
      this.#runningJobs.delete(job.id);
    }
  }
}
