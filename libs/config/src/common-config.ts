import { Type } from 'class-transformer';
import { IsIn, IsInt, IsIP, IsOptional, IsString, Max, Min, MinLength, ValidateBy, ValidateIf } from 'class-validator';
import { Sensitive } from './load-config';

/**
 * Secret values that are public: development defaults of earlier versions and examples from the
 * documentation. No secret has a default any more; in production these are refused as well.
 */
export const PUBLIC_SECRET_VALUES: readonly string[] = [
  'opsplane-development-secret-change-me-0123456789',
  'opsplane-control-plane-development-secret-change-me',
  'opsplane-app-dev',
  'opsplane-dev-jwt-secret-CHANGE-ME-0123456789abcdef',
  'opsplane-dev-cp-jwt-secret-CHANGE-ME-0123456789abcdef',
  'opsplane-dev-app-password',
];

/** In production, a secret must not be one of the values published in this repository. */
export const NotPublicInProduction = (name: string) =>
  ValidateBy({
    name: 'notPublicInProduction',
    validator: {
      validate: (value: unknown, args) => (args?.object as CommonConfig).NODE_ENV !== 'production' || !PUBLIC_SECRET_VALUES.includes(String(value)),
      defaultMessage: () => `${name} is a value published in the Opsplane repository; production needs a secret of its own`,
    },
  });

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

  /**
   * Password given to the runtime roles when migrations create them (unless DATABASE_APP_URL names
   * one). Required: no default (`npm start` generates one and keeps it in .data/secrets.json).
   */
  @ValidateIf((c: CommonConfig) => c.usesDatabase() && !c.DATABASE_APP_URL)
  @IsString({ message: 'DATABASE_APP_PASSWORD is required (at least 8 characters; `npm start` generates its own)' })
  @MinLength(8)
  @NotPublicInProduction('DATABASE_APP_PASSWORD')
  @Sensitive()
  DATABASE_APP_PASSWORD!: string;

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

  // Traces: the standard OpenTelemetry variables, read by the SDK itself (libs/observability,
  // startTelemetry); declared here so that a typo in a value stops the process with its name.
  // Spans are exported only when an OTLP endpoint or OTEL_TRACES_EXPORTER is set.

  /** OTLP base URL, e.g. http://otel-collector:4318 (spans go to <url>/v1/traces). */
  @IsOptional()
  @IsString()
  OTEL_EXPORTER_OTLP_ENDPOINT?: string;

  /** The traces URL itself, when not <OTEL_EXPORTER_OTLP_ENDPOINT>/v1/traces. */
  @IsOptional()
  @IsString()
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?: string;

  @IsOptional()
  @IsIn(['http/protobuf', 'http/json', 'grpc'])
  OTEL_EXPORTER_OTLP_PROTOCOL?: string;

  /** Headers for the collector (key=value,...), e.g. an API key: a secret. */
  @Sensitive()
  @IsOptional()
  @IsString()
  OTEL_EXPORTER_OTLP_HEADERS?: string;

  /** Comma-separated: otlp, console, zipkin, none. */
  @IsOptional()
  @ValidateBy({
    name: 'otelExporters',
    validator: {
      validate: (v: unknown) => typeof v === 'string' && v.split(',').every((e) => ['otlp', 'console', 'zipkin', 'none'].includes(e.trim())),
      defaultMessage: () => 'OTEL_TRACES_EXPORTER must list otlp, console, zipkin or none (comma-separated)',
    },
  })
  OTEL_TRACES_EXPORTER?: string;

  /** service.name of the spans (default: opsplane-<service>, or opsplane for the all-in-one process). */
  @IsOptional()
  @IsString()
  OTEL_SERVICE_NAME?: string;

  /** Extra resource attributes, e.g. deployment.environment=prod,k8s.cluster.name=eu-1. */
  @IsOptional()
  @IsString()
  OTEL_RESOURCE_ATTRIBUTES?: string;

  @IsOptional()
  @IsIn(['always_on', 'always_off', 'traceidratio', 'parentbased_always_on', 'parentbased_always_off', 'parentbased_traceidratio'])
  OTEL_TRACES_SAMPLER?: string;

  /** The ratio of the traceidratio samplers (0..1). */
  @IsOptional()
  @Type(() => Number)
  @Min(0)
  @Max(1)
  OTEL_TRACES_SAMPLER_ARG?: number;

  @IsOptional()
  @IsIn(['true', 'false'])
  OTEL_SDK_DISABLED?: string;

  /** Log lines as JSON objects (the default in production or when stdout is not a terminal) or pretty text. */
  @IsOptional()
  @IsIn(['json', 'pretty'])
  LOG_FORMAT?: 'json' | 'pretty';

  /** Where this process serves its Prometheus metrics (`/metrics`); unset: not served. 0: a free port. */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(65535)
  METRICS_PORT?: number;

  /** The address of the metrics port: loopback unless told otherwise (containers: 0.0.0.0). */
  @IsIP(undefined, { message: 'METRICS_HOST must be an IP address, e.g. 0.0.0.0' })
  METRICS_HOST = '127.0.0.1';

  /** Whether this process connects to PostgreSQL (the gateway does not). */
  usesDatabase(): boolean {
    return true;
  }
}

/** JWT settings shared by the auth service (signs) and the gateway (verifies). */
export class JwtConfig extends CommonConfig {
  /** HMAC key of tenant-plane access tokens. Required: no default (`npm start` generates its own). */
  @IsString({ message: 'JWT_SECRET is required (at least 32 random characters; `npm start` generates its own)' })
  @MinLength(32, { message: 'JWT_SECRET must be at least 32 characters' })
  @NotPublicInProduction('JWT_SECRET')
  @Sensitive()
  JWT_SECRET!: string;

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
  /**
   * Control-plane operator tokens: another secret, issuer and audience, so neither plane accepts
   * the other's. Required: no default (`npm start` generates its own).
   */
  @IsString({ message: 'CP_JWT_SECRET is required (at least 32 random characters, not JWT_SECRET; `npm start` generates its own)' })
  @MinLength(32, { message: 'CP_JWT_SECRET must be at least 32 characters' })
  @NotPublicInProduction('CP_JWT_SECRET')
  @ValidateBy({
    name: 'notTheTenantSecret',
    validator: {
      validate: (value: unknown, args) => value !== (args?.object as ControlPlaneJwtConfig).JWT_SECRET,
      defaultMessage: () => 'CP_JWT_SECRET must differ from JWT_SECRET (else one plane could accept the other plane\'s tokens)',
    },
  })
  @Sensitive()
  CP_JWT_SECRET!: string;

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
