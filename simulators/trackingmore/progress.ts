import type { Courier } from "./couriers";
import { applyExplicitStep, applyNextStep, type ExplicitStep } from "./journey";
import { FINAL_STATUSES, type SimAccount, type SimState, type SimTracking } from "./state";

/**
 * Moving parcels along, shared by the TrackingMore and Tracktry simulators. Each simulator decides what
 * a change triggers (TrackingMore pushes webhooks, Tracktry nothing) and how the result is rendered.
 */

export type AdvanceStep = "next" | ExplicitStep;

export interface Advanced {
  account: SimAccount;
  tracking: SimTracking;
  courier: Courier;
  /** False for `next` on a final state (nothing happened). */
  changed: boolean;
}

/** `courierCode` disambiguates a number tracked with several couriers. Throws on caller mistakes. */
export function advanceTracking(
  state: SimState,
  apiKey: string,
  trackingNumber: string,
  step: AdvanceStep,
  courierCode: string | undefined,
  now: Date,
): Advanced {
  const account = state.requireAccount(apiKey);
  const matches = state.find(account, trackingNumber, courierCode);
  if (matches.length === 0) throw new Error(`no tracking ${trackingNumber} in account ${apiKey}`);
  if (matches.length > 1) {
    throw new Error(`${trackingNumber} is tracked with ${matches.map((t) => t.courierCode).join(", ")}; pass courierCode`);
  }
  const tracking = matches[0]!;
  const courier = state.couriers.get(tracking.courierCode);
  if (!courier) throw new Error(`tracking ${tracking.id} has unknown courier ${tracking.courierCode}`);
  let changed = true;
  if (step === "next") changed = applyNextStep(tracking, courier, now);
  else applyExplicitStep(tracking, step, now);
  return { account, tracking, courier, changed };
}

/** One `next` step for every non-final tracking of every live account; returns what changed. */
export function progressAllTrackings(state: SimState, now: () => Date): Array<{ account: SimAccount; tracking: SimTracking }> {
  const changed: Array<{ account: SimAccount; tracking: SimTracking }> = [];
  for (const account of state.allAccounts()) {
    if (account.deleted) continue;
    for (const tracking of account.trackings.values()) {
      const courier = state.couriers.get(tracking.courierCode);
      if (!courier || FINAL_STATUSES.has(tracking.status)) continue;
      if (applyNextStep(tracking, courier, now())) changed.push({ account, tracking });
    }
  }
  return changed;
}

/** Runs `tick` every interval, never two at once. */
export class AutoProgress {
  private timer: NodeJS.Timeout | null = null;
  private running = false;

  constructor(private readonly tick: () => Promise<void>) {}

  start(intervalMs: number): void {
    if (!(intervalMs > 0)) throw new Error("startAutoProgress: intervalMs must be > 0");
    this.stop();
    // tick never rejects in practice (delivery failures are recorded, not thrown); guard anyway so a bug
    // shows up in the call log rather than as an unhandled rejection killing the demo.
    this.timer = setInterval(() => void this.runOnce().catch(() => undefined), intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  private async runOnce(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      await this.tick();
    } finally {
      this.running = false;
    }
  }
}
