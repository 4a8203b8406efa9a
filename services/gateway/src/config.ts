import { Type } from 'class-transformer';
import { IsIn, IsInt, IsIP, IsOptional, IsString, Matches, Max, Min, ValidateIf } from 'class-validator';
import { ControlPlaneJwtConfig, Sensitive } from '@opsplane/config';

export class GatewayConfig extends ControlPlaneJwtConfig {
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(65535)
  PORT = 8080;

  /** The address to listen on: loopback unless told otherwise (containers set HOST=0.0.0.0). */
  @ValidateIf((c: GatewayConfig) => c.HOST !== 'localhost')
  @IsIP(undefined, { message: 'HOST must be an IP address (e.g. 0.0.0.0 for every interface) or localhost' })
  HOST: string = '127.0.0.1';

  /** Largest accepted request body. */
  @Type(() => Number)
  @IsInt()
  @Min(1024)
  @Max(64 * 1024 * 1024)
  BODY_LIMIT_BYTES = 1024 * 1024;

  /** Largest accepted telemetry body (OTLP, remote_write), after gzip decompression. */
  @Type(() => Number)
  @IsInt()
  @Min(1024)
  @Max(256 * 1024 * 1024)
  TELEMETRY_BODY_LIMIT_BYTES = 16 * 1024 * 1024;

  /** How long a verified (or rejected) API token is remembered: revocation takes effect within this. */
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(60_000)
  API_TOKEN_CACHE_MS = 5000;

  @IsIn(['true', 'false'])
  TRUST_PROXY: 'true' | 'false' = 'false';

  /** Tenant-plane requests per minute per API token (or per user, for JWTs), at most; never more than the tenant's. 0: no ceiling. */
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(1_000_000)
  RATE_LIMIT_PER_CREDENTIAL_PER_MIN = 600;

  /**
   * Tenant-plane requests per minute per tenant (all its credentials together) at most: the plan's
   * api_requests_per_minute applies below this ceiling, and this alone when the control plane
   * cannot be asked. 0: no ceiling (the plan decides).
   */
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(10_000_000)
  RATE_LIMIT_PER_TENANT_PER_MIN = 0;

  /** Redis shared by the gateway replicas for rate limits (redis:// or rediss://). Unset: counted in memory, per process. */
  @IsOptional()
  @Matches(/^rediss?:\/\//, { message: 'REDIS_URL must start with redis:// or rediss://' })
  @Sensitive()
  REDIS_URL?: string;

  /** How often each gateway refreshes the list of suspended tenants (a suspension applies within this). */
  @Type(() => Number)
  @IsInt()
  @Min(200)
  @Max(60_000)
  SUSPENSION_POLL_MS = 2000;

  /** Requests whose Host is this name are control-plane requests (`/api/...` served as `/cp/api/...`). */
  @IsOptional()
  @IsString()
  CP_HOST?: string;

  /** How long a gateway remembers a tenant's plan limits (a plan change reaches the rate limits within this). */
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(600_000)
  PLAN_LIMITS_CACHE_MS = 30_000;

  /** How often each gateway hands its request counts to the control plane's usage metering. */
  @Type(() => Number)
  @IsInt()
  @Min(100)
  @Max(300_000)
  USAGE_FLUSH_MS = 10_000;

  /** The gateway reaches PostgreSQL only through the services. */
  override usesDatabase(): boolean {
    return false;
  }
}
