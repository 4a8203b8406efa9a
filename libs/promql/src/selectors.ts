/**
 * Instant vector selectors over all steps: per series one pointer moves forward through the
 * samples; at each step the newest sample at or before `ts - offset` is taken if it is younger than
 * the lookback delta and is not a staleness marker (Prometheus's `vectorSelectorSingle`).
 */
import type { RawSeries, StepSeries } from './series';
import { dropStale } from './range-functions';
import { isStaleNaN } from './values';

export interface SelectorParams {
  numSteps: number;
  startMs: number;
  stepMs: number;
  offsetMs: number;
  lookbackMs: number;
  atMs?: number;
}

/** What each point holds: the sample's value, or its timestamp in seconds (for `timestamp()`). */
export type SelectorMode = 'value' | 'timestamp';

export interface SelectorHooks {
  checkTimeout(): void;
  addSamples(n: number): void;
}

/** Last index with t[i] <= x, or -1. */
function lastAtOrBefore(t: Float64Array, x: number): number {
  let lo = 0;
  let hi = t.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (t[mid] <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo - 1;
}

export function evalVectorSelector(input: readonly RawSeries[], p: SelectorParams, mode: SelectorMode, hooks: SelectorHooks): StepSeries[] {
  const { numSteps, startMs, stepMs, offsetMs, lookbackMs } = p;
  const out: StepSeries[] = [];
  const asTimestamp = mode === 'timestamp';
  for (let si = 0; si < input.length; si++) {
    if ((si & 63) === 0) hooks.checkTimeout();
    const { labels, t, v } = input[si];
    const n = t.length;
    if (n === 0) continue;

    if (p.atMs !== undefined) {
      const ref = p.atMs - offsetMs;
      const j = lastAtOrBefore(t, ref);
      if (j < 0 || t[j] <= ref - lookbackMs) continue;
      const x = v[j];
      if (x !== x && isStaleNaN(x)) continue;
      const values = new Float64Array(numSteps).fill(asTimestamp ? t[j] / 1000 : x);
      const present = new Uint8Array(numSteps).fill(1);
      hooks.addSamples(numSteps);
      out.push({ labels, start: 0, values, present });
      continue;
    }

    // Steps that can see a sample: ref in [t0, tLast + lookback).
    const first = Math.max(0, Math.ceil((t[0] + offsetMs - startMs) / stepMs));
    const last = Math.min(numSteps - 1, Math.ceil((t[n - 1] + offsetMs + lookbackMs - startMs) / stepMs) - 1);
    if (last < first) continue;
    const span = last - first + 1;
    const values = new Float64Array(span);
    const present = new Uint8Array(span);
    let points = 0;
    let ref = startMs + first * stepMs - offsetMs;
    let j = lastAtOrBefore(t, ref);
    for (let i = 0; i < span; i++, ref += stepMs) {
      while (j + 1 < n && t[j + 1] <= ref) j++;
      if (j < 0) continue;
      const tj = t[j];
      if (tj <= ref - lookbackMs) continue;
      const x = v[j];
      if (x !== x && isStaleNaN(x)) continue;
      values[i] = asTimestamp ? tj / 1000 : x;
      present[i] = 1;
      points++;
    }
    if (points === 0) continue;
    hooks.addSamples(points);
    out.push({ labels, start: first, values, present });
  }
  return out;
}

/**
 * The raw samples of a range selector at one evaluation time (an instant query of `x[5m]`):
 * samples in `(ref - range, ref]`, staleness markers removed, with their own timestamps.
 */
export function rangeSelectorAt(input: readonly RawSeries[], refMs: number, rangeMs: number): RawSeries[] {
  const out: RawSeries[] = [];
  for (const s of input) {
    const { t, v } = dropStale(s.t, s.v);
    const lo = lastAtOrBefore(t, refMs - rangeMs) + 1;
    const hi = lastAtOrBefore(t, refMs) + 1;
    if (hi <= lo) continue;
    const tt = new Float64Array(hi - lo);
    const vv = new Float64Array(hi - lo);
    for (let i = lo; i < hi; i++) {
      tt[i - lo] = t[i];
      vv[i - lo] = v[i];
    }
    out.push({ labels: s.labels, t: tt, v: vv });
  }
  return out;
}
