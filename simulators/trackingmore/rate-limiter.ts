/**
 * Sliding one-second window per bucket (account + endpoint), measured on the real monotonic clock:
 * the limits protect TrackingMore's servers in real time whatever the simulated calendar says.
 * Only admitted requests count, so a client that keeps hammering gets in again as soon as the oldest
 * admitted request leaves the window. TrackingMore tells clients to wait 120 s after a 429 but
 * documents no server-side lockout, so none is modelled.
 */
export class SlidingWindowRateLimiter {
  private readonly hits = new Map<string, number[]>();

  constructor(
    private readonly windowMs = 1000,
    private readonly clock: () => number = () => performance.now(),
  ) {}

  /** `limit` Infinity disables the bucket; 0 rejects everything (handy to test a client's 429 path). */
  tryAcquire(bucket: string, limit: number): boolean {
    if (limit === Number.POSITIVE_INFINITY) return true;
    const now = this.clock();
    const list = this.hits.get(bucket) ?? [];
    while (list.length > 0 && list[0] <= now - this.windowMs) list.shift();
    if (list.length >= limit) {
      this.hits.set(bucket, list);
      return false;
    }
    list.push(now);
    this.hits.set(bucket, list);
    return true;
  }

  reset(): void {
    this.hits.clear();
  }
}
