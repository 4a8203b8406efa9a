/**
 * Functions over range vectors (`rate(x[5m])`, `avg_over_time(x[1h])`, ...), evaluated over all
 * steps at once: per series, two pointers bound the window `(ref - range, ref]` (left-open, as in
 * Prometheus 3) and only move forward, so a range query reads every sample a bounded number of
 * times. The per-window arithmetic is in `range-kernels.ts`.
 */
import type { Labels } from './labels';
import { durationSeconds, kernelFor, result } from './range-kernels';
import { type RawSeries, type StepSeries, assertUniqueLabels } from './series';
import { isStaleNaN } from './values';

export interface RangeParams {
  numSteps: number;
  startMs: number;
  stepMs: number;
  rangeMs: number;
  offsetMs: number;
  /** The `@` time: every step uses the window ending at `atMs - offset`. */
  atMs?: number;
}

const NO_RESETS = new Int32Array(0);

const NEEDS_RESETS = new Set(['rate', 'increase', 'resets']);
/** last_over_time and first_over_time act like an offset: they keep the metric name. */
const KEEPS_NAME = new Set(['last_over_time', 'first_over_time']);

const RATE = 0;
const INCREASE = 1;
const DELTA = 2;
let lastMaxWindow = 0;

/**
 * rate / increase / delta over the sliding windows of one series: `extrapolatedRate` inlined into
 * the two-pointer loop (the hot path of dashboards). Same operations, in the same order, as the
 * kernel above. Returns the number of points written; the largest window goes to `lastMaxWindow`.
 */
function slideExtrapolatedRate(
  t: Float64Array,
  v: Float64Array,
  resets: Int32Array,
  first: number,
  last: number,
  firstRef: number,
  stepMs: number,
  rangeMs: number,
  mode: number,
  values: Float64Array,
  present: Uint8Array,
): number {
  const n = t.length;
  const isCounter = mode !== DELTA;
  const isRate = mode === RATE;
  const rangeSeconds = durationSeconds(rangeMs);
  let ref = firstRef;
  let lo = upperBound(t, ref - rangeMs);
  let hi = upperBound(t, ref);
  let points = 0;
  let maxWindow = 0;
  for (let i = first; i <= last; i++, ref += stepMs) {
    const rangeStart = ref - rangeMs;
    while (lo < n && t[lo] <= rangeStart) lo++;
    while (hi < n && t[hi] <= ref) hi++;
    const numSamplesMinusOne = hi - lo - 1;
    if (numSamplesMinusOne < 0) continue;
    if (numSamplesMinusOne + 1 > maxWindow) maxWindow = numSamplesMinusOne + 1;
    if (numSamplesMinusOne === 0) continue;
    const firstV = v[lo];
    let increase = v[hi - 1] - firstV;
    if (isCounter && resets[hi - 1] !== resets[lo]) {
      for (let k = lo + 1; k < hi; k++) {
        const prev = v[k - 1];
        if (v[k] < prev) increase += prev;
      }
    }
    const firstT = t[lo];
    const lastT = t[hi - 1];
    let durationToStart = (firstT - rangeStart) / 1000;
    let durationToEnd = (ref - lastT) / 1000;
    const sampledInterval = (lastT - firstT) / 1000;
    const averageDurationBetweenSamples = sampledInterval / numSamplesMinusOne;
    const extrapolationThreshold = averageDurationBetweenSamples * 1.1;
    if (durationToStart >= extrapolationThreshold) durationToStart = averageDurationBetweenSamples / 2;
    if (isCounter) {
      let durationToZero = durationToStart;
      if (increase > 0 && firstV >= 0) durationToZero = sampledInterval * (firstV / increase);
      if (durationToZero < durationToStart) durationToStart = durationToZero;
    }
    if (durationToEnd >= extrapolationThreshold) durationToEnd = averageDurationBetweenSamples / 2;
    let factor = 1;
    if (sampledInterval !== 0) factor = (sampledInterval + durationToStart + durationToEnd) / sampledInterval;
    if (isRate) factor /= rangeSeconds;
    values[i - first] = increase * factor;
    present[i - first] = 1;
    points++;
  }
  lastMaxWindow = maxWindow;
  return points;
}

/** Removes staleness markers (a range vector never contains them); copies only when there are some. */
export function dropStale(t: Float64Array, v: Float64Array): { t: Float64Array; v: Float64Array } {
  let stale = 0;
  for (let i = 0; i < v.length; i++) {
    const x = v[i];
    if (x !== x && isStaleNaN(x)) stale++;
  }
  if (stale === 0) return { t, v };
  const n = v.length - stale;
  const t2 = new Float64Array(n);
  const v2 = new Float64Array(n);
  let j = 0;
  for (let i = 0; i < v.length; i++) {
    const x = v[i];
    if (x !== x && isStaleNaN(x)) continue;
    t2[j] = t[i];
    v2[j] = x;
    j++;
  }
  return { t: t2, v: v2 };
}

let resetScratch = new Int32Array(1024);

