import { LogPageView, LogQueryDto, TracePageView, TraceQueryDto, TraceView } from '@opsplane/contracts';
import { TenantTx } from '@opsplane/db';
import type { LogRow, SpanRow } from '@opsplane/otlp';

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
}

export const TELEMETRY_STORE = Symbol('TelemetryStore');
