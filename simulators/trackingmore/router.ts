/**
 * Minimal path router. It distinguishes "no such path" from "path exists, wrong method" because both
 * TrackingMore APIs answer those differently (v4: 404 vs 400 "Request type error"; v2: 404 vs 405).
 */

export interface Route<H> {
  method: string;
  pattern: RegExp;
  /** Rate-limit bucket: TrackingMore limits per endpoint, not per concrete URL (ids are not part of it). */
  endpoint: string;
  handler: H;
}

export type RouteMatch<H> =
  | { kind: "found"; route: Route<H>; params: string[] }
  | { kind: "wrong-method" }
  | { kind: "not-found" };

export function matchRoute<H>(routes: readonly Route<H>[], method: string, path: string): RouteMatch<H> {
  let pathExists = false;
  for (const route of routes) {
    const m = route.pattern.exec(path);
    if (!m) continue;
    if (route.method !== method) {
      pathExists = true;
      continue;
    }
    let params: string[];
    try {
      params = m.slice(1).map((p) => (p === undefined ? "" : decodeURIComponent(p)));
    } catch {
      return { kind: "not-found" };
    }
    return { kind: "found", route, params };
  }
  return pathExists ? { kind: "wrong-method" } : { kind: "not-found" };
}
