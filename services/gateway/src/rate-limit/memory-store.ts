import { gcraStep } from './gcra';
import { LimitCheck, LimitResult, RateLimitStore } from './rate-limit.store';

/**
 * The same semantics as the Redis store, in this process's memory: used when REDIS_URL is unset
 * (the all-in-one `npm start`), where limits are then per process. Expired keys are swept every
 * `sweepEvery` hits, so memory stays bounded by the keys active within one period.
 */
export class MemoryRateLimitStore implements RateLimitStore {
  readonly kind = 'memory' as const;
  private readonly tats = new Map<string, number>();
  private hits = 0;

  constructor(
    private readonly now: () => number = Date.now,
    private readonly sweepEvery = 1000,
  ) {}

  get size(): number {
    return this.tats.size;
  }

  async hit(checks: LimitCheck[], periodMs: number): Promise<LimitResult[]> {
    const now = this.now();
    if (++this.hits % this.sweepEvery === 0) this.sweep(now);
    const steps = checks.map((c) => gcraStep(this.tats.get(c.key), now, c.limit, periodMs));
    if (steps.every((s) => s.allowed)) checks.forEach((c, i) => this.tats.set(c.key, steps[i].tat));
    return steps.map(({ allowed, remaining, resetMs, retryAfterMs }) => ({ allowed, remaining, resetMs, retryAfterMs }));
  }

  /** Drops the keys whose bucket is full again (TAT in the past): they are equivalent to absent. */
  sweep(now = this.now()): void {
    for (const [key, tat] of this.tats) if (tat <= now) this.tats.delete(key);
  }

  async ping(): Promise<void> {}

  async close(): Promise<void> {
    this.tats.clear();
  }
}
