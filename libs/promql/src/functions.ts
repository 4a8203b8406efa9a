/**
 * Functions over instant vectors and scalars (Prometheus's `promql/functions.go`), applied to every
 * step at once. Functions that change a value's meaning drop `__name__`; series that then share a
 * label set are merged (and fail if they collide at a step), as Prometheus's output map does.
 */
import { execError } from './errors';
import { BUCKET_LABEL, Labels } from './labels';
import { compileAnchoredRegex } from './matchers';
import { type Bucket, bucketFraction, bucketQuantile } from './quantile';
import { OutputSet, type StepSeries, mapValues, mergeSameLabels, relabel } from './series';
import { parseGoFloat } from './values';

// ---- math -------------------------------------------------------------------------------------

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);

/** Go's math.Frexp: x = frac × 2^exp with |frac| in [0.5, 1). */
function frexp(x: number): [number, number] {
  if (x === 0 || x !== x || x === Infinity || x === -Infinity) return [x, 0];
  let exp = 0;
  if (Math.abs(x) < 2.2250738585072014e-308) {
    x *= 4503599627370496; // 2^52: normalize a subnormal
    exp = -52;
  }
  f64[0] = x;
  const hi = u32[1];
  exp += ((hi >>> 20) & 0x7ff) - 1022;
  u32[1] = (hi & ~(0x7ff << 20)) | (1022 << 20);
  return [f64[0], exp];
}

/** Go's math.Log2: exact for powers of two. */
export function goLog2(x: number): number {
  const [frac, exp] = frexp(x);
  if (frac === 0.5) return exp - 1;
  return Math.log(frac) * Math.LOG2E + exp;
}

/** Go's math.Log10, which is Log2(x) × (Ln2/Ln10). */
export function goLog10(x: number): number {
  return goLog2(x) * 0.3010299956639812; // Ln2/Ln10 rounded to float64
}

const MATH: Record<string, (v: number) => number> = {
  abs: Math.abs,
  ceil: Math.ceil,
  floor: Math.floor,
  exp: Math.exp,
  sqrt: Math.sqrt,
  ln: Math.log,
  log2: goLog2,
  log10: goLog10,
  sin: Math.sin,
  cos: Math.cos,
  tan: Math.tan,
  asin: Math.asin,
  acos: Math.acos,
  atan: Math.atan,
  sinh: Math.sinh,
  cosh: Math.cosh,
  tanh: Math.tanh,
  asinh: Math.asinh,
  acosh: Math.acosh,
  atanh: Math.atanh,
  deg: (v) => (v * 180) / Math.PI,
  rad: (v) => (v * Math.PI) / 180,
  sgn: (v) => (v < 0 ? -1 : v > 0 ? 1 : v),
};

export function isMathFunction(name: string): boolean {
  return Object.prototype.hasOwnProperty.call(MATH, name);
}

/** abs(), ln(), ...: the function of every value; the metric name is dropped. */
export function mathFunction(name: string, vec: readonly StepSeries[]): StepSeries[] {
  const f = MATH[name];
  return mergeSameLabels(vec.map((s) => mapValues(s, s.labels.dropMetricName(), f)));
}

/** Maps every point with a per-step function; drops points where it returns undefined. */
function mapPoints(vec: readonly StepSeries[], f: (v: number, step: number) => number | undefined): StepSeries[] {
  const out: StepSeries[] = [];
  for (const s of vec) {
    const values = new Float64Array(s.values.length);
    const present = new Uint8Array(s.values.length);
    let any = false;
    for (let j = 0; j < values.length; j++) {
      if (!s.present[j]) continue;
      const r = f(s.values[j], s.start + j);
      if (r === undefined) continue;
      values[j] = r;
      present[j] = 1;
      any = true;
    }
    if (any) out.push({ labels: s.labels.dropMetricName(), start: s.start, values, present });
  }
  return mergeSameLabels(out);
}

/** clamp(v, min, max), clamp_min, clamp_max: nothing at a step where max < min. */
export function clamp(vec: readonly StepSeries[], min: Float64Array | undefined, max: Float64Array | undefined): StepSeries[] {
  return mapPoints(vec, (v, step) => {
    const lo = min ? min[step] : -Infinity;
    const hi = max ? max[step] : Infinity;
    if (hi < lo) return undefined;
    return Math.max(lo, Math.min(hi, v));
  });
}

