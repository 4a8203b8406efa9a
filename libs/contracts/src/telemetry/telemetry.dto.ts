import { Type } from 'class-transformer';
import { IsIn, IsInt, IsNumber, IsObject, IsOptional, IsString, Matches, Max, MaxLength, Min, ValidateBy } from 'class-validator';
import { IsOptionalNonNull } from '../common/optional';
import { CommaList } from '../common/pagination';
import { IsRfc3339DateTime } from '../common/time';

export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'unspecified'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
export const SPAN_KINDS = ['unspecified', 'internal', 'server', 'client', 'producer', 'consumer'] as const;
export type SpanKind = (typeof SPAN_KINDS)[number];
export const SPAN_STATUSES = ['unset', 'ok', 'error'] as const;
export type SpanStatus = (typeof SPAN_STATUSES)[number];

export const DEFAULT_TELEMETRY_LIMIT = 100;
export const MAX_TELEMETRY_LIMIT = 1000;
/** Without `from`, a query looks this far back from `to` (or now). */
export const DEFAULT_TELEMETRY_WINDOW_MS = 24 * 3600 * 1000;

const HEX_TRACE_ID = /^[0-9a-fA-F]{32}$/;
const HEX_SPAN_ID = /^[0-9a-fA-F]{16}$/;
/** `attr.<key>` / `resource.<key>`: at most 20 conditions, keys and values of bounded size. */
const MAX_ATTR_FILTERS = 20;

const IsAttributeFilter = () =>
  ValidateBy({
    name: 'isAttributeFilter',
    validator: {
      validate: (v: unknown) =>
        !!v &&
        typeof v === 'object' &&
        !Array.isArray(v) &&
        Object.keys(v).length <= MAX_ATTR_FILTERS &&
        Object.entries(v).every(([k, x]) => k.length >= 1 && k.length <= 200 && typeof x === 'string' && x.length <= 1000),
      defaultMessage: (args) =>
        `${args?.property} conditions are ${args?.property}.<key>=<value> query parameters: at most ${MAX_ATTR_FILTERS}, each key 1-200 and each value up to 1,000 characters`,
    },
  });

class TelemetryWindowDto {
  /** Start of the window (RFC 3339, inclusive); default: `to` minus 24 hours. */
  @IsOptional()
  @IsRfc3339DateTime()
  from?: string;

  /** End of the window (RFC 3339, exclusive); default: now. */
  @IsOptional()
  @IsRfc3339DateTime()
  to?: string;

  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_TELEMETRY_LIMIT)
  limit: number = DEFAULT_TELEMETRY_LIMIT;

  /** The `next_cursor` of the previous page. */
  @IsOptional()
  @IsString()
  @MaxLength(200)
  @Matches(/^[A-Za-z0-9_-]+$/, { message: 'cursor must be the next_cursor of a previous page' })
  cursor?: string;

  /** Resource attribute equality: `resource.k8s.namespace.name=shop` (each `resource.<key>` one condition). */
  @IsOptionalNonNull()
  @IsObject()
  @IsAttributeFilter()
  resource?: Record<string, string>;
}

/** Log records, newest first. */
export class LogQueryDto extends TelemetryWindowDto {
  /** The emitting service (`service.name`); several comma-separated. */
  @IsOptional()
  @CommaList()
  @IsString({ each: true })
  @MaxLength(200, { each: true })
  service?: string[];

  /** Severity levels; several comma-separated (`error,fatal`). */
  @IsOptional()
  @CommaList()
  @IsIn(LOG_LEVELS, { each: true })
  level?: LogLevel[];

  /** Words of the message (all of them, any order; `"a phrase"` in quotes, `-word` excluded). */
  @IsOptional()
  @IsString()
  @MaxLength(500)
  q?: string;

  /** The trace the records belong to (32 hex digits). */
  @IsOptional()
  @Matches(HEX_TRACE_ID, { message: 'trace_id must be 32 hexadecimal digits' })
  trace_id?: string;

  /** The span the records belong to (16 hex digits). */
  @IsOptional()
  @Matches(HEX_SPAN_ID, { message: 'span_id must be 16 hexadecimal digits' })
  span_id?: string;

