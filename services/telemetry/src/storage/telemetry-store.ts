import { LogPageView, LogQueryDto, TracePageView, TraceQueryDto, TraceView } from '@opsplane/contracts';
import { TenantTx } from '@opsplane/db';
import type { LogRow, PromSeriesSamples, SpanRow } from '@opsplane/otlp';
import type { Matcher, Series, SeriesSource } from '@opsplane/promql';

/**
 * Where telemetry is kept, behind one interface (PostgreSQL by default: `PgTelemetryStore`; docs/telemetry-storage.md
 * says what a column store needs to take over). Writes come in batches of one tenant; reads run in the tenant's
 * transaction, so row-level security holds whatever the query.
 */
export interface TelemetryStore {
  /** Makes sure the data of `retentionDays` can be written for the days from `fromDay` on (idempotent). */
  prepare(tx: TenantTx, retentionDays: number, fromDay: Date, days: number): Promise<void>;
  writeLogs(tx: TenantTx, retentionDays: number, rows: LogRow[]): Promise<void>;
  writeSpans(tx: TenantTx, retentionDays: number, rows: SpanRow[]): Promise<void>;
  queryLogs(tx: TenantTx, q: LogQueryDto, window: { fromUs: number; toUs: number }): Promise<LogPageView>;
  queryTraces(tx: TenantTx, q: TraceQueryDto, window: { fromUs: number; toUs: number }): Promise<TracePageView>;
  trace(tx: TenantTx, traceId: string): Promise<TraceView | null>;
  /** Drops what is older than its retention allows; answers how many partitions went. */
  expire(today: Date): Promise<number>;
  readonly metrics: MetricStore;
}

/** Metric samples in Prometheus' data model (series of labels, `__name__` included; samples in ms). */
export interface MetricStore {
  /** Writes one tenant's samples in [minMs, maxMs) (the partitions prepared); answers what was written and dropped. */
  write(tx: TenantTx, retentionDays: number, series: PromSeriesSamples[], minMs: number, maxMs: number): Promise<{ written: number; dropped: number }>;
  findSeries(tx: TenantTx, matchers: Matcher[], startMs: number, endMs: number): Promise<{ id: string; labels: Record<string, string> }[]>;
  samples(tx: TenantTx, series: { id: string; labels: Record<string, string> }[], startMs: number, endMs: number): Promise<Series[]>;
  /** The PromQL engine's view of the tenant's metrics. */
  source(tx: TenantTx): SeriesSource;
  labelNames(tx: TenantTx, selectors: Matcher[][], startMs: number, endMs: number): Promise<string[]>;
  labelValues(tx: TenantTx, name: string, selectors: Matcher[][], startMs: number, endMs: number): Promise<string[]>;
  /** Background upkeep: merges the small chunks of finished hours; answers how many hours were done. */
  compact(tx: TenantTx, beforeMs: number, maxHours?: number): Promise<number>;
  tenantsToCompact(query: (sql: string, params: unknown[]) => Promise<unknown>, beforeMs: number): Promise<string[]>;
}

export const TELEMETRY_STORE = Symbol('TelemetryStore');
