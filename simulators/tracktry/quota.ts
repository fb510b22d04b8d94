import type { SimAccount, SimState } from "../trackingmore/state";

/**
 * Tracktry sells numbers per month ("free account can add up to 500 single numbers per month"). The
 * family store keeps one credit balance per account; this refills it to the account's monthly quota
 * when the simulator clock enters a new calendar month (UTC). Tracktry does not document when its
 * month starts; the calendar month is the simplest reading.
 */

export function monthOf(date: Date): string {
  return date.toISOString().slice(0, 7);
}

export class MonthlyQuotas {
  private readonly byKey = new Map<string, { monthlyQuota: number; month: string }>();

  constructor(
    private readonly state: SimState,
    private readonly now: () => Date,
  ) {}

  /** `remaining` defaults to the full quota. Infinity = unmetered. */
  set(apiKey: string, monthlyQuota: number, remaining = monthlyQuota): void {
    checkAmount("monthlyQuota", monthlyQuota);
    checkAmount("remaining", remaining);
    this.state.setCredits(apiKey, remaining);
    this.byKey.set(apiKey, { monthlyQuota, month: monthOf(this.now()) });
  }

  /** What is left this month (after a refill if the month changed). */
  setRemaining(apiKey: string, remaining: number): void {
    checkAmount("remaining", remaining);
    this.refill(this.state.requireAccount(apiKey));
    this.state.setCredits(apiKey, remaining);
  }

  monthlyQuota(apiKey: string): number {
    return this.byKey.get(apiKey)?.monthlyQuota ?? Number.POSITIVE_INFINITY;
  }

  /** Starts a new month for the account if the clock has moved into one. */
  refill(account: SimAccount): void {
    const entry = this.byKey.get(account.apiKey);
    if (!entry) return;
    const month = monthOf(this.now());
    if (entry.month === month) return;
    entry.month = month;
    account.credits = entry.monthlyQuota;
  }
}

function checkAmount(field: string, value: number): void {
  if (typeof value !== "number" || Number.isNaN(value) || value < 0) throw new Error(`${field} must be a number >= 0 (Infinity = unmetered)`);
}
