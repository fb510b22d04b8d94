import { createHmac } from "node:crypto";
import { unixSeconds } from "./time";

/**
 * Outgoing TrackingMore webhooks.
 *
 * v4: body `{meta:{code:200,message:"Success"},data:<v4 Tracking>}`, headers `timestamp` (unix seconds)
 * and `signature = hex(HMAC-SHA256(key = webhook secret, msg = timestamp))`. The body is not signed.
 * v2: body `{meta, data:<v2 item>, verifyInfo:{timeStr, signature}}` with
 * `signature = hex(HMAC-SHA256(key = account e-mail, msg = String(timeStr)))`.
 *
 * Retries: any non-2xx answer or connection failure is retried up to `maxRetries` times, retry n
 * `2^n × retryBaseMs` after the failed attempt (the doc mirror's formula "2^(number of retry) × 30 s").
 * TrackingMore does not say whether a retry reuses the first timestamp; we re-sign every attempt with
 * a fresh one, which is what a receiver enforcing a freshness window needs to accept retries at all.
 * The tracking data itself is the snapshot taken when the change happened.
 */

export function signV4Webhook(secret: string, timestamp: string | number): string {
  return createHmac("sha256", secret).update(String(timestamp)).digest("hex");
}

export function signV2Webhook(email: string, timeStr: string | number): string {
  return createHmac("sha256", email).update(String(timeStr)).digest("hex");
}

export interface WebhookJob {
  url: string;
  version: "v4" | "v2";
  trackingNumber: string;
  /** v4: webhook secret (or the account e-mail when no secret is set); v2: the account e-mail. */
  signingKey: string;
  /** Rendered tracking at the time of the change. */
  data: unknown;
}

export interface WebhookDelivery {
  url: string;
  version: "v4" | "v2";
  trackingNumber: string;
  /** 1 for the first delivery, n + 1 for retry n. */
  attempt: number;
  /** null when no HTTP answer arrived (connection refused, reset, timeout). */
  httpStatus: number | null;
  headers: Record<string, string>;
  body: string;
  /** Epoch ms (real clock) when the attempt finished. */
  at: number;
  error?: string;
}

export interface WebhookDispatcherOptions {
  retryBaseMs: number;
  maxRetries: number;
  /** Per-attempt timeout; TrackingMore documents none, 10 s is a conventional sender default. */
  timeoutMs: number;
  /** Clock for the signed timestamps. */
  now: () => Date;
}

export function buildWebhookRequest(job: WebhookJob, timestamp: number): { headers: Record<string, string>; body: string } {
  if (job.version === "v4") {
    return {
      headers: {
        "content-type": "application/json",
        timestamp: String(timestamp),
        signature: signV4Webhook(job.signingKey, timestamp),
      },
      body: JSON.stringify({ meta: { code: 200, message: "Success" }, data: job.data }),
    };
  }
  return {
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      meta: { code: 200, type: "Success", message: "Success" },
      data: job.data,
      verifyInfo: { timeStr: timestamp, signature: signV2Webhook(job.signingKey, timestamp) },
    }),
  };
}

export class WebhookDispatcher {
  readonly deliveries: WebhookDelivery[] = [];
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly abort = new AbortController();
  private readonly idleWaiters: Array<() => void> = [];
  /** In-flight attempts plus scheduled retries. */
  private pending = 0;
  private closed = false;

  constructor(private readonly options: WebhookDispatcherOptions) {}

  /** Resolves when every first attempt has finished; retries continue in the background. */
  async dispatch(jobs: readonly WebhookJob[]): Promise<void> {
    await Promise.all(jobs.map((job) => this.attempt(job, 1)));
  }

  /** Resolves once nothing is in flight or scheduled (or the dispatcher is closed). */
  whenIdle(): Promise<void> {
    if (this.pending === 0 || this.closed) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  close(): void {
    this.closed = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    this.abort.abort();
    this.pending = 0;
    this.flushIdle();
  }

  private flushIdle(): void {
    if (this.pending !== 0 && !this.closed) return;
    for (const resolve of this.idleWaiters.splice(0)) resolve();
  }

  private async attempt(job: WebhookJob, attempt: number): Promise<void> {
    if (this.closed) return;
    this.pending += 1;
    try {
      const { headers, body } = buildWebhookRequest(job, unixSeconds(this.options.now()));
      let httpStatus: number | null = null;
      let error: string | undefined;
      try {
        const response = await fetch(job.url, {
          method: "POST",
          headers,
          body,
          redirect: "manual",
          signal: AbortSignal.any([this.abort.signal, AbortSignal.timeout(this.options.timeoutMs)]),
        });
        httpStatus = response.status;
        await response.arrayBuffer().catch(() => undefined);
      } catch (err) {
        error = err instanceof Error ? (err.cause instanceof Error ? `${err.message}: ${err.cause.message}` : err.message) : String(err);
      }
      if (this.closed) return;
      this.deliveries.push({ url: job.url, version: job.version, trackingNumber: job.trackingNumber, attempt, httpStatus, headers, body, at: Date.now(), ...(error ? { error } : {}) });
      const delivered = httpStatus !== null && httpStatus >= 200 && httpStatus < 300;
      const retry = attempt; // the retry number the next attempt would be
      if (!delivered && retry <= this.options.maxRetries) this.schedule(job, attempt + 1, 2 ** retry * this.options.retryBaseMs);
    } finally {
      if (!this.closed) {
        this.pending -= 1;
        this.flushIdle();
      }
    }
  }

  private schedule(job: WebhookJob, attempt: number, delayMs: number): void {
    this.pending += 1;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      // attempt() counts itself as pending synchronously, so idleness is not signalled in between.
      void this.attempt(job, attempt);
      this.pending -= 1;
    }, delayMs);
    // Pending retries alone must not keep a process (or a forgotten test) alive.
    timer.unref();
    this.timers.add(timer);
  }
}
