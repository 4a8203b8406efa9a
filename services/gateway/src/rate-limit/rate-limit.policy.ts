import { Inject, Injectable } from '@nestjs/common';
import { PlanLimits, RpcSubject } from '@opsplane/contracts';
import { RpcClient } from '@opsplane/messaging';
import { GATEWAY_CONFIG } from '../auth/strategies';
import { GatewayConfig } from '../config';
import { RPC_CLIENT } from '../routes/tokens';

/** Requests per minute for one tenant; 0 disables that limit. */
export interface TenantRateLimits {
  perCredentialPerMin: number;
  perTenantPerMin: number;
}

/**
 * Where a tenant's limits come from. The default reads the gateway's config; the control plane's
 * plans plug in by providing another implementation under RATE_LIMIT_POLICY (e.g. one that reads
 * the tenant's plan through a cached RPC), with no change to the limiter.
 */
export interface RateLimitPolicy {
  limitsFor(tenantId: string): TenantRateLimits | Promise<TenantRateLimits>;
}

export const RATE_LIMIT_POLICY = Symbol('RateLimitPolicy');


/** The smaller of two limits where 0 means "no limit". */
export function tighter(a: number, b: number): number {
  if (!a) return b;
  if (!b) return a;
  return Math.min(a, b);
}

/**
 * Limits from the tenant's plan (api_requests_per_minute, with the tenant's overrides), asked of
 * the control plane and remembered for PLAN_LIMITS_CACHE_MS. The gateway's config values are
 * ceilings (0: none); a credential never gets more than its tenant. When the control plane cannot
 * be asked, the config values apply until it can.
 */
@Injectable()
export class PlanRateLimitPolicy implements RateLimitPolicy {
  private readonly cache = new Map<string, { expires: number; limits: Promise<TenantRateLimits> }>();

  constructor(
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
    @Inject(RPC_CLIENT) private readonly rpc: RpcClient,
  ) {}

  limitsFor(tenantId: string): Promise<TenantRateLimits> {
    const now = Date.now();
    const hit = this.cache.get(tenantId);
    if (hit && hit.expires > now) return hit.limits;
    const limits = this.fetch(tenantId);
    if (this.cache.size >= 50_000) this.cache.delete(this.cache.keys().next().value as string);
    this.cache.set(tenantId, { expires: now + this.config.PLAN_LIMITS_CACHE_MS, limits });
    return limits;
  }

  private async fetch(tenantId: string): Promise<TenantRateLimits> {
    const c = this.config;
    let plan = 0;
    try {
      const l = await this.rpc.request<PlanLimits>(RpcSubject.CpTenantLimits, { tenant_id: tenantId, actor: null }, { id: tenantId }, 2000);
      plan = l.api_requests_per_minute ?? 0;
    } catch {
      this.cache.set(tenantId, { expires: Date.now() + 5000, limits: Promise.resolve(this.fallback()) });
      return this.fallback();
    }
    const perTenantPerMin = tighter(plan, c.RATE_LIMIT_PER_TENANT_PER_MIN);
    return { perTenantPerMin, perCredentialPerMin: tighter(c.RATE_LIMIT_PER_CREDENTIAL_PER_MIN, perTenantPerMin) };
  }

  private fallback(): TenantRateLimits {
    return { perCredentialPerMin: this.config.RATE_LIMIT_PER_CREDENTIAL_PER_MIN, perTenantPerMin: this.config.RATE_LIMIT_PER_TENANT_PER_MIN };
  }
}
