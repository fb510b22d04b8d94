/**
 * Track Alert webhook delivery. `POST <destination.url>` with `credential: <exact credential>`,
 * `User-Agent: UPSPubSubTrackingService` and a JSON `TrackingEventRequest`.
 *
 * No retries: UPS documents none ("If this endpoint is not continuously available, incoming events
 * will be lost"), so a non-2xx answer, a connection error or a receiver slower than the timeout is
 * recorded once and the event is gone. UPS asks for an acknowledgement "within milliseconds" without
 * a number; the timeout is an option (default 5 s). Redirects are not followed (a 3xx is a failure).
 */

export interface DeliveryResult {
  url: string;
  /** The clean number, even when the body carries the documented leading space. */
  trackingNumber: string;
  /** null when no HTTP answer arrived (refused, reset, timeout). */
  httpStatus: number | null;
  headers: Record<string, string>;
  body: string;
  /** Epoch ms (real clock) when the attempt finished. */
  at: number;
  error?: string;
}

export interface DeliveryJob {
  url: string;
  credential: string;
  trackingNumber: string;
  body: unknown;
}

export const WEBHOOK_USER_AGENT = "UPSPubSubTrackingService";

export class WebhookDeliverer {
  readonly deliveries: DeliveryResult[] = [];
  private readonly abort = new AbortController();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly idleWaiters: Array<() => void> = [];
  /** In-flight attempts plus scheduled (CIE) sends. */
  private pending = 0;
  private closed = false;

  constructor(private readonly timeoutMs: number) {}

  async deliver(job: DeliveryJob): Promise<DeliveryResult> {
    this.pending += 1;
    const headers = { "content-type": "application/json", credential: job.credential, "user-agent": WEBHOOK_USER_AGENT };
    const body = JSON.stringify(job.body);
    let httpStatus: number | null = null;
    let error: string | undefined;
    try {
      const response = await fetch(job.url, {
        method: "POST",
        headers,
        body,
        redirect: "manual",
        signal: AbortSignal.any([this.abort.signal, AbortSignal.timeout(this.timeoutMs)]),
      });
      httpStatus = response.status;
      await response.arrayBuffer().catch(() => undefined);
    } catch (err) {
      if (err instanceof Error && err.name === "TimeoutError") error = `no answer within ${this.timeoutMs} ms`;
      else error = err instanceof Error ? (err.cause instanceof Error ? `${err.message}: ${err.cause.message}` : err.message) : String(err);
    }
    const result: DeliveryResult = { url: job.url, trackingNumber: job.trackingNumber, httpStatus, headers, body, at: Date.now(), ...(error ? { error } : {}) };
    if (!this.closed) this.deliveries.push(result);
    this.settle();
    return result;
  }

  /** Run `send` after `delayMs`; counts as pending from now so `whenIdle` waits for it. */
  schedule(delayMs: number, send: () => Promise<unknown>): void {
    if (this.closed) return;
    this.pending += 1;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      // This slot stays pending until `send` settles, deliveries it starts included.
      void send()
        .catch(() => undefined)
        .finally(() => this.settle());
    }, delayMs);
    this.timers.add(timer);
  }

  whenIdle(): Promise<void> {
    if (this.pending === 0 || this.closed) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  close(): void {
    this.closed = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    this.abort.abort();
    for (const resolve of this.idleWaiters.splice(0)) resolve();
  }

  private settle(): void {
    this.pending -= 1;
    if (this.pending > 0 && !this.closed) return;
    for (const resolve of this.idleWaiters.splice(0)) resolve();
  }
}
