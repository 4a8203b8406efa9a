import { attributes, Attributes, resourceInfo, ResourceInfo } from './attributes';
import { int64ToNumber, nanosToMicros } from './int64';
import { ExponentialBuckets, ExportMetricsServiceRequest, Int64, KeyValue, Metric, NumberDataPoint } from './types';

export type MetricKind = 'gauge' | 'sum' | 'histogram' | 'exponential_histogram' | 'summary';
export type Temporality = 'cumulative' | 'delta' | 'unspecified';

/** An explicit-bucket histogram point: `counts[i]` observations in (bounds[i-1], bounds[i]] (not cumulative). */
export interface HistogramValue {
  count: number;
  sum?: number;
  min?: number;
  max?: number;
  bounds: number[];
  counts: number[];
}

/** An exponential histogram point, its fields as OTLP has them (see the OTLP data model). */
export interface ExponentialHistogramValue {
  count: number;
  sum?: number;
  min?: number;
  max?: number;
  scale: number;
  zero_count: number;
  zero_threshold: number;
  positive: { offset: number; bucket_counts: number[] };
  negative: { offset: number; bucket_counts: number[] };
}

export interface SummaryValue {
  count: number;
  sum: number;
  quantiles: { quantile: number; value: number }[];
}

/** One data point of one metric, normalized (times in microseconds since the epoch). */
export interface MetricPoint {
  name: string;
  description: string;
  unit: string;
  service: string;
  /** The resource's attributes (shared by the points of one resource: do not mutate). */
  resource: Attributes;
  scope: string;
  scope_version: string;
  attributes: Attributes;
  kind: MetricKind;
  /** Sums only: whether the sum only grows (a counter). */
  monotonic: boolean;
  /** Sums and histograms; 'unspecified' for gauges and summaries. */
  temporality: Temporality;
  time_us: number;
  /** The start of the interval (0 when unset). */
  start_time_us: number;
  /** The point's flags have NO_RECORDED_VALUE: the series ended or is missing (`value` is NaN). */
  no_recorded_value: boolean;
  /** Gauges and sums: `asDouble` or `asInt`. */
  value?: number;
  histogram?: HistogramValue;
  exponential?: ExponentialHistogramValue;
  summary?: SummaryValue;
}

const NO_RECORDED_VALUE = 1;
const TEMPORALITIES: Temporality[] = ['unspecified', 'delta', 'cumulative'];

/** One point per data point of a metrics export request, in request order. Exemplars are not read. */
export function metricPoints(req: ExportMetricsServiceRequest): MetricPoint[] {
  const out: MetricPoint[] = [];
  for (const rm of req.resourceMetrics ?? []) {
    const res = resourceInfo(rm.resource);
    for (const sm of rm.scopeMetrics ?? []) {
      const scope = { name: sm.scope?.name ?? '', version: sm.scope?.version ?? '' };
      for (const m of sm.metrics ?? []) addMetric(out, m, res, scope);
    }
  }
  return out;
}

type Base = Omit<MetricPoint, 'attributes' | 'time_us' | 'start_time_us' | 'no_recorded_value'>;

interface PointCommon {
  attributes?: KeyValue[] | null;
  timeUnixNano?: Int64 | null;
  startTimeUnixNano?: Int64 | null;
  flags?: number | null;
}

function addMetric(out: MetricPoint[], m: Metric, res: ResourceInfo, scope: { name: string; version: string }): void {
  const base = (kind: MetricKind, temporality: Temporality, monotonic = false): Base => ({
    name: m.name ?? '',
    description: m.description ?? '',
    unit: m.unit ?? '',
    service: res.service,
    resource: res.attributes,
    scope: scope.name,
    scope_version: scope.version,
    kind,
    monotonic,
    temporality,
  });
  const push = (b: Base, p: PointCommon, extra: Partial<MetricPoint>) => {
    const noValue = ((p.flags ?? 0) & NO_RECORDED_VALUE) !== 0;
    out.push({ ...b, attributes: attributes(p.attributes), time_us: nanosToMicros(p.timeUnixNano), start_time_us: nanosToMicros(p.startTimeUnixNano), no_recorded_value: noValue, ...extra });
  };
  if (m.gauge) {
    const b = base('gauge', 'unspecified');
    for (const p of m.gauge.dataPoints ?? []) push(b, p, { value: numberValue(p) });
  } else if (m.sum) {
    const b = base('sum', temporalityOf(m.sum.aggregationTemporality), m.sum.isMonotonic ?? false);
    for (const p of m.sum.dataPoints ?? []) push(b, p, { value: numberValue(p) });
  } else if (m.histogram) {
    const b = base('histogram', temporalityOf(m.histogram.aggregationTemporality));
    for (const p of m.histogram.dataPoints ?? []) {
      const histogram: HistogramValue = { count: int64ToNumber(p.count), bounds: [...(p.explicitBounds ?? [])], counts: numbers(p.bucketCounts) };
      optional(histogram, p, 'sum', 'min', 'max');
      push(b, p, { histogram });
    }
  } else if (m.exponentialHistogram) {
    const b = base('exponential_histogram', temporalityOf(m.exponentialHistogram.aggregationTemporality));
    for (const p of m.exponentialHistogram.dataPoints ?? []) {
      const exponential: ExponentialHistogramValue = {
        count: int64ToNumber(p.count),
        scale: p.scale ?? 0,
        zero_count: int64ToNumber(p.zeroCount),
        zero_threshold: p.zeroThreshold ?? 0,
        positive: buckets(p.positive),
        negative: buckets(p.negative),
      };
      optional(exponential, p, 'sum', 'min', 'max');
      push(b, p, { exponential });
    }
  } else if (m.summary) {
    const b = base('summary', 'unspecified');
    for (const p of m.summary.dataPoints ?? []) {
      const quantiles = (p.quantileValues ?? []).map((q) => ({ quantile: q.quantile ?? 0, value: q.value ?? 0 }));
      push(b, p, { summary: { count: int64ToNumber(p.count), sum: p.sum ?? 0, quantiles } });
    }
  }
}

function temporalityOf(t: number | null | undefined): Temporality {
  return TEMPORALITIES[t ?? 0] ?? 'unspecified';
}

function numberValue(p: NumberDataPoint): number {
  if (((p.flags ?? 0) & NO_RECORDED_VALUE) !== 0) return NaN;
  if (Object.hasOwn(p, 'asInt') && p.asInt != null) return int64ToNumber(p.asInt);
  return p.asDouble ?? 0;
}

function numbers(list: Int64[] | null | undefined): number[] {
  return (list ?? []).map(int64ToNumber);
}

function buckets(b: ExponentialBuckets | null | undefined): { offset: number; bucket_counts: number[] } {
  return { offset: b?.offset ?? 0, bucket_counts: numbers(b?.bucketCounts) };
}

// proto3 `optional double` fields: copied only when present on the wire.
function optional<K extends 'sum' | 'min' | 'max'>(target: Partial<Record<K, number>>, p: Partial<Record<K, number | null>>, ...keys: K[]): void {
  for (const k of keys) {
    const v = p[k];
    if (Object.hasOwn(p, k) && v != null) target[k] = v;
  }
}
