import { Attributes, attrText } from './attributes';
import { MetricPoint } from './metrics';
import { promFloat, promLabelName, promName } from './prom-naming';

/**
 * One sample. A Prometheus staleness marker (the NaN 0x7ff0000000000002, "this series ended") is
 * `{ v: NaN, stale: true }`: a JS NaN cannot carry its bit pattern reliably, so the flag does;
 * remote_write encoding writes those exact bits back.
 */
export interface PromSample {
  t_ms: number;
  v: number;
  stale?: true;
}

/** One Prometheus series and its samples, in arrival order. `labels` includes `__name__`. */
export interface PromSeriesSamples {
  labels: Record<string, string>;
  samples: PromSample[];
}

export interface PromTranslationOptions {
  /** Append the unit and `_total` suffixes to metric names (the spec's default); default true. */
  suffixes?: boolean;
}

/** The label that marks the series of delta-temporality points (see {@link promSamples}). */
export const DELTA_LABEL = '__temporality__';

type Labels = [string, string][];

/**
 * OTLP metric points as Prometheus series, per the OpenTelemetry "Prometheus and OpenMetrics
 * compatibility" specification (OTLP Metric points to Prometheus):
 * - names sanitized, unit and `_total` suffixes (see `promName`); labels from the point's
 *   attributes (sanitized; keys that collide are joined with ';' in the order of the original keys),
 *   `otel_scope_name`/`otel_scope_version`, `job` (`service.namespace/service.name`), `instance`
 *   (`service.instance.id`) and `service` (service.name) from the resource; labels with an empty value
 *   are left out (Prometheus treats them as absent);
 * - gauges and sums: one sample; histograms: `_bucket{le}` (cumulative counts, the last `le="+Inf"`
 *   equal to the count), `_sum` (when the point has one), `_count`; summaries: `{quantile}`, `_sum`, `_count`;
 * - a point with NO_RECORDED_VALUE gives staleness markers;
 * - a `target_info` series (value 1) per job/instance carries the other resource attributes;
 * - exponential histograms (Prometheus native histograms) have no float-sample form: they are skipped.
 * Delta points: the spec would have them aggregated into cumulative ones or dropped; here they are
 * kept as they are (each sample the change over its interval), under the same names, with the label
 * `__temporality__="delta"` (reserved: no sanitized attribute starts with `__`), so a query can tell them
 * apart (sum_over_time, not rate) and they never share a series with cumulative points.
 */
export function promSamples(points: MetricPoint[], options: PromTranslationOptions = {}): PromSeriesSamples[] {
  const suffixes = options.suffixes ?? true;
  const series = new Map<string, PromSeriesSamples>();
  const targets = new Map<string, Target | null>();
  const add = (name: string, common: Labels, t_ms: number, v: number, stale: boolean, extra?: [string, string]) => {
    const labels: Labels = extra ? [['__name__', name], ...common.filter(([k]) => k !== extra[0]), extra] : [['__name__', name], ...common];
    labels.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    let key = '';
    for (const [k, val] of labels) key += `${k}\u0000${val}\u0001`;
    let s = series.get(key);
    if (!s) series.set(key, (s = { labels: Object.fromEntries(labels), samples: [] }));
    s.samples.push(stale ? { t_ms, v: NaN, stale: true } : { t_ms, v });
  };
  for (const p of points) {
    const name = promName({ name: p.name, unit: p.unit, counter: p.kind === 'sum' && p.monotonic, gauge: p.kind === 'gauge' || (p.kind === 'sum' && !p.monotonic) }, suffixes);
    if (name === '' || p.kind === 'exponential_histogram') continue;
    const common = pointLabels(p);
    const t = Math.floor(p.time_us / 1000);
    const stale = p.no_recorded_value;
    if ((p.kind === 'gauge' || p.kind === 'sum') && p.value !== undefined) add(name, common, t, p.value, stale);
    if (p.histogram) {
      const h = p.histogram;
      let cumulative = 0;
      for (let i = 0; i < h.bounds.length; i++) {
        cumulative += h.counts[i] ?? 0;
        add(`${name}_bucket`, common, t, cumulative, stale, ['le', promFloat(h.bounds[i])]);
      }
      add(`${name}_bucket`, common, t, h.count, stale, ['le', '+Inf']);
      if (h.sum !== undefined) add(`${name}_sum`, common, t, h.sum, stale);
      add(`${name}_count`, common, t, h.count, stale);
    }
    if (p.summary) {
      const q = [...p.summary.quantiles].sort((a, b) => a.quantile - b.quantile);
      for (const { quantile, value } of q) add(name, common, t, value, stale, ['quantile', promFloat(quantile)]);
      add(`${name}_sum`, common, t, p.summary.sum, stale);
      add(`${name}_count`, common, t, p.summary.count, stale);
    }
    noteTarget(targets, p.resource, p.service, t);
  }
  for (const target of targets.values()) if (target) add('target_info', target.labels, target.t_ms, 1, false);
  return [...series.values()];
}

const RESOURCE_IDENTITY = new Set(['service.name', 'service.namespace', 'service.instance.id']);

function jobInstance(resource: Attributes, service: string): Labels {
  const ns = attrText(resource['service.namespace'] ?? null);
  return [
    ['job', ns ? `${ns}/${service}` : service],
    ['instance', attrText(resource['service.instance.id'] ?? null)],
  ];
}

/** The labels every series of a point has (all but `__name__`, `le`, `quantile`). */
function pointLabels(p: MetricPoint): Labels {
  const fixed: Labels = [...jobInstance(p.resource, p.service), ['service', p.service]];
  if (p.temporality === 'delta') fixed.push([DELTA_LABEL, 'delta']);
  const attrs: [string, string][] = [['otel.scope.name', p.scope], ['otel.scope.version', p.scope_version]];
  for (const k of Object.keys(p.attributes)) attrs.push([k, attrText(p.attributes[k])]);
  return withFixed(sanitized(attrs), fixed);
}

/** Attribute keys as label names; values of keys that collide joined with ';' in the order of the original keys. */
function sanitized(attrs: [string, string][]): Map<string, string> {
  attrs.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const out = new Map<string, string>();
  for (const [k, v] of attrs) {
    const name = promLabelName(k);
    if (name === '' || v === '') continue;
    const prev = out.get(name);
    out.set(name, prev === undefined ? v : `${prev};${v}`);
  }
  return out;
}

function withFixed(labels: Map<string, string>, fixed: Labels): Labels {
  for (const [k, v] of fixed) labels.set(k, v);
  return [...labels].filter(([, v]) => v !== '');
}

interface Target {
  labels: Labels;
  t_ms: number;
}

/** Notes the `target_info` of a point's resource (its latest time); null when it has no other attribute. */
function noteTarget(targets: Map<string, Target | null>, resource: Attributes, service: string, t_ms: number): void {
  const identity = jobInstance(resource, service);
  const key = `${identity[0][1]}\u0000${identity[1][1]}`;
  const known = targets.get(key);
  if (known !== undefined) {
    if (known) known.t_ms = Math.max(known.t_ms, t_ms);
    return;
  }
  const attrs = Object.keys(resource)
    .filter((k) => !RESOURCE_IDENTITY.has(k))
    .map((k): [string, string] => [k, attrText(resource[k])]);
  targets.set(key, attrs.length ? { labels: withFixed(sanitized(attrs), identity), t_ms } : null);
}
