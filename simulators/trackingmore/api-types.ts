import type { IncomingHttpHeaders } from "node:http";
import type { SlidingWindowRateLimiter } from "./rate-limiter";
import type { SimState } from "./state";

/** One parsed API request, already stripped of the version prefix (`/v4`, `/v2`). */
export interface ApiRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

export interface ApiEnvelope {
  meta: { code: number; message: string; type?: string };
  data: unknown;
}

export interface ApiResponse {
  httpStatus: number;
  body: ApiEnvelope;
}

/** An API family mounted under a prefix. Handlers return values (no I/O) so the server owns logging, latency and faults. */
export interface ApiModule {
  readonly prefix: string;
  readonly apiKeyHeader: string;
  handle(req: ApiRequest): Promise<ApiResponse>;
  /** The envelope this API would use for an injected failure. */
  faultResponse(httpStatus: number, metaCode: number): ApiResponse;
}

export interface ApiContext {
  state: SimState;
  limiter: SlidingWindowRateLimiter;
  now: () => Date;
  /** Items one batch call accepts (documented: 40). */
  batchLimit: number;
}

export function headerValue(headers: IncomingHttpHeaders, name: string): string | null {
  const raw = headers[name.toLowerCase()];
  const value = Array.isArray(raw) ? raw[0] : raw;
  return value === undefined ? null : value;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** `undefined` for an empty body; a `SyntaxError` marker for text that is not JSON. */
export function parseJsonBody(body: Buffer): { ok: true; value: unknown } | { ok: false } {
  const text = body.toString("utf8").trim();
  if (text === "") return { ok: true, value: undefined };
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false };
  }
}