  /** Record attribute equality: `attr.http.route=/cart` (each `attr.<key>` one condition). */
  @IsOptionalNonNull()
  @IsObject()
  @IsAttributeFilter()
  attr?: Record<string, string>;
}

/** Trace summaries, newest first: traces whose root span started in the window. */
export class TraceQueryDto extends TelemetryWindowDto {
  /** A service with a span in the trace. */
  @IsOptional()
  @IsString()
  @MaxLength(200)
  service?: string;

  /** A span name (operation) in the trace, with `service` of that service. */
  @IsOptional()
  @IsString()
  @MaxLength(500)
  operation?: string;

  /** The shortest trace duration, in milliseconds. */
  @IsOptional()
  @Type(() => Number)
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0)
  @Max(86_400_000)
  min_duration?: number;

  /** The longest trace duration, in milliseconds. */
  @IsOptional()
  @Type(() => Number)
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0)
  @Max(86_400_000)
  max_duration?: number;

  /** `error`: traces with a failed span; `ok`: traces without one. */
  @IsOptional()
  @IsIn(['ok', 'error'])
  status?: 'ok' | 'error';
}

export class TraceRefDto {
  @Matches(HEX_TRACE_ID, { message: 'trace_id must be 32 hexadecimal digits' })
  trace_id!: string;
}

/** A log record as stored. */
export interface LogRecordView {
  /** @format date-time */
  time: string;
  /** @format date-time */
  observed_time: string;
  service: string;
  level: LogLevel;
  severity_number: number;
  severity_text: string;
  body: string;
  trace_id: string | null;
  span_id: string | null;
  /** The instrumentation scope. */
  scope: string;
  attributes: Record<string, unknown>;
  /** The resource's attributes (service.name, host.name, k8s.*, ...). */
  resource: Record<string, unknown>;
}

export interface LogPageView {
  items: LogRecordView[];
  limit: number;
  /** Pass as `cursor` for the next (older) page; null at the end. */
  next_cursor: string | null;
}

export interface TraceSummaryView {
  trace_id: string;
  /** The root span's service and operation. */
  root_service: string;
  root_operation: string;
  /** @format date-time */
  start: string;
  /** From the first span's start to the last span's end, in milliseconds. */
  duration_ms: number;
  span_count: number;
  error_count: number;
  error: boolean;
  services: string[];
}

export interface TracePageView {
  items: TraceSummaryView[];
  limit: number;
  next_cursor: string | null;
}

export interface SpanEventView {
  /** @format date-time */
  time: string;
  name: string;
  attributes: Record<string, unknown>;
}

export interface SpanLinkView {
  trace_id: string;
  span_id: string;
  attributes: Record<string, unknown>;
}

/** A span of a trace; `depth` is its level in the tree (0: a root, or a span whose parent was not received). */
export interface SpanView {
  span_id: string;
  parent_span_id: string | null;
  depth: number;
  name: string;
  kind: SpanKind;
  service: string;
  /** @format date-time */
  start: string;
  /** @format date-time */
  end: string;
  duration_ms: number;
  status: SpanStatus;
  status_message: string;
  scope: string;
  attributes: Record<string, unknown>;
  resource: Record<string, unknown>;
  events: SpanEventView[];
  links: SpanLinkView[];
}

/** A trace: its spans as a tree in depth-first order (a parent before its children, siblings by start). */
export interface TraceView {
  trace_id: string;
  /** @format date-time */
  start: string;
  duration_ms: number;
  span_count: number;
  services: string[];
  spans: SpanView[];
}

/** The tenant's telemetry volume today (UTC) against its plan (the gateways refuse more past the limit). */
export interface IngestAllowanceView {
  /** @format date */
  day: string;
  used_bytes: number;
  /** The plan's telemetry_bytes_per_day; null: unlimited. */
  limit_bytes: number | null;
  /** How long this tenant's telemetry is kept (days). */
  retention_days: number;
}

export const METRIC_AGGREGATIONS = ['avg', 'sum', 'min', 'max', 'count', 'last', 'rate', 'increase', 'p50', 'p90', 'p95', 'p99'] as const;
export type MetricAggregation = (typeof METRIC_AGGREGATIONS)[number];
export const DEFAULT_METRIC_SERIES_LIMIT = 100;
export const MAX_METRIC_SERIES_LIMIT = 1000;
/** The most buckets per series (`(end - start) / step`). */
export const MAX_METRIC_BUCKETS = 11_000;

