import { AuthenticationError, RateLimitedError, ServiceUnavailableError } from "~/domain/errors";
import type { Clock } from "~/lib/clock";
import { httpRequest } from "~/lib/http.server";
import { tokenResponseSchema, upsErrorSchema } from "./schemas";

/**
 * UPS OAuth 2.0 client credentials (carrier-and-shopify-apis.md §C.1). A token is cached until
 * shortly before it expires, and however many jobs need one at the same moment, only one
 * request is in flight. UPS limits token requests, so this matters.
 * @see https://developer.ups.com/api/reference/oauth/client-credentials
 */

/**
 * Renew this long before UPS's expiry, so a token never expires between our check and UPS's; a
 * tenth of the lifetime for short-lived tokens, which would otherwise never be reused.
 */
const REFRESH_MARGIN_MS = 5 * 60_000;
const REFRESH_MARGIN_SHARE = 0.1;

export interface UpsTokenSourceOptions {
  baseUrl: string;
  clientId: string;
  clientSecret: string;
  clock: Clock;
  timeoutMs: number;
}

export class UpsTokenSource {
  #token: { value: string; renewAtMs: number } | null = null;
  #inFlight: Promise<string> | null = null;
  /** Token requests actually sent; visible for tests and diagnostics. */
  requests = 0;

  constructor(private readonly options: UpsTokenSourceOptions) {}

  async token(): Promise<string> {
    if (this.#token && this.#token.renewAtMs > this.options.clock.now().getTime()) return this.#token.value;
    this.#inFlight ??= this.#request().finally(() => {
      this.#inFlight = null;
    });
    return this.#inFlight;
  }

  /** UPS said the token expired (401 251004): forget it, unless another caller already replaced it. */
  invalidate(token: string): void {
    if (this.#token?.value === token) this.#token = null;
  }

  async #request(): Promise<string> {
    this.requests++;
    const credentials = Buffer.from(`${this.options.clientId}:${this.options.clientSecret}`).toString("base64");
    const response = await httpRequest({
      service: "ups",
      method: "POST",
      url: `${this.options.baseUrl.replace(/\/$/, "")}/security/v1/oauth/token`,
      headers: { authorization: `Basic ${credentials}`, "content-type": "application/x-www-form-urlencoded" },
      body: "grant_type=client_credentials",
      timeoutMs: this.options.timeoutMs,
    });
    if (response.status === 200) {
      const parsed = tokenResponseSchema.safeParse(response.json);
      if (parsed.success && Number.isFinite(parsed.data.expires_in)) {
        const lifetimeMs = parsed.data.expires_in * 1000;
        const renewAtMs = this.options.clock.now().getTime() + lifetimeMs - Math.min(REFRESH_MARGIN_MS, lifetimeMs * REFRESH_MARGIN_SHARE);
        this.#token = { value: parsed.data.access_token, renewAtMs };
        return parsed.data.access_token;
      }
    }
    const errors = upsErrorSchema.safeParse(response.json);
    const first = errors.success ? errors.data.response.errors?.[0] : undefined;
    const detail = first ? ` (${first.code}: ${first.message})` : "";
    if (response.status === 401 || response.status === 403) {
      throw new AuthenticationError(`UPS refused the client id and secret${detail}`, { service: "ups", status: response.status, code: first?.code ?? undefined });
    }
    if (response.status === 429) throw new RateLimitedError(`UPS limits token requests${detail}`, { service: "ups", status: 429, retryAfterMs: 60_000 });
    throw new ServiceUnavailableError(`UPS token request failed (HTTP ${response.status})${detail}`, { service: "ups", status: response.status });
  }
}

const sources = new Map<string, UpsTokenSource>();

/** One token source per UPS application and environment in this process, shared by every job. */
export function upsTokenSource(options: UpsTokenSourceOptions): UpsTokenSource {
  const key = `${options.baseUrl}|${options.clientId}|${options.clientSecret}`;
  let source = sources.get(key);
  if (!source) {
    source = new UpsTokenSource(options);
    sources.set(key, source);
  }
  return source;
}
