// The decoded OTLP messages, as protobufjs gives them (camelCase fields of the vendored .proto
// files, 64-bit integers as Long, bytes as Buffer) and as the OTLP/JSON decoder builds them.
// Only what the library reads is typed; every field may be absent (proto3 defaults).

/** Which OTLP export service a body belongs to. */
export type OtlpSignal = 'logs' | 'traces' | 'metrics';

/** The OTLP/HTTP content types: `application/x-protobuf` or `application/json`. */
export type OtlpFormat = 'protobuf' | 'json';

/** A 64-bit integer: protobufjs's Long (or its `{low, high}` bits), a JS number or a decimal string. */
export type Int64 = number | string | { low: number; high: number; unsigned?: boolean };

export interface AnyValue {
  stringValue?: string | null;
  boolValue?: boolean | null;
  intValue?: Int64 | null;
  doubleValue?: number | null;
  arrayValue?: { values?: AnyValue[] | null } | null;
  kvlistValue?: { values?: KeyValue[] | null } | null;
  bytesValue?: Uint8Array | null;
}

export interface KeyValue {
  key?: string | null;
  value?: AnyValue | null;
}

export interface Resource {
  attributes?: KeyValue[] | null;
}

export interface InstrumentationScope {
  name?: string | null;
  version?: string | null;
  attributes?: KeyValue[] | null;
}

export interface LogRecord {
  timeUnixNano?: Int64 | null;
  observedTimeUnixNano?: Int64 | null;
  severityNumber?: number | null;
  severityText?: string | null;
  body?: AnyValue | null;
  attributes?: KeyValue[] | null;
  flags?: number | null;
  traceId?: Uint8Array | null;
  spanId?: Uint8Array | null;
  eventName?: string | null;
}

export interface ScopeLogs {
  scope?: InstrumentationScope | null;
  logRecords?: LogRecord[] | null;
}

export interface ResourceLogs {
  resource?: Resource | null;
  scopeLogs?: ScopeLogs[] | null;
}

export interface ExportLogsServiceRequest {
  resourceLogs?: ResourceLogs[] | null;
}

export interface SpanEvent {
  timeUnixNano?: Int64 | null;
  name?: string | null;
  attributes?: KeyValue[] | null;
}

export interface SpanLink {
  traceId?: Uint8Array | null;
  spanId?: Uint8Array | null;
  attributes?: KeyValue[] | null;
}

export interface Span {
  traceId?: Uint8Array | null;
  spanId?: Uint8Array | null;
  parentSpanId?: Uint8Array | null;
  traceState?: string | null;
  flags?: number | null;
  name?: string | null;
  kind?: number | null;
  startTimeUnixNano?: Int64 | null;
  endTimeUnixNano?: Int64 | null;
  attributes?: KeyValue[] | null;
  events?: SpanEvent[] | null;
  links?: SpanLink[] | null;
  status?: { code?: number | null; message?: string | null } | null;
}

export interface ScopeSpans {
  scope?: InstrumentationScope | null;
  spans?: Span[] | null;
}

export interface ResourceSpans {
  resource?: Resource | null;
  scopeSpans?: ScopeSpans[] | null;
}

export interface ExportTraceServiceRequest {
  resourceSpans?: ResourceSpans[] | null;
}

export interface Exemplar {
  traceId?: Uint8Array | null;
  spanId?: Uint8Array | null;
}

interface DataPointBase {
  attributes?: KeyValue[] | null;
  startTimeUnixNano?: Int64 | null;
  timeUnixNano?: Int64 | null;
  flags?: number | null;
  exemplars?: Exemplar[] | null;
}

export interface NumberDataPoint extends DataPointBase {
  asDouble?: number | null;
  asInt?: Int64 | null;
}

export interface HistogramDataPoint extends DataPointBase {
  count?: Int64 | null;
  sum?: number | null;
  min?: number | null;
  max?: number | null;
  bucketCounts?: Int64[] | null;
  explicitBounds?: number[] | null;
}

export interface ExponentialBuckets {
  offset?: number | null;
  bucketCounts?: Int64[] | null;
}

export interface ExponentialHistogramDataPoint extends DataPointBase {
  count?: Int64 | null;
  sum?: number | null;
  min?: number | null;
  max?: number | null;
  scale?: number | null;
  zeroCount?: Int64 | null;
  zeroThreshold?: number | null;
  positive?: ExponentialBuckets | null;
  negative?: ExponentialBuckets | null;
}

export interface SummaryDataPoint extends DataPointBase {
  count?: Int64 | null;
  sum?: number | null;
  quantileValues?: { quantile?: number | null; value?: number | null }[] | null;
}

interface Points<P> {
  dataPoints?: P[] | null;
  aggregationTemporality?: number | null;
}

export interface Metric {
  name?: string | null;
  description?: string | null;
  unit?: string | null;
  gauge?: Points<NumberDataPoint> | null;
  sum?: (Points<NumberDataPoint> & { isMonotonic?: boolean | null }) | null;
  histogram?: Points<HistogramDataPoint> | null;
  exponentialHistogram?: Points<ExponentialHistogramDataPoint> | null;
  summary?: Points<SummaryDataPoint> | null;
}

export interface ScopeMetrics {
  scope?: InstrumentationScope | null;
  metrics?: Metric[] | null;
}

export interface ResourceMetrics {
  resource?: Resource | null;
  scopeMetrics?: ScopeMetrics[] | null;
}

export interface ExportMetricsServiceRequest {
  resourceMetrics?: ResourceMetrics[] | null;
}

/** The export request of each signal. */
export interface OtlpRequests {
  logs: ExportLogsServiceRequest;
  traces: ExportTraceServiceRequest;
  metrics: ExportMetricsServiceRequest;
}

/** A decoded export request (of any signal). */
export type OtlpRequest = OtlpRequests[OtlpSignal];
