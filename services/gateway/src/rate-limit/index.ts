import { Provider } from '@nestjs/common';
import { PlanRateLimitPolicy, RATE_LIMIT_POLICY } from './rate-limit.policy';
import { RateLimiter } from './rate-limiter';

export { RateLimiter } from './rate-limiter';
export { RATE_LIMIT_POLICY, RateLimitPolicy, TenantRateLimits } from './rate-limit.policy';

/** The limiter, with limits from the tenants' plans (the config values are ceilings and the fallback). */
export const rateLimitProviders: Provider[] = [{ provide: RATE_LIMIT_POLICY, useClass: PlanRateLimitPolicy }, RateLimiter];
