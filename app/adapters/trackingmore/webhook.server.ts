import { hmacSha256Hex, secretsEqual } from "~/lib/crypto.server";
import type { TrackingObservation } from "~/domain/tracking-observation";
import { observationFromV2, observationFromV4 } from "./mappers";
import { v2WebhookBodySchema, v4WebhookBodySchema } from "./schemas";

/**
 * Verification of TrackingMore webhooks (carrier-and-shopify-apis.md §A.3).
 * - v4: headers `timestamp` and `signature` = hex HMAC-SHA256(key = webhook secret, msg = timestamp).
 * - v2: body `verifyInfo.{timeStr, signature}` = hex HMAC-SHA256(key = account e-mail, msg = timeStr).
 * Neither signs the body, so a captured signature could be replayed with a forged body: we also
 * refuse stale timestamps, and the caller only accepts numbers it registered for that shop.
 */

export interface TrackingMoreWebhookKeys {
  webhookSecret?: string | null;
  /** v2 signing key; also accepted for v4 by accounts created before webhook secrets existed. */
  accountEmail?: string | null;
}

export type WebhookVerdict =
  | { ok: true; observation: TrackingObservation }
  | { ok: false; status: 400 | 401; reason: string };

function isFresh(timestamp: string, nowMs: number, maxSkewSeconds: number): boolean {
  if (!/^\d{9,11}$/.test(timestamp)) return false;
  return Math.abs(nowMs / 1000 - Number(timestamp)) <= maxSkewSeconds;
}

function signatureMatches(timestamp: string, signature: string, keys: Array<string | null | undefined>): boolean {
  let matched = false;
  // Every key is tried so the time taken does not reveal which one (if any) was right.
  for (const key of keys) {
    if (key && secretsEqual(hmacSha256Hex(key, timestamp), signature.toLowerCase())) matched = true;
  }
  return matched;
}

function parseJson(rawBody: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(rawBody) };
  } catch {
    return { ok: false };
  }
}

export function verifyV4Webhook(input: {
  rawBody: string;
  timestamp: string | null;
  signature: string | null;
  keys: TrackingMoreWebhookKeys;
  nowMs: number;
  maxSkewSeconds: number;
}): WebhookVerdict {
  const { timestamp, signature } = input;
  if (!timestamp || !signature) return { ok: false, status: 401, reason: "missing timestamp or signature header" };
  if (!input.keys.webhookSecret && !input.keys.accountEmail) return { ok: false, status: 401, reason: "no webhook secret configured" };
  if (!signatureMatches(timestamp, signature, [input.keys.webhookSecret, input.keys.accountEmail])) {
    return { ok: false, status: 401, reason: "bad signature" };
  }
  if (!isFresh(timestamp, input.nowMs, input.maxSkewSeconds)) return { ok: false, status: 401, reason: "stale timestamp" };
  return parseTrackingMoreWebhookBody(input.rawBody, "v4");
}

export function verifyV2Webhook(input: {
  rawBody: string;
  keys: TrackingMoreWebhookKeys;
  nowMs: number;
  maxSkewSeconds: number;
}): WebhookVerdict {
  const json = parseJson(input.rawBody);
  if (!json.ok) return { ok: false, status: 400, reason: "body is not JSON" };
  const verifyInfo = (json.value as { verifyInfo?: { timeStr?: unknown; signature?: unknown } } | null)?.verifyInfo;
  const timeStr = verifyInfo?.timeStr;
  const signature = verifyInfo?.signature;
  if ((typeof timeStr !== "string" && typeof timeStr !== "number") || typeof signature !== "string") {
    return { ok: false, status: 401, reason: "missing verifyInfo" };
  }
  if (!input.keys.accountEmail) return { ok: false, status: 401, reason: "no account e-mail configured" };
  if (!signatureMatches(String(timeStr), signature, [input.keys.accountEmail])) return { ok: false, status: 401, reason: "bad signature" };
  if (!isFresh(String(timeStr), input.nowMs, input.maxSkewSeconds)) return { ok: false, status: 401, reason: "stale timestamp" };
  return parseTrackingMoreWebhookBody(input.rawBody, "v2");
}

/** The tracking in a webhook body. Used at intake (after verification) and again by the job that applies it. */
export function parseTrackingMoreWebhookBody(rawBody: string, apiVersion: "v4" | "v2"): WebhookVerdict {
  const json = parseJson(rawBody);
  if (!json.ok) return { ok: false, status: 400, reason: "body is not JSON" };
  if (apiVersion === "v2") {
    const body = v2WebhookBodySchema.safeParse(json.value);
    if (!body.success) return { ok: false, status: 400, reason: "body has no tracking in data" };
    return { ok: true, observation: observationFromV2(body.data.data, "trackingmore") };
  }
  const body = v4WebhookBodySchema.safeParse(json.value);
  if (!body.success) return { ok: false, status: 400, reason: "body has no tracking in data" };
  return { ok: true, observation: observationFromV4(body.data.data) };
}
