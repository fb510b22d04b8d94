import { type ControlResult, controlOk, fail, handleFamilyControl, jsonAmount, meteredAmount, str } from "../trackingmore/control";
import type { TracktrySimulator } from "./index";

/**
 * `/__sim/…` for the Tracktry simulator: the family controls (health, advance, trackings, calls, faults,
 * auto-progress, DELETE accounts/{apiKey}; see simulators/trackingmore/control.ts) plus
 *   GET  /__sim/accounts                 POST /__sim/accounts {apiKey, monthlyQuota? (null = unmetered), remaining?}
 *   POST /__sim/quota {apiKey, remaining}
 * There are no webhook controls: Tracktry has no webhooks. Unmetered amounts travel as `null`.
 */
export function handleTracktryControl(sim: TracktrySimulator, method: string, url: URL, rawBody: Buffer): Promise<ControlResult> {
  return handleFamilyControl(sim, method, url, rawBody, ({ route, body }) => {
    switch (route) {
      case "GET /__sim/accounts":
        return controlOk(sim.accounts().map((a) => ({ ...a, monthlyQuota: jsonAmount(a.monthlyQuota), remaining: jsonAmount(a.remaining) })));
      case "POST /__sim/accounts": {
        const b = body();
        const monthlyQuota = meteredAmount(b.monthlyQuota, "monthlyQuota");
        const remaining = meteredAmount(b.remaining, "remaining");
        sim.addAccount({
          apiKey: str(b, "apiKey"),
          ...(monthlyQuota !== undefined ? { monthlyQuota } : {}),
          ...(remaining !== undefined ? { remaining } : {}),
          ...(b.webhookUrls !== undefined ? { webhookUrls: b.webhookUrls } : {}),
          ...(b.webhookSecret !== undefined ? { webhookSecret: b.webhookSecret } : {}),
        } as Parameters<TracktrySimulator["addAccount"]>[0]);
        return controlOk(undefined, 201);
      }
      case "POST /__sim/quota": {
        const b = body();
        const remaining = meteredAmount(b.remaining, "remaining");
        if (remaining === undefined) fail("remaining is required");
        sim.setQuota(str(b, "apiKey"), remaining);
        return controlOk();
      }
    }
    return undefined;
  });
}
