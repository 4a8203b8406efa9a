// OTLP names to Prometheus names, per the OpenTelemetry "Prometheus and OpenMetrics Compatibility"
// specification (OTLP Metric points to Prometheus): discouraged characters become '_', runs of '_'
// collapse to one, the unit (UCUM, translated to its Prometheus word) and `_total` (monotonic sums)
// are appended as suffixes.

/** The Prometheus words of the spec's table of common UCUM units. */
const UNIT_WORDS: Record<string, string> = {
  d: 'days',
  h: 'hours',
  min: 'minutes',
  s: 'seconds',
  ms: 'milliseconds',
  us: 'microseconds',
  ns: 'nanoseconds',
  By: 'bytes',
  KiBy: 'kibibytes',
  MiBy: 'mebibytes',
  GiBy: 'gibibytes',
  TiBy: 'tebibytes',
  kBy: 'kilobytes',
  MBy: 'megabytes',
  GBy: 'gigabytes',
  TBy: 'terabytes',
  m: 'meters',
  V: 'volts',
  A: 'amperes',
  J: 'joules',
  W: 'watts',
  g: 'grams',
  Cel: 'celsius',
  Hz: 'hertz',
  '%': 'percent',
};

/**
 * The denominators of rates ("m/s" is meters_per_second): the Collector's translator's words (its
 * `m` is a minute, as in Prometheus's OTLP receiver) and the UCUM codes of the same durations.
 */
const PER_UNIT_WORDS: Record<string, string> = { s: 'second', m: 'minute', min: 'minute', h: 'hour', d: 'day', w: 'week', wk: 'week', mo: 'month', y: 'year', a: 'year' };

/** A metric name matching `[a-zA-Z_:][a-zA-Z0-9_:]*` ('' stays ''). */
export function promMetricName(name: string): string {
  const s = name.replace(/[^a-zA-Z0-9_:]/g, '_').replace(/__+/g, '_');
  return /^[0-9]/.test(s) ? `_${s}` : s;
}

const labelNames = new Map<string, string>();

/** A label name matching `[a-zA-Z_][a-zA-Z0-9_]*`; never starts with `__` (reserved), '' stays ''. */
export function promLabelName(key: string): string {
  let s = labelNames.get(key);
  if (s === undefined) {
    s = key.replace(/[^a-zA-Z0-9_]/g, '_').replace(/__+/g, '_');
    if (/^[0-9]/.test(s)) s = `_${s}`;
    if (labelNames.size > 10_000) labelNames.clear();
    labelNames.set(key, s);
  }
  return s;
}

/**
 * The Prometheus unit word of a UCUM unit ('' for none): the spec's table, `{annotations}` dropped,
 * rates as `<unit>_per_<unit>`; "1" is `ratio` for gauges (as the Collector names it) and nothing otherwise.
 */
export function promUnit(unit: string, gauge: boolean): string {
  const u = unit.replace(/\{[^}]*\}/g, '').trim();
  if (u === '') return '';
  if (u === '1') return gauge ? 'ratio' : '';
  const slash = u.indexOf('/');
  if (slash < 0) return unitWord(u, UNIT_WORDS);
  const num = u.slice(0, slash) === '1' ? '' : unitWord(u.slice(0, slash), UNIT_WORDS);
  const den = unitWord(u.slice(slash + 1), PER_UNIT_WORDS);
  if (!den) return num;
  return num ? `${num}_per_${den}` : `per_${den}`;
}

function unitWord(u: string, words: Record<string, string>): string {
  return words[u] ?? u.replace(/[^a-zA-Z0-9]+/g, '_').replace(/^_+|_+$/g, '');
}

/** What the name of a point's series depends on. */
export interface NamedMetric {
  name: string;
  unit: string;
  /** A monotonic sum (a Prometheus counter). */
  counter: boolean;
  /** A gauge or a non-monotonic sum. */
  gauge: boolean;
}

/**
 * The Prometheus metric name of an OTLP metric: sanitized, plus (with `suffixes`) the unit unless
 * the name already ends with it, and `_total` for counters. A counter already ending in `_total`
 * keeps its name ("otherwise the name MUST remain unchanged").
 */
export function promName(m: NamedMetric, suffixes: boolean): string {
  let name = promMetricName(m.name);
  if (!suffixes || name === '') return name;
  if (m.counter && name.endsWith('_total')) return name;
  const unit = promUnit(m.unit, m.gauge);
  if (unit && name !== unit && !name.endsWith(`_${unit}`)) name += `_${unit}`;
  return m.counter ? `${name}_total` : name;
}

/**
 * A float as a label value (`le`, `quantile`): shortest round-trip digits without an exponent,
 * `+Inf`/`-Inf`/`NaN`, as Go's strconv.FormatFloat(v, 'f', -1, 64) that Prometheus uses.
 */
export function promFloat(v: number): string {
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  const s = String(v);
  const e = s.indexOf('e');
  if (e < 0) return s;
  const negative = s.startsWith('-');
  const [int, frac = ''] = s.slice(negative ? 1 : 0, e).split('.');
  const digits = int + frac;
  const point = int.length + Number(s.slice(e + 1));
  const body = point <= 0 ? `0.${'0'.repeat(-point)}${digits}` : point >= digits.length ? digits + '0'.repeat(point - digits.length) : `${digits.slice(0, point)}.${digits.slice(point)}`;
  return negative ? `-${body}` : body;
}