/**
 * resets[i] = how many j in 1..i have v[j] < v[j-1]. The array is scratch space reused from series
 * to series (valid until the next call), which spares the garbage collector a copy per series.
 */
function resetPrefix(v: Float64Array): Int32Array {
  if (resetScratch.length < v.length) resetScratch = new Int32Array(Math.max(v.length, resetScratch.length * 2));
  const r = resetScratch;
  let n = 0;
  r[0] = 0;
  for (let i = 1; i < v.length; i++) {
    if (v[i] < v[i - 1]) n++;
    r[i] = n;
  }
  return r;
}

/** First index with t[i] > x (t ascending). */
function upperBound(t: Float64Array, x: number): number {
  let lo = 0;
  let hi = t.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (t[mid] <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export interface RangeEvalHooks {
  checkTimeout(): void;
  addSamples(n: number, extra?: number): void;
}

/**
 * Evaluates `fn` over every series of a range vector at every step. `param` holds the scalar
 * argument per step (quantile_over_time's q, predict_linear's t).
 */
export function evalRangeFunction(fn: string, input: readonly RawSeries[], p: RangeParams, param: Float64Array | undefined, hooks: RangeEvalHooks): StepSeries[] {
  const kernel = kernelFor(fn, p.rangeMs);
  const needsResets = NEEDS_RESETS.has(fn);
  const keepName = KEEPS_NAME.has(fn);
  const { numSteps, startMs, stepMs, rangeMs, offsetMs } = p;
  const out: StepSeries[] = [];
  const noParam = new Float64Array(numSteps);
  const par = param ?? noParam;
  const rateMode = fn === 'rate' ? RATE : fn === 'increase' ? INCREASE : fn === 'delta' ? DELTA : undefined;

  for (let si = 0; si < input.length; si++) {
    if ((si & 63) === 0) hooks.checkTimeout();
    const raw = input[si];
    const { t, v } = dropStale(raw.t, raw.v);
    const n = t.length;
    if (n === 0) continue;
    const resets = needsResets ? resetPrefix(v) : NO_RESETS;

    let first: number;
    let last: number;
    if (p.atMs !== undefined) {
      first = 0;
      last = numSteps - 1;
    } else {
      first = Math.max(0, Math.ceil((t[0] + offsetMs - startMs) / stepMs));
      last = Math.min(numSteps - 1, Math.ceil((t[n - 1] + offsetMs + rangeMs - startMs) / stepMs) - 1);
    }
    if (last < first) continue;
    const span = last - first + 1;
    const values = new Float64Array(span);
    const present = new Uint8Array(span);
    let points = 0;
    let maxWindow = 0;

    if (p.atMs !== undefined) {
      const ref = p.atMs - offsetMs;
      const lo = upperBound(t, ref - rangeMs);
      const hi = upperBound(t, ref);
      if (hi > lo) {
        maxWindow = hi - lo;
        for (let i = first; i <= last; i++) {
          if (!kernel(t, v, resets, lo, hi, startMs + i * stepMs, ref, par[i])) continue;
          values[i - first] = result[0];
          present[i - first] = 1;
          points++;
        }
      }
    } else if (rateMode !== undefined) {
      points = slideExtrapolatedRate(t, v, resets, first, last, startMs + first * stepMs - offsetMs, stepMs, rangeMs, rateMode, values, present);
      maxWindow = lastMaxWindow;
    } else {
      let ref = startMs + first * stepMs - offsetMs;
      let lo = upperBound(t, ref - rangeMs);
      let hi = upperBound(t, ref);
      for (let i = first; i <= last; i++, ref += stepMs) {
        const mint = ref - rangeMs;
        while (lo < n && t[lo] <= mint) lo++;
        while (hi < n && t[hi] <= ref) hi++;
        if (hi <= lo) continue;
        if (hi - lo > maxWindow) maxWindow = hi - lo;
        if (!kernel(t, v, resets, lo, hi, ref + offsetMs, ref, par[i])) continue;
        values[i - first] = result[0];
        present[i - first] = 1;
        points++;
      }
    }
    if (points === 0) continue;
    hooks.addSamples(points, maxWindow);
    out.push({ labels: keepName ? raw.labels : raw.labels.dropMetricName(), start: first, values, present });
  }
  if (!keepName) assertUniqueLabels(out);
  return out;
}

/** absent_over_time: 1 at the steps where no input series has a sample in its window. */
export function absentOverTime(present: readonly StepSeries[], numSteps: number, labels: Labels): StepSeries[] {
  const covered = new Uint8Array(numSteps);
  for (const s of present) {
    for (let i = 0; i < s.present.length; i++) if (s.present[i]) covered[s.start + i] = 1;
  }
  let missing = 0;
  for (let i = 0; i < numSteps; i++) if (!covered[i]) missing++;
  if (missing === 0) return [];
  const values = new Float64Array(numSteps).fill(1);
  const pres = new Uint8Array(numSteps);
  for (let i = 0; i < numSteps; i++) pres[i] = covered[i] ? 0 : 1;
  return [{ labels, start: 0, values, present: pres }];
}
