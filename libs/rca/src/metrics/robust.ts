/** Linear-interpolated quantile of a sorted sample. */
export function quantile(sorted: ArrayLike<number>, q: number): number {
  if (!sorted.length) return NaN;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

/** Puts the k-th smallest of a[from..to) at a[k], smaller ones before it, larger after (Hoare's selection, median-of-three pivot). */
function select(a: Float64Array, k: number, from: number, to: number): void {
  let lo = from;
  let hi = to - 1;
  while (hi > lo) {
    const mid = (lo + hi) >> 1;
    // Median of three as the pivot: sorted input (common in telemetry) stays linear.
    if (a[mid] < a[lo]) swap(a, mid, lo);
    if (a[hi] < a[lo]) swap(a, hi, lo);
    if (a[hi] < a[mid]) swap(a, hi, mid);
    const pivot = a[mid];
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (a[i] < pivot) i++;
      while (a[j] > pivot) j--;
      if (i <= j) {
        swap(a, i, j);
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return;
  }
}

function swap(a: Float64Array, i: number, j: number): void {
  const t = a[i];
  a[i] = a[j];
  a[j] = t;
}

/**
 * Linear-interpolated quantiles of an unsorted sample, in linear time (selection instead of a
 * sort: the reference of every series is summarised, so this is the engine's hottest loop).
 * Reorders `a`. `qs` must be ascending.
 */
export function quantilesInPlace(a: Float64Array, qs: number[]): number[] {
  const n = a.length;
  if (!n) return qs.map(() => NaN);
  const out: number[] = [];
  let from = 0;
  for (const q of qs) {
    const pos = (n - 1) * q;
    const lo = Math.floor(pos);
    select(a, lo, from, n);
    let next = a[lo];
    if (pos > lo) {
      next = Infinity;
      for (let i = lo + 1; i < n; i++) if (a[i] < next) next = a[i];
    }
    out.push(a[lo] + (next - a[lo]) * (pos - lo));
    from = lo;
  }
  return out;
}

/** References longer than this are summarised from a stratified sample of this many points (seeded and stratified, so no period aliases; the quantiles move by a few percent and the engine's hottest loop runs 3 times faster). */
export const BASELINE_SAMPLE = 1024;

/** A reference whose two most frequent exact values make up this share of it, with a spread under RELATIVE_FALLBACK of its level, is stuck (see `baseline`). */
export const STUCK_SHARE = 0.5;
/** The unit of a stuck fractional reference, as a share of its level (see `baseline`). */
export const STUCK_RELATIVE = 0.25;
/** The unit of a flat or stuck reference: this share of its level, or its standard deviation if larger. */
export const RELATIVE_FALLBACK = 0.05;

export interface Baseline {
  median: number;
  /** The spread used as the unit: IQR, else 1.4826·MAD, else the largest of the standard deviation, 5% of |median| and 1/3 (whole numbers) or 0.001. */
  scale: number;
}

/**
 * A robust baseline of a reference sample (`values[from..to)`): median and interquartile range. A constant (or
 * nearly constant) reference gets a fallback scale so that a flat series does not turn every
 * small wiggle into an infinite score.
 */
export function baseline(values: ArrayLike<number>, from = 0, to = values.length): Baseline {
  let n = 0;
  const len = Math.max(0, to - from);
  let s: Float64Array;
  if (len > BASELINE_SAMPLE) {
    // A long reference (an hour at 1 s) is summarised from a stratified sample: one point drawn from each of
    // BASELINE_SAMPLE equal slices (seeded, so deterministic; random within a slice, so no period aliases).
    s = new Float64Array(BASELINE_SAMPLE);
    let seed = 0x9e3779b9 ^ len;
    for (let k = 0; k < BASELINE_SAMPLE; k++) {
      seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
      const lo = from + Math.floor((k * len) / BASELINE_SAMPLE);
      const hi = from + Math.floor(((k + 1) * len) / BASELINE_SAMPLE);
      const v = values[lo + ((seed >>> 1) % Math.max(1, hi - lo))];
      if (Number.isFinite(v)) s[n++] = v;
    }
  } else {
    s = new Float64Array(len);
    for (let i = from; i < to; i++) if (Number.isFinite(values[i])) s[n++] = values[i];
  }
  const sample = n === s.length ? s : s.subarray(0, n);
  const [q1, median, q3] = quantilesInPlace(sample, [0.25, 0.5, 0.75]);
  const iqr = q3 - q1;
  // A stuck reference (a percentile on a histogram bucket's bound, a quantised gauge) has a spread that says
  // nothing about how far the series moves when it moves: it gets the fallback below.
  const stuck = iqr < RELATIVE_FALLBACK * Math.abs(median) && stuckShare(sample) >= STUCK_SHARE;
  if (iqr > 1e-12 && !stuck) return { median, scale: iqr };
  const mad = quantilesInPlace(sample.map((v) => Math.abs(v - median)), [0.5])[0] * 1.4826;
  if (mad > 1e-12 && !stuck) return { median, scale: mad };
  // Mostly one value with a few others: 5% of the level is one unit, or the spread of the rare values if larger
  // (a sparse error count 0, 0, 1, 0... near zero, where 5% of the level is nothing); small counts (restarts,
  // errors, replicas) move in whole numbers, so one more than a flat zero is just notable (3 units), not a thousand.
  let sum = 0;
  let sq = 0;
  let integers = true;
  for (const v of sample) {
    sum += v;
    sq += v * v;
    integers &&= Number.isInteger(v);
  }
  const std = n > 1 ? Math.sqrt(Math.max(0, (sq - (sum * sum) / n) / (n - 1))) : 0;
  // A level in small units (seconds, ratios) has no absolute floor but its own 5%; a flat zero needs one.
  const floor = integers ? 1 / 3 : median !== 0 ? 0 : 1e-3;
  // A stuck fractional value (a quantile interpolated in one histogram bucket) moves by whole buckets when it
  // moves: its unit is a quarter of its level, so a doubling is 4 units, not hundreds.
  const relative = stuck && !integers ? STUCK_RELATIVE : RELATIVE_FALLBACK;
  return { median, scale: Math.max(std, iqr, mad, Math.abs(median) * relative, floor) };
}

/** Share of a sample taken by its two most frequent values (equal up to floating-point noise: 0.00496 and 0.004959999999999999 are one). */
function stuckShare(sample: Float64Array): number {
  if (sample.length < 4) return 0;
  const sorted = Float64Array.from(sample).sort();
  let best = 0;
  let second = 0;
  let run = 1;
  for (let i = 1; i <= sorted.length; i++) {
    if (i < sorted.length && sorted[i] - sorted[i - 1] <= 1e-9 * Math.abs(sorted[i])) {
      run++;
      continue;
    }
    if (run > best) {
      second = best;
      best = run;
    } else if (run > second) second = run;
    run = 1;
  }
  return (best + second) / sorted.length;
}

/** A monotonically non-decreasing series with a large range is a counter: its rate is what matters. */
export function looksLikeCounter(values: number[]): boolean {
  if (values.length < 5) return false;
  let ups = 0;
  for (let i = 1; i < values.length; i++) {
    if (values[i] < values[i - 1]) return false;
    if (values[i] > values[i - 1]) ups++;
  }
  return ups >= values.length * 0.5 && values[values.length - 1] > values[0];
}
