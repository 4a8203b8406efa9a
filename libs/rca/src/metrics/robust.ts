/** Order statistics for robust scoring (no dependency: small arrays, sorted copies). */
export function quantile(sorted: ArrayLike<number>, q: number): number {
  if (!sorted.length) return NaN;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

export interface Baseline {
  median: number;
  /** The spread used as the unit: IQR, else 1.4826·MAD, else a share of |median|, else 1. */
  scale: number;
}

/**
 * A robust baseline of a reference sample: median and interquartile range. A constant (or
 * nearly constant) reference gets a fallback scale so that a flat series does not turn every
 * small wiggle into an infinite score.
 */
export function baseline(values: number[]): Baseline {
  // Typed arrays sort numerically in native code: much faster than a comparator on a JS array.
  const s = Float64Array.from(values.filter(Number.isFinite)).sort();
  const median = quantile(s, 0.5);
  const iqr = quantile(s, 0.75) - quantile(s, 0.25);
  if (iqr > 1e-12) return { median, scale: iqr };
  const mad = quantile(s.map((v) => Math.abs(v - median)).sort(), 0.5) * 1.4826;
  if (mad > 1e-12) return { median, scale: mad };
  return { median, scale: Math.max(Math.abs(median) * 0.05, 1e-3) };
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

export function rates(points: { t: number; v: number }[]): { t: number; v: number }[] {
  const out: { t: number; v: number }[] = [];
  for (let i = 1; i < points.length; i++) {
    const dt = points[i].t - points[i - 1].t;
    if (dt > 0) out.push({ t: points[i].t, v: (points[i].v - points[i - 1].v) / dt });
  }
  return out;
}