/**
 * One metric's samples in aligned buckets per series. Bucket `t` covers [t, t + step); `t` is a multiple of `step`
 * since the epoch, from `start` (rounded down) to `end`.
 */
export class MetricQueryDto {
  /** The metric (Prometheus name: OTLP metrics are stored under their Prometheus names, e.g. `http_server_duration_milliseconds`). */
  @Matches(/^[a-zA-Z_:][a-zA-Z0-9_:]{0,199}$/, { message: 'metric_name must be a metric name ([a-zA-Z_:][a-zA-Z0-9_:]*, up to 200 characters)' })
  metric_name!: string;

  /** Start (RFC 3339); default: `end` minus one hour. */
  @IsOptional()
  @IsRfc3339DateTime()
  start?: string;

  /** End (RFC 3339); default: now. */
  @IsOptional()
  @IsRfc3339DateTime()
  end?: string;

  /** Bucket width: a duration (`30s`, `5m`, `1h`) or seconds; default 60s. */
  @IsOptional()
  @Matches(/^(\d{1,7}(\.\d{1,3})?|(\d{1,7}(ms|s|m|h|d|w|y))+)$/, { message: 'step must be a duration such as 30s, 5m or 1h, or a number of seconds' })
  step?: string;

  /** Label equality conditions, comma-separated `name=value` pairs (`service=checkout,env=prod`). */
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  @Matches(/^[a-zA-Z_][a-zA-Z0-9_]*=[^,]*(,[a-zA-Z_][a-zA-Z0-9_]*=[^,]*)*$/, { message: 'labels must be comma-separated name=value pairs (label names [a-zA-Z_][a-zA-Z0-9_]*)' })
  labels?: string;

  /**
   * Per bucket and series: `avg` (default), `sum`, `min`, `max`, `count`, `last` of the samples; `rate` (per second) and
   * `increase` of a counter; `p50`/`p90`/`p95`/`p99` from a histogram's buckets (`<metric>_bucket` series).
   */
  @IsOptional()
  @IsIn(METRIC_AGGREGATIONS)
  agg?: MetricAggregation;

  /** The most series answered (default 100). */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_METRIC_SERIES_LIMIT)
  limit: number = DEFAULT_METRIC_SERIES_LIMIT;
}

export interface MetricPointView {
  /** The bucket's start. @format date-time */
  t: string;
  v: number;
}

export interface MetricSeriesView {
  /** The series' labels (without `__name__`). */
  labels: Record<string, string>;
  points: MetricPointView[];
}

export interface MetricQueryView {
  metric_name: string;
  agg: MetricAggregation;
  /** @format date-time */
  start: string;
  /** @format date-time */
  end: string;
  step_seconds: number;
  /** The PromQL expression the buckets were computed with (usable at /api/prom/api/v1/query_range). */
  promql: string;
  series: MetricSeriesView[];
  /** More series matched than `limit`: the first ones by labels are answered. */
  truncated: boolean;
}

export const PROM_API_ENDPOINTS = ['query', 'query_range', 'series', 'labels', 'label_values'] as const;
export type PromApiEndpoint = (typeof PROM_API_ENDPOINTS)[number];

/** A Prometheus HTTP API call as the gateway received it (parameters as sent; the telemetry service parses them as Prometheus does). */
export class PromApiRequestDto {
  @IsIn(PROM_API_ENDPOINTS)
  endpoint!: PromApiEndpoint;

  /** The label of `label/<name>/values`. */
  @IsOptional()
  @IsString()
  @MaxLength(1000)
  label?: string;

  /** Query string and form parameters: a name may be repeated (`match[]`). */
  @IsObject()
  params!: Record<string, string | string[]>;
}

/**
 * The Prometheus API's answer: its JSON text as it would send it (sent on as is, never parsed and serialized again),
 * gzip-compressed and base64-encoded when large.
 */
export interface PromApiReplyView {
  /** The HTTP status Prometheus would answer with. */
  status_code: number;
  json_text?: string;
  gzip_base64?: string;
}