/** round(v, to_nearest=1): ties round up. */
export function round(vec: readonly StepSeries[], toNearest: Float64Array | undefined): StepSeries[] {
  return mapPoints(vec, (v, step) => {
    const inverse = 1 / (toNearest ? toNearest[step] : 1);
    return Math.floor(v * inverse + 0.5) / inverse;
  });
}

/** timestamp(expr) of a computed vector: the evaluation time of each point, in seconds. */
export function timestampOfSteps(vec: readonly StepSeries[], stepTime: (step: number) => number): StepSeries[] {
  return mapPoints(vec, (_v, step) => stepTime(step) / 1000);
}

/** Date functions: the UTC calendar field of a time in seconds (the step's time without argument). */
export function dateFunction(name: string, vec: readonly StepSeries[] | undefined, numSteps: number, stepTime: (step: number) => number): StepSeries[] {
  const field = (seconds: number): number => {
    if (!Number.isFinite(seconds)) return NaN;
    const d = new Date(Math.trunc(seconds) * 1000);
    switch (name) {
      case 'minute':
        return d.getUTCMinutes();
      case 'hour':
        return d.getUTCHours();
      case 'day_of_month':
        return d.getUTCDate();
      case 'day_of_week':
        return d.getUTCDay();
      case 'day_of_year':
        return Math.round((Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()) - Date.UTC(d.getUTCFullYear(), 0, 1)) / 86400000) + 1;
      case 'days_in_month':
        return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 0)).getUTCDate();
      case 'month':
        return d.getUTCMonth() + 1;
      case 'year':
        return d.getUTCFullYear();
      default:
        throw execError(`unknown date function ${name}`);
    }
  };
  if (!vec) {
    const values = new Float64Array(numSteps);
    for (let i = 0; i < numSteps; i++) values[i] = field(Math.trunc(stepTime(i) / 1000));
    return [{ labels: Labels.EMPTY, start: 0, values, present: new Uint8Array(numSteps).fill(1) }];
  }
  return mapPoints(vec, (v) => field(v));
}

// ---- vector / scalar conversions --------------------------------------------------------------

export function vectorOf(scalar: Float64Array): StepSeries[] {
  return [{ labels: Labels.EMPTY, start: 0, values: scalar, present: new Uint8Array(scalar.length).fill(1) }];
}

/** scalar(v): the value of the only series at each step, NaN when there is not exactly one. */
export function scalarOf(vec: readonly StepSeries[], numSteps: number): Float64Array {
  const out = new Float64Array(numSteps).fill(NaN);
  const counts = new Uint32Array(numSteps);
  for (const s of vec) {
    for (let j = 0; j < s.present.length; j++) {
      if (!s.present[j]) continue;
      const step = s.start + j;
      counts[step]++;
      out[step] = counts[step] === 1 ? s.values[j] : NaN;
    }
  }
  return out;
}

/** absent(v): 1 at the steps where `v` is empty, with the labels of the selector's equality matchers. */
export function absent(vec: readonly StepSeries[], labels: Labels, numSteps: number): StepSeries[] {
  const covered = new Uint8Array(numSteps);
  for (const s of vec) for (let j = 0; j < s.present.length; j++) if (s.present[j]) covered[s.start + j] = 1;
  const present = new Uint8Array(numSteps);
  let any = false;
  for (let i = 0; i < numSteps; i++) {
    if (!covered[i]) {
      present[i] = 1;
      any = true;
    }
  }
  return any ? [{ labels, start: 0, values: new Float64Array(numSteps).fill(1), present }] : [];
}

/**
 * sort / sort_desc: orders the series by their value at the first step (only an instant query's
 * order is observable; a range query's matrix is sorted by labels). NaN sorts last.
 */
export function sortByValue(vec: readonly StepSeries[], desc: boolean): StepSeries[] {
  const at = (s: StepSeries): number => (s.start === 0 && s.present[0] ? s.values[0] : NaN);
  return [...vec].sort((a, b) => {
    const x = at(a);
    const y = at(b);
    if (x !== x) return y !== y ? 0 : 1;
    if (y !== y) return -1;
    return desc ? y - x : x - y;
  });
}

// ---- labels -----------------------------------------------------------------------------------

/**
 * Go's `regexp.Expand`: `$1`, `${1}`, `$name`, `${name}`, `$$`; a name is the longest run of
 * letters, digits and `_`; unknown or unmatched groups expand to nothing.
 */
