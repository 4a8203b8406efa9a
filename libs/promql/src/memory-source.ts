/** A `SeriesSource` over series held in memory (for tests and small embedded data sets). */
import { type Matcher, seriesMatches } from './matchers';
import type { Series, SeriesSource } from './query';

export class InMemorySeriesSource implements SeriesSource {
  /** Every `select` call, in order (handy to assert what the engine asked for). */
  readonly calls: { matchers: Matcher[]; startMs: number; endMs: number }[] = [];

  constructor(private readonly series: Series[] = []) {}

  /** Adds a series; `samples` are `[timestampMs, value]` pairs in ascending time. */
  add(labels: Record<string, string>, samples: [number, number][]): this {
    this.series.push({ labels, t: Float64Array.from(samples, (s) => s[0]), v: Float64Array.from(samples, (s) => s[1]) });
    return this;
  }

  async select(matchers: Matcher[], startMs: number, endMs: number): Promise<Series[]> {
    this.calls.push({ matchers, startMs, endMs });
    const out: Series[] = [];
    for (const s of this.series) {
      if (!seriesMatches(s.labels, matchers)) continue;
      let lo = 0;
      while (lo < s.t.length && s.t[lo] < startMs) lo++;
      let hi = lo;
      while (hi < s.t.length && s.t[hi] <= endMs) hi++;
      if (hi === lo) continue;
      out.push({ labels: s.labels, t: slice(s.t, lo, hi), v: slice(s.v, lo, hi) });
    }
    return out;
  }
}

function slice(a: Float64Array | number[], lo: number, hi: number): Float64Array {
  return a instanceof Float64Array ? a.subarray(lo, hi) : Float64Array.from(a.slice(lo, hi));
}
