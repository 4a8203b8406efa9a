import { Type } from 'class-transformer';
import { IsInt, Max, Min } from 'class-validator';
import { CommonConfig } from '@opsplane/config';

/** The telemetry service's settings (environment variables, checked once at start). */
export class TelemetryConfig extends CommonConfig {
  /** How long logs and traces are kept when the tenant's plan says nothing (days; whole day partitions are dropped). */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(3650)
  TELEMETRY_RETENTION_DAYS = 7;

  /** The ingest queue's size limit in JetStream (bytes): past it the gateway answers 503 with Retry-After. */
  @Type(() => Number)
  @IsInt()
  @Min(1024 * 1024)
  TELEMETRY_QUEUE_MAX_BYTES = 2 * 1024 * 1024 * 1024;

  /** How many queued requests the writer takes at once. */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1000)
  TELEMETRY_WRITE_BATCH = 64;

  /** How many batches the writer writes at once (each in its own transaction). */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(16)
  TELEMETRY_WRITERS = 3;

  /**
   * How often the compactor merges the metric chunks of finished hours (ms). An hour is compacted once it has been
   * over for `TELEMETRY_COMPACT_DELAY_MS` (late samples after that are compacted on a later pass).
   */
  @Type(() => Number)
  @IsInt()
  @Min(100)
  TELEMETRY_COMPACT_INTERVAL_MS = 60_000;

  @Type(() => Number)
  @IsInt()
  @Min(0)
  TELEMETRY_COMPACT_DELAY_MS = 300_000;
}
