import { Inject, Injectable } from '@nestjs/common';
import { GATEWAY_CONFIG } from '../auth/strategies';
import { GatewayConfig } from '../config';

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

@Injectable()
export class ConfigRateLimitPolicy implements RateLimitPolicy {
  private readonly limits: TenantRateLimits;

  constructor(@Inject(GATEWAY_CONFIG) config: GatewayConfig) {
    this.limits = { perCredentialPerMin: config.RATE_LIMIT_PER_CREDENTIAL_PER_MIN, perTenantPerMin: config.RATE_LIMIT_PER_TENANT_PER_MIN };
  }

  limitsFor(): TenantRateLimits {
    return this.limits;
  }
}
