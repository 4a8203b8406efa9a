/** One limit of one request: a key and its requests per period (> 0). */
export interface LimitCheck {
  key: string;
  limit: number;
}

/** A store's answer for one LimitCheck. */
export interface LimitResult {
  allowed: boolean;
  remaining: number;
  resetMs: number;
  retryAfterMs: number;
}

/**
 * Where the limiter keeps its counters. `hit` checks every limit of one request at once and counts
 * the request against all of them only when all allow it (a refused request costs nothing).
 */
export interface RateLimitStore {
  readonly kind: 'redis' | 'memory';
  hit(checks: LimitCheck[], periodMs: number): Promise<LimitResult[]>;
  /** Resolves when the store answers; rejects when it does not. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export const RATE_LIMIT_STORE = Symbol('RateLimitStore');
