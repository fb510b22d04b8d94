import type { ServerResponse } from "node:http";

/**
 * Answers that arrive broken, as a proxy or a half-closed connection delivers them: the client
 * gets a complete HTTP response (status 200, correct Content-Length) whose body is not the JSON
 * it expects. Used by the simulators' `truncated` and `malformed` faults.
 *
 * - `truncated`: the real answer, cut in the middle (the work behind it was done).
 * - `malformed`: something that starts like the API's JSON and is not JSON at all (nothing done).
 */
export type BodyDamage = "truncated" | "malformed";

export const BODY_DAMAGES: readonly BodyDamage[] = ["truncated", "malformed"];

export function isBodyDamage(value: unknown): value is BodyDamage {
  return value === "truncated" || value === "malformed";
}

const MALFORMED_BODY = '{"meta":{"code":200,"message":"Success"},"data":[{"tracking_number":\u0000, oops}';

export function sendDamagedJson(res: ServerResponse, damage: BodyDamage, realBody?: unknown): void {
  const whole = realBody === undefined ? "" : JSON.stringify(realBody);
  const text = damage === "truncated" ? whole.slice(0, Math.max(1, Math.floor(whole.length / 2))) : MALFORMED_BODY;
  const payload = Buffer.from(text, "utf8");
  res.writeHead(200, { "content-type": "application/json", "content-length": String(payload.length) });
  res.end(payload);
}
