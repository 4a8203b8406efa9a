/*
 * Tenant-plane rate limits, per credential and per tenant, shared by every gateway replica.
 *
 * Store: Redis, not NATS KV (which the platform already runs). A limiter must read, decide and
 * write a counter atomically on every request, for two keys at once, with expiry: in Redis that
 * is one Lua script (one round trip, atomic, keys with TTLs, Redis's own clock). NATS KV offers
 * only optimistic compare-and-set on revisions: under contention, replicas would retry
 * (several round trips per request), and per-key TTLs and multi-key atomicity are missing.
 * With REDIS_URL unset (the all-in-one process) an in-memory store applies the same math, per
 * process. When Redis fails at request time the limiter fails open: availability of the API
 * matters more than exact limits, so the request passes, a warning is logged (throttled) and
 * /health/ready reports the limiter degraded (but stays ready).
 *
 * Algorithm: GCRA (gcra.ts). Keys: `opsplane:rl:{<tenant>}:t` and
 * `opsplane:rl:{<tenant>}:c:<tok|usr>:<id>`; the `{tenant}` hash tag keeps one request's keys in
 * one Redis Cluster slot. Each key expires when its bucket is full again.
 */
import { Inject, Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { AppError, ErrorCode } from '@opsplane/errors';
import { rateLimitRejections } from '@opsplane/observability';
import { Principal } from '../auth/principal';
import { GATEWAY_CONFIG } from '../auth/strategies';
import { GatewayConfig } from '../config';
import { MemoryRateLimitStore } from './memory-store';
import { decide, LimitScope, ScopedResult } from './rate-limit.decision';
import { RATE_LIMIT_POLICY, RateLimitPolicy } from './rate-limit.policy';
import { RateLimitStore } from './rate-limit.store';
import { RedisRateLimitStore } from './redis-store';

export const RATE_LIMIT_KEY_PREFIX = 'opsplane:rl:';
const PERIOD_MS = 60_000;
const WARN_EVERY_MS = 10_000;

export function tenantKey(tenantId: string): string {
  return `${RATE_LIMIT_KEY_PREFIX}{${tenantId}}:t`;
}

/** Per API token, else per user (a JWT). */
export function credentialKey(p: Principal): string {
  const id = p.actor.token_id ? `tok:${p.actor.token_id}` : `usr:${p.actor.user_id ?? 'unknown'}`;
  return `${RATE_LIMIT_KEY_PREFIX}{${p.tenant_id}}:c:${id}`;
}

export type RateLimitHealth = 'ok' | 'per-process' | 'degraded';

@Injectable()
export class RateLimiter implements OnModuleInit, OnApplicationShutdown {
  private readonly log = new Logger('RateLimiter');
  private readonly store: RateLimitStore;
  private lastWarnAt = 0;

  constructor(
    @Inject(GATEWAY_CONFIG) config: GatewayConfig,
    @Inject(RATE_LIMIT_POLICY) private readonly policy: RateLimitPolicy,
  ) {
    this.store = config.REDIS_URL ? new RedisRateLimitStore(config.REDIS_URL, { onError: (e) => this.warn(e) }) : new MemoryRateLimitStore();
  }

  async onModuleInit(): Promise<void> {
    if (this.store instanceof RedisRateLimitStore) {
      if (!(await this.store.waitUntilReady(2000))) this.warn(new Error('not reachable at start'));
    } else {
      this.log.log('REDIS_URL unset: rate limits are counted in memory, per gateway process');
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await this.store.close();
  }

  /**
   * Counts one authenticated tenant-plane request; sets the X-RateLimit-* headers on the reply.
   * Throws RATE_LIMIT (429, Retry-After) over a limit; lets the request through when the store fails.
   */
  async enforce(principal: Principal, reply: FastifyReply): Promise<void> {
    const limits = await this.policy.limitsFor(principal.tenant_id);
    const scoped: { scope: LimitScope; key: string; limit: number }[] = [];
    if (limits.perCredentialPerMin > 0) scoped.push({ scope: 'credential', key: credentialKey(principal), limit: limits.perCredentialPerMin });
    if (limits.perTenantPerMin > 0) scoped.push({ scope: 'tenant', key: tenantKey(principal.tenant_id), limit: limits.perTenantPerMin });
    if (!scoped.length) return;
    let results: ScopedResult[];
    try {
      const raw = await this.store.hit(scoped, PERIOD_MS);
      results = raw.map((r, i) => ({ ...r, scope: scoped[i].scope, limit: scoped[i].limit }));
    } catch (e) {
      this.warn(e);
      return;
    }
    const d = decide(results);
    void reply.headers(d.headers);
    if (!d.allowed) {
      rateLimitRejections.inc({ limit: d.binding.scope });
      const what = d.binding.scope === 'credential' ? 'this credential' : 'this tenant';
      throw new AppError(ErrorCode.RATE_LIMIT, `Rate limit exceeded for ${what} (${d.binding.limit} requests per minute); retry in ${d.retryAfterS} s`, {
        limit: d.binding.scope,
        retry_after_s: d.retryAfterS,
      });
    }
  }

  /** For /health/ready: never fails readiness, only reports. */
  async health(): Promise<RateLimitHealth> {
    if (this.store.kind === 'memory') return 'per-process';
    try {
      await this.store.ping();
      return 'ok';
    } catch (e) {
      this.warn(e);
      return 'degraded';
    }
  }

  private warn(e: unknown): void {
    const now = Date.now();
    if (now - this.lastWarnAt < WARN_EVERY_MS) return;
    this.lastWarnAt = now;
    this.log.warn(`Redis unavailable for rate limiting, letting requests through (fail open): ${e instanceof Error ? e.message : String(e)}`);
  }
}
