import { Redis } from 'ioredis';
import { LimitCheck, LimitResult, RateLimitStore } from './rate-limit.store';

/**
 * GCRA (see gcra.ts) over every key of one request, atomically, in one round trip. The clock is
 * Redis's (TIME), so gateway replicas with skewed clocks still share one timeline. A request is
 * counted (each key's TAT stored, with a TTL of when it would be full again) only when every key
 * allows it. TATs are written with 3 decimals: Lua's tostring keeps only 14 digits.
 *
 * KEYS: one per limit. ARGV[1]: the period in ms; ARGV[1 + i]: the limit of KEYS[i].
 * Returns, per key: allowed (0/1), remaining, reset ms, retry-after ms.
 */
const GCRA_LUA = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + tonumber(t[2]) / 1000
local period = tonumber(ARGV[1])
local eps = 1e-6
local out = {}
local tats = {}
local all = true
for i = 1, #KEYS do
  local interval = period / tonumber(ARGV[i + 1])
  local tat = tonumber(redis.call('GET', KEYS[i])) or now
  if tat < now then tat = now end
  local nxt = tat + interval
  local allow_at = nxt - period
  if allow_at > now + eps then
    all = false
    table.insert(out, 0)
    table.insert(out, 0)
    table.insert(out, math.ceil(tat - now))
    table.insert(out, math.ceil(allow_at - now))
  else
    tats[i] = nxt
    table.insert(out, 1)
    table.insert(out, math.max(0, math.floor((period - (nxt - now)) / interval + eps)))
    table.insert(out, math.ceil(nxt - now))
    table.insert(out, 0)
  end
end
if all then
  for i = 1, #KEYS do
    redis.call('SET', KEYS[i], string.format('%.3f', tats[i]), 'PX', math.max(1, math.ceil(tats[i] - now)))
  end
end
return out
`;

type RedisWithGcra = Redis & { opsplaneGcra(numKeys: number, ...args: (string | number)[]): Promise<number[]> };

export interface RedisStoreOptions {
  /** Per-command deadline: past it the limiter fails open. */
  commandTimeoutMs?: number;
  onError?: (e: Error) => void;
}

/** The shared store: every gateway replica pointed at one Redis sees the same counts. */
export class RedisRateLimitStore implements RateLimitStore {
  readonly kind = 'redis' as const;
  private readonly redis: RedisWithGcra;

  constructor(url: string, opts: RedisStoreOptions = {}) {
    this.redis = new Redis(url, {
      // Never queue commands while disconnected, never retry one: a limiter that waits for Redis
      // would stall every request; it answers at once and the caller fails open.
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      commandTimeout: opts.commandTimeoutMs ?? 500,
      connectTimeout: 2000,
      // ioredis waits this long for a socket to close on disconnect, even one that never opened.
      disconnectTimeout: 100,
      // Reconnect in the background forever, backing off to 2 s.
      retryStrategy: (times) => Math.min(times * 100, 2000),
      connectionName: 'opsplane-gateway-ratelimit',
      // The checks of requests arriving in the same tick go to Redis in one write (one syscall, one round trip).
      enableAutoPipelining: true,
    }) as RedisWithGcra;
    this.redis.on('error', (e: Error) => opts.onError?.(e));
    this.redis.defineCommand('opsplaneGcra', { lua: GCRA_LUA });
  }

  /** Resolves once connected, or after `timeoutMs` (the limiter fails open until Redis answers). */
  async waitUntilReady(timeoutMs: number): Promise<boolean> {
    if (this.redis.status === 'ready') return true;
    return new Promise((resolve) => {
      const done = (ok: boolean) => {
        clearTimeout(timer);
        this.redis.off('ready', onReady);
        resolve(ok);
      };
      const onReady = () => done(true);
      const timer = setTimeout(() => done(false), timeoutMs);
      this.redis.once('ready', onReady);
    });
  }

  async hit(checks: LimitCheck[], periodMs: number): Promise<LimitResult[]> {
    const raw = await this.redis.opsplaneGcra(checks.length, ...checks.map((c) => c.key), periodMs, ...checks.map((c) => c.limit));
    return checks.map((_, i) => ({
      allowed: raw[i * 4] === 1,
      remaining: raw[i * 4 + 1],
      resetMs: raw[i * 4 + 2],
      retryAfterMs: raw[i * 4 + 3],
    }));
  }

  async ping(): Promise<void> {
    await this.redis.ping();
  }

  async close(): Promise<void> {
    if (this.redis.status === 'ready') await this.redis.quit().catch(() => this.redis.disconnect());
    else this.redis.disconnect();
  }
}
