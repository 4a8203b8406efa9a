/** Quantiles as Prometheus computes them (`promql/quantile.go`). */

/**
 * The φ-quantile of `values` (sorted in place): linear interpolation between the two closest
 * ranks; NaN for no values or a NaN q; -Inf for q < 0 and +Inf for q > 1.
 */
export function quantile(q: number, values: Float64Array): number {
  const n = values.length;
  if (n === 0 || q !== q) return NaN;
  if (q < 0) return -Infinity;
  if (q > 1) return Infinity;
  // NaNs sort first, as with Prometheus's vectorByValueHeap.
  values.sort((a, b) => (a !== a ? (b !== b ? 0 : -1) : b !== b ? 1 : a - b));
  const rank = q * (n - 1);
  const lowerIndex = Math.max(0, Math.floor(rank));
  const upperIndex = Math.min(n - 1, lowerIndex + 1);
  const weight = rank - Math.floor(rank);
  return values[lowerIndex] * (1 - weight) + values[upperIndex] * weight;
}

export interface Bucket {
  upperBound: number;
  count: number;
}

/** Relative deltas between classic buckets below this are floating point noise (`smallDeltaTolerance`). */
const SMALL_DELTA_TOLERANCE = 1e-12;
const MIN_NORMAL = 2.2250738585072014e-308;

/** Prometheus's `almost.Equal` (without the staleness special case, which cannot occur here). */
function almostEqual(a: number, b: number, epsilon: number): boolean {
  if (a !== a && b !== b) return true;
  if (a === b) return true;
  const absSum = Math.abs(a) + Math.abs(b);
  const diff = Math.abs(a - b);
  if (a === 0 || b === 0 || absSum < MIN_NORMAL) return diff < epsilon * MIN_NORMAL;
  return diff / Math.min(absSum, Number.MAX_VALUE) < epsilon;
}

function sortBuckets(buckets: Bucket[]): void {
  buckets.sort((a, b) => (a.upperBound < b.upperBound ? -1 : a.upperBound > b.upperBound ? 1 : 0));
}

/** Merges buckets with the same upper bound (input sorted). */
function coalesceBuckets(buckets: Bucket[]): Bucket[] {
  let last = { ...buckets[0] };
  const out: Bucket[] = [];
  for (let i = 1; i < buckets.length; i++) {
    const b = buckets[i];
    if (b.upperBound === last.upperBound) last.count += b.count;
    else {
      out.push(last);
      last = { ...b };
    }
  }
  out.push(last);
  return out;
}

/**
 * Ignores numerically insignificant differences between successive buckets, then removes any
 * decrease of the cumulative count (the "monotonicity fix"). Returns whether it forced monotonicity.
 */
function ensureMonotonicAndIgnoreSmallDeltas(buckets: Bucket[], tolerance: number): boolean {
  let forced = false;
  let prev = buckets[0].count;
  for (let i = 1; i < buckets.length; i++) {
    const curr = buckets[i].count;
    if (curr === prev) continue;
    if (almostEqual(prev, curr, tolerance)) {
      buckets[i].count = prev;
      continue;
    }
    if (curr < prev) {
      buckets[i].count = prev;
      forced = true;
      continue;
    }
    prev = curr;
  }
  return forced;
}

/**
 * Prometheus's `BucketQuantile` for a classic histogram: linear interpolation within the bucket
 * holding the rank, 0 as the lower bound of the first bucket when its upper bound is positive, the
 * upper bound of the second-highest bucket when the rank falls into the +Inf bucket; NaN without a
 * +Inf bucket, with fewer than two buckets, or with no observations.
 */
export function bucketQuantile(q: number, input: Bucket[]): number {
  if (q !== q) return NaN;
  if (q < 0) return -Infinity;
  if (q > 1) return Infinity;
  sortBuckets(input);
  if (input[input.length - 1].upperBound !== Infinity) return NaN;
  const buckets = coalesceBuckets(input);
  ensureMonotonicAndIgnoreSmallDeltas(buckets, SMALL_DELTA_TOLERANCE);
  if (buckets.length < 2) return NaN;
  const observations = buckets[buckets.length - 1].count;
  if (observations === 0) return NaN;
  let rank = q * observations;
  // sort.Search over all but the last bucket: the first with count >= rank.
  let b = 0;
  {
    let lo = 0;
    let hi = buckets.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (!(buckets[mid].count >= rank)) lo = mid + 1;
      else hi = mid;
    }
    b = lo;
  }
  if (b === buckets.length - 1) return buckets[buckets.length - 2].upperBound;
  if (b === 0 && buckets[0].upperBound <= 0) return buckets[0].upperBound;
  let bucketStart = 0;
  const bucketEnd = buckets[b].upperBound;
  let count = buckets[b].count;
  if (b > 0) {
    bucketStart = buckets[b - 1].upperBound;
    count -= buckets[b - 1].count;
    rank -= buckets[b - 1].count;
  }
  return bucketStart + (bucketEnd - bucketStart) * (rank / count);
}

/** Prometheus's `BucketFraction`: the estimated fraction of observations in [lower, upper]. */
export function bucketFraction(lower: number, upper: number, input: Bucket[]): number {
  sortBuckets(input);
  if (input[input.length - 1].upperBound !== Infinity) return NaN;
  const buckets = coalesceBuckets(input);
  const count = buckets[buckets.length - 1].count;
  if (count === 0 || lower !== lower || upper !== upper) return NaN;
  if (lower >= upper) return 0;
  let rank = 0;
  let lowerRank = 0;
  let upperRank = 0;
  let lowerSet = false;
  let upperSet = false;
  let lowerBound = buckets[0].upperBound <= 0 ? -Infinity : 0;
  for (let i = 0; i < buckets.length; i++) {
    const b = buckets[i];
    if (i > 0) lowerBound = buckets[i - 1].upperBound;
    const upperBound = b.upperBound;
    const interpolateLinearly = (v: number): number => {
      if (lowerBound === -Infinity) return b.count;
      return rank + ((b.count - rank) * (v - lowerBound)) / (upperBound - lowerBound);
    };
    if (!lowerSet && lowerBound >= lower) {
      lowerRank = rank;
      lowerSet = true;
    }
    if (!upperSet && lowerBound >= upper) {
      upperRank = rank;
      upperSet = true;
    }
    if (lowerSet && upperSet) break;
    if (!lowerSet && lowerBound < lower && upperBound > lower) {
      lowerRank = interpolateLinearly(lower);
      lowerSet = true;
    }
    if (!upperSet && lowerBound < upper && upperBound > upper) {
      upperRank = interpolateLinearly(upper);
      upperSet = true;
    }
    if (lowerSet && upperSet) break;
    rank = b.count;
  }
  if (!lowerSet || lowerRank > count) lowerRank = count;
  if (!upperSet || upperRank > count) upperRank = count;
  return (upperRank - lowerRank) / count;
}
