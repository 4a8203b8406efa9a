/**
 * The window math, shared by both stores (the Redis Lua script mirrors it line for line).
 *
 * GCRA (generic cell rate algorithm): a limit of `limit` requests per `periodMs` lets one request
 * through every `periodMs / limit` ms on average, with bursts of up to `limit` at once. The only
 * state per key is the TAT (theoretical arrival time): when the bucket would be empty again. It
 * is exact (the limit+1-th request of a burst is refused, never an earlier one), needs one number
 * per key, and its answers give the headers directly.
 */

/** Float slack: 7 × (60000 / 7) must count as 60000, not as 60000.000000001. */
export const GCRA_EPSILON = 1e-6;

export interface GcraStep {
  allowed: boolean;
  /** The key's TAT after this request: to be stored only when every limit of the request allows it. */
  tat: number;
  /** Requests left in the burst after this one (0 when refused). */
  remaining: number;
  /** Ms until the whole limit is available again. */
  resetMs: number;
  /** Ms until one more request would be allowed (0 when allowed). */
  retryAfterMs: number;
}

/** One request against one key. `tat` is the stored TAT (undefined: never seen, or expired). */
export function gcraStep(tat: number | undefined, now: number, limit: number, periodMs: number): GcraStep {
  const interval = periodMs / limit;
  const base = Math.max(tat ?? now, now);
  const next = base + interval;
  const allowAt = next - periodMs;
  if (allowAt > now + GCRA_EPSILON) {
    return { allowed: false, tat: base, remaining: 0, resetMs: Math.ceil(base - now), retryAfterMs: Math.ceil(allowAt - now) };
  }
  return {
    allowed: true,
    tat: next,
    remaining: Math.max(0, Math.floor((periodMs - (next - now)) / interval + GCRA_EPSILON)),
    resetMs: Math.ceil(next - now),
    retryAfterMs: 0,
  };
}