export function expandTemplate(template: string, match: RegExpExecArray): string {
  let out = '';
  let rest = template;
  for (;;) {
    const i = rest.indexOf('$');
    if (i < 0) break;
    out += rest.slice(0, i);
    rest = rest.slice(i + 1);
    if (rest.startsWith('$')) {
      out += '$';
      rest = rest.slice(1);
      continue;
    }
    const brace = rest.startsWith('{');
    const m = /^[A-Za-z0-9_]+/.exec(brace ? rest.slice(1) : rest);
    if (!m || (brace && rest[1 + m[0].length] !== '}')) {
      out += '$';
      continue;
    }
    const name = m[0];
    rest = rest.slice(name.length + (brace ? 2 : 0));
    if (/^\d+$/.test(name)) {
      const num = Number(name);
      if (name.length <= 8 && num < match.length && match[num] !== undefined) out += match[num];
    } else {
      const v = match.groups?.[name];
      if (v !== undefined) out += v;
    }
  }
  return out + rest;
}

export function labelReplace(vec: readonly StepSeries[], dst: string, replacement: string, src: string, regex: string): StepSeries[] {
  let re: RegExp;
  try {
    re = compileAnchoredRegex(regex);
  } catch {
    throw execError(`invalid regular expression in label_replace(): ${regex}`);
  }
  if (dst === '') throw execError(`invalid destination label name in label_replace(): ${dst}`);
  return mergeSameLabels(
    vec.map((s) => {
      const m = re.exec(s.labels.get(src));
      if (!m) return s;
      return relabel(s, s.labels.with(dst, expandTemplate(replacement, m)));
    }),
  );
}

export function labelJoin(vec: readonly StepSeries[], dst: string, separator: string, srcs: string[]): StepSeries[] {
  for (const src of srcs) if (src === '') throw execError(`invalid source label name in label_join(): ${src}`);
  if (dst === '') throw execError(`invalid destination label name in label_join(): ${dst}`);
  return mergeSameLabels(vec.map((s) => relabel(s, s.labels.with(dst, srcs.map((n) => s.labels.get(n)).join(separator)))));
}

// ---- classic histograms -----------------------------------------------------------------------

/**
 * histogram_quantile / histogram_fraction over classic histograms: the `le` buckets of one
 * histogram are the series equal in all labels but `le`; the result drops `le` and `__name__`.
 */
function overBuckets(vec: readonly StepSeries[], numSteps: number, compute: (step: number, buckets: Bucket[]) => number): StepSeries[] {
  const groupOf = new Int32Array(vec.length).fill(-1);
  const upper = new Float64Array(vec.length);
  const groupLabels: Labels[] = [];
  const byKey = new Map<string, number>();
  vec.forEach((s, i) => {
    const le = parseGoFloat(s.labels.get(BUCKET_LABEL));
    if (le === undefined) return; // A series without a valid `le` is ignored (Prometheus warns).
    upper[i] = le;
    const withoutLe = s.labels.without([BUCKET_LABEL]);
    const key = withoutLe.key();
    let g = byKey.get(key);
    if (g === undefined) {
      g = groupLabels.length;
      byKey.set(key, g);
      groupLabels.push(withoutLe.dropMetricName());
    }
    groupOf[i] = g;
  });
  const buckets: Bucket[][] = groupLabels.map(() => []);
  const outputs = new OutputSet(numSteps);
  const builders = groupLabels.map((l) => outputs.get(l));
  for (let step = 0; step < numSteps; step++) {
    for (const b of buckets) b.length = 0;
    for (let i = 0; i < vec.length; i++) {
      const g = groupOf[i];
      if (g < 0) continue;
      const s = vec[i];
      const j = step - s.start;
      if (j < 0 || j >= s.present.length || !s.present[j]) continue;
      buckets[g].push({ upperBound: upper[i], count: s.values[j] });
    }
    for (let g = 0; g < buckets.length; g++) {
      if (buckets[g].length > 0) builders[g].push(step, compute(step, buckets[g]));
    }
  }
  return outputs.build();
}

export function histogramQuantile(q: Float64Array, vec: readonly StepSeries[], numSteps: number): StepSeries[] {
  return overBuckets(vec, numSteps, (step, buckets) => bucketQuantile(q[step], buckets));
}

export function histogramFraction(lower: Float64Array, upper: Float64Array, vec: readonly StepSeries[], numSteps: number): StepSeries[] {
  return overBuckets(vec, numSteps, (step, buckets) => bucketFraction(lower[step], upper[step], buckets));
}
