/**
 * The evaluator's intermediate values. An instant vector evaluated over the steps of a query is a
 * list of `StepSeries`: per series, a dense window of steps `[start, start + values.length)` with a
 * presence flag per step (a series only covers the steps between its first and last point, so a
 * short-lived series costs little). Within one list, label sets are unique.
 */
import { execError } from './errors';
import { Labels } from './labels';

export interface StepSeries {
  labels: Labels;
  /** Index of the step `values[0]` belongs to. */
  start: number;
  values: Float64Array;
  /** 1 where the series has a point at that step. */
  present: Uint8Array;
}

/** A series of raw samples (timestamps in ms, ascending), as selected or produced by a subquery. */
export interface RawSeries {
  labels: Labels;
  t: Float64Array;
  v: Float64Array;
}

export const DUPLICATE_LABELSET = 'vector cannot contain metrics with the same labelset';

/** Builds a `StepSeries` from points appended in increasing step order. */
export class SeriesBuilder {
  private start = -1;
  private last = -1;
  private values: Float64Array | undefined;
  private present: Uint8Array | undefined;
  count = 0;

  constructor(
    public labels: Labels,
    private readonly numSteps: number,
  ) {}

  /** Adds the point at `step`; two points at the same step mean a duplicate label set. */
  push(step: number, v: number): void {
    if (this.start < 0) {
      this.start = step;
      const cap = this.numSteps - step;
      this.values = new Float64Array(cap);
      this.present = new Uint8Array(cap);
    } else if (step <= this.last) {
      throw execError(DUPLICATE_LABELSET);
    }
    const i = step - this.start;
    (this.values as Float64Array)[i] = v;
    (this.present as Uint8Array)[i] = 1;
    this.last = step;
    this.count++;
  }

  lastStep(): number {
    return this.last;
  }

  build(): StepSeries | undefined {
    if (this.start < 0 || !this.values || !this.present) return undefined;
    const len = this.last - this.start + 1;
    return { labels: this.labels, start: this.start, values: this.values.subarray(0, len), present: this.present.subarray(0, len) };
  }
}

/** Output series keyed by label set, created on first use (Prometheus's `rangeEval` output map). */
export class OutputSet {
  private readonly byKey = new Map<string, SeriesBuilder>();
  readonly builders: SeriesBuilder[] = [];

  constructor(private readonly numSteps: number) {}

  get(labels: Labels): SeriesBuilder {
    const key = labels.key();
    let b = this.byKey.get(key);
    if (!b) {
      b = new SeriesBuilder(labels, this.numSteps);
      this.byKey.set(key, b);
      this.builders.push(b);
    }
    return b;
  }

  build(): StepSeries[] {
    const out: StepSeries[] = [];
    for (const b of this.builders) {
      const s = b.build();
      if (s) out.push(s);
    }
    return out;
  }
}

export function pointCount(s: StepSeries): number {
  let n = 0;
  const p = s.present;
  for (let i = 0; i < p.length; i++) n += p[i];
  return n;
}

export function totalPoints(list: readonly StepSeries[]): number {
  let n = 0;
  for (const s of list) n += pointCount(s);
  return n;
}

/** Whether `s` has a point at `step`. */
export function hasPoint(s: StepSeries, step: number): boolean {
  const i = step - s.start;
  return i >= 0 && i < s.present.length && s.present[i] === 1;
}

/**
 * Merges series that share a label set (after an operation changed labels, e.g. dropped
 * `__name__`), as Prometheus's output map does: two points of one label set at the same step are
 * an error.
 */
export function mergeSameLabels(list: StepSeries[]): StepSeries[] {
  if (list.length < 2) return list;
  const byKey = new Map<string, number>();
  let duplicates = false;
  for (let i = 0; i < list.length; i++) {
    const k = list[i].labels.key();
    if (byKey.has(k)) {
      duplicates = true;
      break;
    }
    byKey.set(k, i);
  }
  if (!duplicates) return list;
  const groups = new Map<string, StepSeries[]>();
  for (const s of list) {
    const k = s.labels.key();
    const g = groups.get(k);
    if (g) g.push(s);
    else groups.set(k, [s]);
  }
  const out: StepSeries[] = [];
  for (const g of groups.values()) out.push(g.length === 1 ? g[0] : mergeGroup(g));
  return out;
}

function mergeGroup(group: StepSeries[]): StepSeries {
  let start = Infinity;
  let end = -Infinity;
  for (const s of group) {
    start = Math.min(start, s.start);
    end = Math.max(end, s.start + s.values.length);
  }
  const values = new Float64Array(end - start);
  const present = new Uint8Array(end - start);
  for (const s of group) {
    const off = s.start - start;
    for (let i = 0; i < s.values.length; i++) {
      if (!s.present[i]) continue;
      if (present[off + i]) throw execError(DUPLICATE_LABELSET);
      present[off + i] = 1;
      values[off + i] = s.values[i];
    }
  }
  return { labels: group[0].labels, start, values, present };
}

/** Fails when two series share a label set (the check of Prometheus's range-vector function path). */
export function assertUniqueLabels(list: readonly StepSeries[]): void {
  const seen = new Set<string>();
  for (const s of list) {
    const k = s.labels.key();
    if (seen.has(k)) throw execError(DUPLICATE_LABELSET);
    seen.add(k);
  }
}

/** A copy of `s` with other labels (values shared). */
export function relabel(s: StepSeries, labels: Labels): StepSeries {
  return { labels, start: s.start, values: s.values, present: s.present };
}

/** Applies `f` to every point; keeps the presence window. */
export function mapValues(s: StepSeries, labels: Labels, f: (v: number, step: number) => number): StepSeries {
  const values = new Float64Array(s.values.length);
  for (let i = 0; i < values.length; i++) if (s.present[i]) values[i] = f(s.values[i], s.start + i);
  return { labels, start: s.start, values, present: s.present };
}
