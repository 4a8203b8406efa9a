import { LimitResult } from './rate-limit.store';

export type LimitScope = 'credential' | 'tenant';

export interface ScopedResult extends LimitResult {
  scope: LimitScope;
  limit: number;
}

export interface RateLimitDecision {
  allowed: boolean;
  /** The limit the headers describe: the refusing one (longest wait), else the one with the fewest requests left. */
  binding: ScopedResult;
  headers: Record<string, string>;
  /** Whole seconds until a retry can pass (when refused; at least 1). */
  retryAfterS: number;
}

/**
 * Turns a store's answers into the answer's headers: `X-RateLimit-Limit` (requests per minute),
 * `X-RateLimit-Remaining`, `X-RateLimit-Reset` (seconds until the full limit is available again,
 * delta-seconds as in the IETF RateLimit-headers draft).
 */
export function decide(results: ScopedResult[]): RateLimitDecision {
  const refused = results.filter((r) => !r.allowed);
  const binding = refused.length
    ? refused.reduce((a, b) => (b.retryAfterMs > a.retryAfterMs ? b : a))
    : results.reduce((a, b) => (b.remaining < a.remaining || (b.remaining === a.remaining && b.resetMs > a.resetMs) ? b : a));
  const retryAfterS = refused.length ? Math.max(1, Math.ceil(binding.retryAfterMs / 1000)) : 0;
  return {
    allowed: refused.length === 0,
    binding,
    retryAfterS,
    headers: {
      'x-ratelimit-limit': String(binding.limit),
      'x-ratelimit-remaining': String(Math.max(0, binding.remaining)),
      'x-ratelimit-reset': String(Math.max(0, Math.ceil(binding.resetMs / 1000))),
    },
  };
}
