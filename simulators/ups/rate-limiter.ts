/**
 * Requests per client id in a sliding one-second window on the real monotonic clock (UPS protects its
 * servers in real time, whatever the simulated calendar says). Only admitted requests count, so a
 * client that keeps hammering gets in again as soon as the oldest admitted request leaves the window.
 * UPS publishes no numbers; the limit is an option (default unlimited).
 */
export class RateLimiter {
  private readonly hits = new Map<string, number[]>();

  constructor(private readonly limitPerSecond: number) {
    if (!(limitPerSecond >= 0)) throw new Error("rateLimitPerSecond must be >= 0 (Infinity disables it)");
  }

  tryAcquire(clientId: string): boolean {
    if (this.limitPerSecond === Number.POSITIVE_INFINITY) return true;
    const now = performance.now();
    const list = this.hits.get(clientId) ?? [];
    while (list.length > 0 && list[0]! <= now - 1000) list.shift();
    this.hits.set(clientId, list);
    if (list.length >= this.limitPerSecond) return false;
    list.push(now);
    return true;
  }
}
