import { Provider } from '@nestjs/common';
import { ConfigRateLimitPolicy, RATE_LIMIT_POLICY } from './rate-limit.policy';
import { RateLimiter } from './rate-limiter';

export { RateLimiter } from './rate-limiter';
export { RATE_LIMIT_POLICY, RateLimitPolicy, TenantRateLimits } from './rate-limit.policy';

/** The limiter and its default (config) policy; override RATE_LIMIT_POLICY to take limits from plans. */
export const rateLimitProviders: Provider[] = [{ provide: RATE_LIMIT_POLICY, useClass: ConfigRateLimitPolicy }, RateLimiter];
