import { createHmac, randomUUID } from "node:crypto";
import { request as httpRequest, type IncomingMessage } from "node:http";
import { request as httpsRequest } from "node:https";

/**
 * Delivers webhooks the way Shopify does: POST of the raw JSON body signed with the app's API
 * secret (base64 HMAC-SHA256 in X-Shopify-Hmac-Sha256), the X-Shopify-* headers, a 5 s timeout,
 * no redirects followed, and up to 8 retries with exponential backoff for any non-2xx answer or
 * timeout. Retries reuse the webhook id (that is what lets an app deduplicate) and event id.
 */

export interface WebhookDeliveryResult {
  webhookId: string;
  /** Null when no HTTP answer arrived (timeout, connection refused, no app URL). */
  httpStatus: number | null;
  body: string;
}

export interface WebhookDeliveryRecord {
  topic: string;
  shop: string;
  webhookId: string;
  eventId: string;
  attempt: number;
  httpStatus: number | null;
  durationMs: number;
  url: string | null;
  error: string | null;
  at: string;
}

export interface SendOptions {
  webhookId?: string;
  eventId?: string;
  /** Default `/webhooks/<topic>`. */
  path?: string;
  /** Sent instead of the real signature (tests of invalid HMACs). */
  hmacOverride?: string;
  /** Header names (any case) to leave out. */
  omitHeaders?: string[];
  /** Default true: failed deliveries are retried in the background. */
  retry?: boolean;
  apiVersion?: string;
  triggeredAt?: Date;
}

export interface WebhookSenderOptions {
  apiSecretKey: string;
  appUrl(): string | null;
  apiVersion: string;
  retryBaseMs: number;
  timeoutMs: number;
  now(): Date;
}

/** Shopify's schedule: 8 retries after the first attempt, spread over roughly four hours at the default base. */
export const MAX_WEBHOOK_RETRIES = 8;

export function webhookPath(topic: string): string {
  return `/webhooks/${topic}`;
}

export function signWebhookBody(body: string | Buffer, secret: string): string {
  return createHmac("sha256", secret).update(body).digest("base64");
}

export class WebhookSender {
  readonly deliveries: WebhookDeliveryRecord[] = [];
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly inFlight = new Set<{ destroy(): void }>();
  private closed = false;

  constructor(private readonly options: WebhookSenderOptions) {}

  async send(shop: string, topic: string, payload: unknown, opts: SendOptions = {}): Promise<WebhookDeliveryResult> {
    const body = JSON.stringify(payload);
    const webhookId = opts.webhookId ?? randomUUID();
    const eventId = opts.eventId ?? randomUUID();
    const triggeredAt = (opts.triggeredAt ?? this.options.now()).toISOString();
    const headers: Record<string, string> = {
      "Content-Type": "application/json",
      "X-Shopify-Topic": topic,
      "X-Shopify-Hmac-Sha256": opts.hmacOverride ?? signWebhookBody(body, this.options.apiSecretKey),
      "X-Shopify-Shop-Domain": shop,
      "X-Shopify-API-Version": opts.apiVersion ?? this.options.apiVersion,
      "X-Shopify-Webhook-Id": webhookId,
      "X-Shopify-Event-Id": eventId,
      "X-Shopify-Triggered-At": triggeredAt,
      "User-Agent": "Shopify-Captain-Hook",
    };
    for (const name of opts.omitHeaders ?? []) {
      for (const key of Object.keys(headers)) if (key.toLowerCase() === name.toLowerCase()) delete headers[key];
    }
    const path = opts.path ?? webhookPath(topic);
    const attempt = async (n: number): Promise<WebhookDeliveryResult> => {
      const base = this.options.appUrl();
      const url = base ? `${base.replace(/\/$/, "")}${path}` : null;
      const started = performance.now();
      let result: { status: number | null; body: string; error: string | null };
      if (!url) result = { status: null, body: "", error: "no app URL configured" };
      else result = await this.post(url, headers, body);
      if (this.deliveries.length >= 20_000) this.deliveries.splice(0, 1000); // bounded for long demo runs
      this.deliveries.push({
        topic,
        shop,
        webhookId,
        eventId,
        attempt: n,
        httpStatus: result.status,
        durationMs: Math.round(performance.now() - started),
        url,
        error: result.error,
        at: this.options.now().toISOString(),
      });
      const ok = result.status !== null && result.status >= 200 && result.status < 300;
      if (!ok && opts.retry !== false && n <= MAX_WEBHOOK_RETRIES && !this.closed) {
        const delay = this.options.retryBaseMs * 2 ** (n - 1);
        const timer = setTimeout(() => {
          this.timers.delete(timer);
          if (!this.closed) void attempt(n + 1);
        }, delay);
        timer.unref();
        this.timers.add(timer);
      }
      return { webhookId, httpStatus: result.status, body: result.body };
    };
    return attempt(1);
  }

  private post(url: string, headers: Record<string, string>, body: string): Promise<{ status: number | null; body: string; error: string | null }> {
    return new Promise((resolve) => {
      const target = new URL(url);
      const requestFn = target.protocol === "https:" ? httpsRequest : httpRequest;
      let settled = false;
      const finish = (value: { status: number | null; body: string; error: string | null }) => {
        if (settled) return;
        settled = true;
        this.inFlight.delete(req);
        clearTimeout(timer);
        resolve(value);
      };
      const req = requestFn(target, { method: "POST", headers: { ...headers, "Content-Length": String(Buffer.byteLength(body)) } }, (res: IncomingMessage) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on("data", (c: Buffer) => {
          // Shopify ignores the response body; keep a bounded prefix for tests.
          if (size < 64 * 1024) chunks.push(c);
          size += c.length;
        });
        res.on("end", () => finish({ status: res.statusCode ?? null, body: Buffer.concat(chunks).toString("utf8"), error: null }));
        res.on("error", (e) => finish({ status: res.statusCode ?? null, body: "", error: String(e) }));
      });
      const timer = setTimeout(() => {
        req.destroy(new Error(`timed out after ${this.options.timeoutMs} ms`));
        finish({ status: null, body: "", error: `timed out after ${this.options.timeoutMs} ms` });
      }, this.options.timeoutMs);
      timer.unref();
      req.on("error", (e) => finish({ status: null, body: "", error: e.message }));
      this.inFlight.add(req);
      req.end(body);
    });
  }

  close(): void {
    this.closed = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    for (const r of this.inFlight) r.destroy();
    this.inFlight.clear();
  }
}
