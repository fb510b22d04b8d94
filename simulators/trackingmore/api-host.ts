import type { IncomingMessage, ServerResponse } from "node:http";
import { isBodyDamage, sendDamagedJson } from "../lib/damaged-response";
import { readBody, sendJson, sleep } from "../lib/http-server";
import { type ApiModule, type ApiResponse, headerValue } from "./api-types";
import type { ControlResult } from "./control";

/**
 * The HTTP side every TrackingMore-family simulator shares (TrackingMore v4 + v2, Tracktry v1):
 * dispatch by prefix to API modules, the call log, injected faults, added latency and the `/__sim`
 * control surface. What differs between simulators is which modules are mounted and which controls exist.
 */

export interface HostCall<Api extends string> {
  /** Epoch ms (real clock) when the request arrived. */
  at: number;
  method: string;
  /** Path without the query string, e.g. `/v4/trackings/get`. */
  path: string;
  /** Raw query string without `?`. */
  query: string;
  api: Api | "control";
  apiKey: string | null;
  /** 0 for a request held by a `timeout` fault. */
  httpStatus: number;
  /** meta.code of the answer; 0 for control calls, held requests and damaged (truncated/malformed) answers. */
  metaCode: number;
}

/** `truncated`/`malformed`: a 200 whose body is not JSON (../lib/damaged-response.ts); a truncated answer's work was done. */
export type InjectedFault = { kind: "http"; httpStatus: number; metaCode: number } | { kind: "timeout" } | { kind: "truncated" } | { kind: "malformed" };

export function checkFault(fault: InjectedFault): InjectedFault {
  if (fault.kind === "timeout") return { kind: "timeout" };
  if (isBodyDamage(fault.kind)) return { kind: fault.kind };
  if (fault.kind === "http" && Number.isInteger(fault.httpStatus) && fault.httpStatus >= 100 && fault.httpStatus <= 599 && Number.isInteger(fault.metaCode)) {
    return { kind: "http", httpStatus: fault.httpStatus, metaCode: fault.metaCode };
  }
  throw new Error("fault must be {kind:'timeout'|'truncated'|'malformed'} or {kind:'http', httpStatus: 100-599, metaCode: integer}");
}

export type ControlHandler = (method: string, url: URL, body: Buffer) => Promise<ControlResult>;

export class ApiHost<Api extends string> {
  readonly calls: HostCall<Api>[] = [];
  private readonly faults: Array<{ remaining: number; fault: InjectedFault }> = [];
  private releaseHeld: () => void = () => {};
  private readonly held = new Promise<void>((resolve) => {
    this.releaseHeld = resolve;
  });

  constructor(
    private readonly apis: ReadonlyArray<{ api: Api; module: ApiModule }>,
    private readonly latencyMs: number,
  ) {}

  resetCalls(): void {
    this.calls.length = 0;
  }

  injectFaults(count: number, fault: InjectedFault): void {
    if (!Number.isInteger(count) || count < 0) throw new Error("injectFaults: count must be an integer >= 0");
    if (count > 0) this.faults.push({ remaining: count, fault: checkFault(fault) });
  }

  /** Lets requests held by a `timeout` fault go (their sockets are destroyed by the server's close). */
  close(): void {
    this.releaseHeld();
  }

  /** The request handler: `/__sim…` goes to `control`, a known prefix to its module, anything else is 404. */
  async handle(req: IncomingMessage, res: ServerResponse, url: URL, control: ControlHandler): Promise<void> {
    if (url.pathname === "/__sim" || url.pathname.startsWith("/__sim/")) {
      const arrived = Date.now();
      const body = await readBody(req);
      const result = await control(req.method ?? "GET", url, body);
      sendJson(res, result.httpStatus, result.body);
      this.calls.push({ at: arrived, method: req.method ?? "GET", path: url.pathname, query: url.search.slice(1), api: "control", apiKey: null, httpStatus: result.httpStatus, metaCode: 0 });
      return;
    }
    for (const { api, module } of this.apis) {
      if (url.pathname === module.prefix || url.pathname.startsWith(`${module.prefix}/`)) return this.handleApi(api, module, req, res, url);
    }
    const mounted = [...this.apis.map((a) => a.module.prefix), "/__sim"].join(", ");
    sendJson(res, 404, { error: `no simulated API at ${url.pathname}; use ${mounted}` });
  }

  private takeFault(): InjectedFault | undefined {
    const head = this.faults[0];
    if (!head) return undefined;
    head.remaining -= 1;
    if (head.remaining <= 0) this.faults.shift();
    return head.fault;
  }

  private async handleApi(api: Api, module: ApiModule, req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const arrived = Date.now();
    const body = await readBody(req);
    const method = req.method ?? "GET";
    const base = { at: arrived, method, path: url.pathname, query: url.search.slice(1), api, apiKey: headerValue(req.headers, module.apiKeyHeader) };
    const fault = this.takeFault();
    if (fault?.kind === "timeout") {
      this.calls.push({ ...base, httpStatus: 0, metaCode: 0 });
      // Never answer; close() destroys the socket.
      await this.held;
      return;
    }
    if (fault?.kind === "malformed" || fault?.kind === "truncated") {
      const done = fault.kind === "truncated" ? await module.handle({ method, path: url.pathname.slice(module.prefix.length) || "/", query: url.searchParams, headers: req.headers, body }) : undefined;
      if (this.latencyMs > 0) await sleep(this.latencyMs);
      sendDamagedJson(res, fault.kind, done?.body);
      this.calls.push({ ...base, httpStatus: 200, metaCode: 0 });
      return;
    }
    let result: ApiResponse;
    try {
      result = fault
        ? module.faultResponse(fault.httpStatus, fault.metaCode)
        : await module.handle({ method, path: url.pathname.slice(module.prefix.length) || "/", query: url.searchParams, headers: req.headers, body });
    } catch (error) {
      this.calls.push({ ...base, httpStatus: 500, metaCode: 0 });
      throw error;
    }
    if (this.latencyMs > 0) await sleep(this.latencyMs);
    sendJson(res, result.httpStatus, result.body);
    this.calls.push({ ...base, httpStatus: result.httpStatus, metaCode: result.body.meta.code });
  }
}
