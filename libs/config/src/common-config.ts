import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Max, Min, MinLength, ValidateBy } from 'class-validator';
import { Sensitive } from './load-config';

/** Settings every service process shares. */
export class CommonConfig {
  @IsIn(['development', 'production', 'test'])
  NODE_ENV: 'development' | 'production' | 'test' = 'development';

  /** Owner connection: migrations run with it. Unset only in the all-in-one process (embedded PostgreSQL). */
  @IsOptional()
  @IsString()
  @Sensitive()
  DATABASE_URL?: string;

  /** The runtime connection, as a role that owns no table (row-level security applies to it). */
  @IsOptional()
  @IsString()
  @Sensitive()
  DATABASE_APP_URL?: string;

  /** Password given to the runtime roles when migrations create them (unless DATABASE_APP_URL names one). */
  @IsString()
  @MinLength(8)
  @Sensitive()
  DATABASE_APP_PASSWORD = 'opsplane-app-dev';

  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(200)
  DATABASE_POOL_SIZE = 10;

  /** Unset only in the all-in-one process, which then uses an in-process transport. */
  @IsOptional()
  @IsString()
  NATS_URL?: string;

  @Type(() => Number)
  @IsInt()
  @Min(100)
  @Max(120000)
  RPC_TIMEOUT_MS = 5000;

  @IsIn(['true', 'false'])
  MIGRATE_ON_START: 'true' | 'false' = 'true';

  @IsIn(['fatal', 'error', 'warn', 'log', 'debug', 'verbose'])
  LOG_LEVEL = 'log';

  @IsOptional()
  @IsString()
  OTEL_EXPORTER_OTLP_ENDPOINT?: string;
}

const DEV_JWT_SECRET = 'opsplane-development-secret-change-me-0123456789';
const DEV_CP_JWT_SECRET = 'opsplane-control-plane-development-secret-change-me';

/** JWT settings shared by the auth service (signs) and the gateway (verifies). */
export class JwtConfig extends CommonConfig {
  @IsString()
  @MinLength(32, { message: 'JWT_SECRET must be at least 32 characters' })
  @ValidateBy({
    name: 'notDevSecretInProduction',
    validator: {
      validate: (value: unknown, args) => (args?.object as JwtConfig).NODE_ENV !== 'production' || value !== DEV_JWT_SECRET,
      defaultMessage: () => 'JWT_SECRET must be set in production (the development default is public)',
    },
  })
  @Sensitive()
  JWT_SECRET: string = DEV_JWT_SECRET;

  @IsString()
  JWT_ISSUER = 'opsplane-tenant-plane';

  @IsString()
  JWT_AUDIENCE = 'opsplane-api';

  @Type(() => Number)
  @IsInt()
  @Min(30)
  @Max(86400)
  JWT_ACCESS_TTL_S = 900;
}

/** Control-plane operator tokens (the control plane signs, the gateway verifies): their own secret, issuer and audience. */
export class ControlPlaneJwtConfig extends JwtConfig {
  /** Control-plane operator tokens: another secret, issuer and audience, so neither plane accepts the other's. */
  @IsString()
  @MinLength(32, { message: 'CP_JWT_SECRET must be at least 32 characters' })
  @ValidateBy({
    name: 'notDevCpSecretInProduction',
    validator: {
      validate: (value: unknown, args) => (args?.object as ControlPlaneJwtConfig).NODE_ENV !== 'production' || value !== DEV_CP_JWT_SECRET,
      defaultMessage: () => 'CP_JWT_SECRET must be set in production (the development default is public)',
    },
  })
  @Sensitive()
  CP_JWT_SECRET: string = DEV_CP_JWT_SECRET;

  @IsString()
  CP_JWT_ISSUER = 'opsplane-control-plane';

  @IsString()
  CP_JWT_AUDIENCE = 'opsplane-cp';

  @Type(() => Number)
  @IsInt()
  @Min(60)
  @Max(86400)
  CP_JWT_TTL_S = 3600;
}
