/**
 * The per-window computations of the range-vector functions, each following Prometheus's
 * `promql/functions.go` operation by operation (so float results are bit-identical): one window is
 * the samples [lo, hi) of a series.
 */
import { execError } from './errors';
import { quantile } from './quantile';

/**
 * Computes the function over samples [lo, hi) of `t`/`v` (staleness markers removed), the window
 * ending at `ref` (evaluation time `ts`), into `result[0]`; returns false when there is no point.
 * (Writing into a shared typed array rather than returning a number keeps the hot loop free of
 * allocations.) `resets[i]` counts the counter resets among samples 1..i (counter functions).
 */
export type Kernel = (t: Float64Array, v: Float64Array, resets: Int32Array, lo: number, hi: number, ts: number, ref: number, param: number) => boolean;

/** Where a kernel writes its value. */
export const result = new Float64Array(1);

const kahanOut = new Float64Array(1);

/** kahansum.Inc inlined by hand where it is hot; this one is for the colder paths. */
function kahan(inc: number, sum: number, c: number): number {
  const t = sum + inc;
  if (t > Number.MAX_VALUE || t < -Number.MAX_VALUE) c = 0;
  else if (Math.abs(sum) >= Math.abs(inc)) c += sum - t + inc;
  else c += inc - t + sum;
  kahanOut[0] = c;
  return t;
}

/** Go's `time.Duration.Seconds()` for a duration of `ms` milliseconds. */
export function durationSeconds(ms: number): number {
  const sec = Math.trunc(ms / 1000);
  const nsec = (ms - sec * 1000) * 1e6;
  return sec + nsec / 1e9;
}

/** Prometheus's `extrapolatedRate` for float samples (no start timestamps, not anchored/smoothed). */
function extrapolatedRate(isCounter: boolean, isRate: boolean, rangeMs: number): Kernel {
  const rangeSeconds = durationSeconds(rangeMs);
  return (t, v, resets, lo, hi, _ts, ref) => {
    const numSamplesMinusOne = hi - lo - 1;
    if (numSamplesMinusOne < 1) return false;
    const first = v[lo];
    let increase = v[hi - 1] - first;
    if (isCounter) {
      if (resets[hi - 1] !== resets[lo]) {
        for (let i = lo + 1; i < hi; i++) {
          const prev = v[i - 1];
          if (v[i] < prev) increase += prev;
        }
      }
    }
    const rangeStart = ref - rangeMs;
    const firstT = t[lo];
    const lastT = t[hi - 1];
    let durationToStart = (firstT - rangeStart) / 1000;
    let durationToEnd = (ref - lastT) / 1000;
    const sampledInterval = (lastT - firstT) / 1000;
    const averageDurationBetweenSamples = sampledInterval / numSamplesMinusOne;
    const extrapolationThreshold = averageDurationBetweenSamples * 1.1;
    if (durationToStart >= extrapolationThreshold) durationToStart = averageDurationBetweenSamples / 2;
    if (isCounter) {
      // Counters cannot be negative: do not extrapolate below the counter's zero point.
      let durationToZero = durationToStart;
      if (increase > 0 && first >= 0) durationToZero = sampledInterval * (first / increase);
      if (durationToZero < durationToStart) durationToStart = durationToZero;
    }
    if (durationToEnd >= extrapolationThreshold) durationToEnd = averageDurationBetweenSamples / 2;
    let factor = 1;
    if (sampledInterval !== 0) factor = (sampledInterval + durationToStart + durationToEnd) / sampledInterval;
    if (isRate) factor /= rangeSeconds;
    result[0] = increase * factor;
    return true;
  };
}

/** Prometheus's `instantValue` (irate, idelta): the last two samples. */
function instantValue(isRate: boolean): Kernel {
  return (t, v, _r, lo, hi) => {
    if (hi - lo < 2) return false;
    const t0 = t[hi - 2];
    const t1 = t[hi - 1];
    const v0 = v[hi - 2];
    const v1 = v[hi - 1];
    const sampledInterval = t1 - t0;
    if (sampledInterval === 0) return false;
    let r = v1;
    // A counter reset leaves the result at the last value.
    if (!isRate || !(v1 < v0)) r = v1 - v0;
    if (isRate) r /= sampledInterval / 1000;
    result[0] = r;
    return true;
  };
}

/** Prometheus's `linearRegression`: slope and intercept (at `interceptTime`) by least squares. */
function linearRegression(t: Float64Array, v: Float64Array, lo: number, hi: number, interceptTime: number): [number, number] {
  let n = 0;
  let sumX = 0;
  let cX = 0;
  let sumY = 0;
  let cY = 0;
  let sumXY = 0;
  let cXY = 0;
  let sumX2 = 0;
  let cX2 = 0;
  const initY = v[lo];
  let constY = true;
  for (let i = lo; i < hi; i++) {
    const y = v[i];
    if (constY && i > lo && y !== initY) constY = false;
    n += 1;
    const x = (t[i] - interceptTime) / 1e3;
    sumX = kahan(x, sumX, cX);
    cX = kahanOut[0];
    sumY = kahan(y, sumY, cY);
    cY = kahanOut[0];
    sumXY = kahan(x * y, sumXY, cXY);
    cXY = kahanOut[0];
    sumX2 = kahan(x * x, sumX2, cX2);
    cX2 = kahanOut[0];
  }
  if (constY) {
    if (initY === Infinity || initY === -Infinity) return [NaN, NaN];
    return [0, initY];
  }
  sumX += cX;
  sumY += cY;
  sumXY += cXY;
  sumX2 += cX2;
  const covXY = sumXY - (sumX * sumY) / n;
  const varX = sumX2 - (sumX * sumX) / n;
  const slope = covXY / varX;
  const intercept = sumY / n - (slope * sumX) / n;
  return [slope, intercept];
}

const deriv: Kernel = (t, v, _r, lo, hi) => {
  if (hi - lo < 2) return false;
  result[0] = linearRegression(t, v, lo, hi, t[lo])[0];
  return true;
};

const predictLinear: Kernel = (t, v, _r, lo, hi, ts, _ref, duration) => {
  if (hi - lo < 2) return false;
  const [slope, intercept] = linearRegression(t, v, lo, hi, ts);
  result[0] = slope * duration + intercept;
  return true;
};

const resetsKernel: Kernel = (_t, _v, resets, lo, hi) => {
  result[0] = resets[hi - 1] - resets[lo];
  return true;
};

const changes: Kernel = (_t, v, _r, lo, hi) => {
  let n = 0;
  for (let i = lo + 1; i < hi; i++) {
    const cur = v[i];
    const prev = v[i - 1];
    if (cur !== prev && !(cur !== cur && prev !== prev)) n++;
  }
  result[0] = n;
  return true;
};

const avgOverTime: Kernel = (_t, v, _r, lo, hi) => {
  let sum = v[lo];
  let count = 1;
  let mean = 0;
  let c = 0;
  let incremental = false;
  for (let i = lo + 1; i < hi; i++) {
    const f = v[i];
    count = i - lo + 1;
    if (!incremental) {
      const newSum = kahan(f, sum, c);
      if (newSum !== Infinity && newSum !== -Infinity) {
        sum = newSum;
        c = kahanOut[0];
        continue;
      }
      // The sum would overflow: continue with the incremental mean.
      incremental = true;
      mean = sum / (count - 1);
      c /= count - 1;
    }
    const q = (count - 1) / count;
    mean = kahan(f / count, q * mean, q * c);
    c = kahanOut[0];
  }
  result[0] = incremental ? mean + c : sum / count + c / count;
  return true;
};

const sumOverTime: Kernel = (_t, v, _r, lo, hi) => {
  let sum = 0;
  let c = 0;
  for (let i = lo; i < hi; i++) {
    const inc = v[i];
    const t = sum + inc;
    if (t > Number.MAX_VALUE || t < -Number.MAX_VALUE) c = 0;
    else if (Math.abs(sum) >= Math.abs(inc)) c += sum - t + inc;
    else c += inc - t + sum;
    sum = t;
  }
  result[0] = sum === Infinity || sum === -Infinity ? sum : sum + c;
  return true;
};

const countOverTime: Kernel = (_t, _v, _r, lo, hi) => {
  result[0] = hi - lo;
  return true;
};

const maxOverTime: Kernel = (_t, v, _r, lo, hi) => {
  let max = v[lo];
  for (let i = lo; i < hi; i++) {
    const cur = v[i];
    if (cur > max || max !== max) max = cur;
  }
  result[0] = max;
  return true;
};

const minOverTime: Kernel = (_t, v, _r, lo, hi) => {
  let min = v[lo];
  for (let i = lo; i < hi; i++) {
    const cur = v[i];
    if (cur < min || min !== min) min = cur;
  }
  result[0] = min;
  return true;
};

const lastOverTime: Kernel = (_t, v, _r, _lo, hi) => {
  result[0] = v[hi - 1];
  return true;
};
const firstOverTime: Kernel = (_t, v, _r, lo) => {
  result[0] = v[lo];
  return true;
};
const presentOverTime: Kernel = () => {
  result[0] = 1;
  return true;
};

const quantileOverTime: Kernel = (_t, v, _r, lo, hi, _ts, _ref, q) => {
  result[0] = quantile(q, v.slice(lo, hi));
  return true;
};

function varianceOverTime(sqrt: boolean): Kernel {
  return (_t, v, _r, lo, hi) => {
    let count = 0;
    let mean = 0;
    let cMean = 0;
    let aux = 0;
    let cAux = 0;
    for (let i = lo; i < hi; i++) {
      const f = v[i];
      count++;
      const delta = f - (mean + cMean);
      mean = kahan(delta / count, mean, cMean);
      cMean = kahanOut[0];
      aux = kahan(delta * (f - (mean + cMean)), aux, cAux);
      cAux = kahanOut[0];
    }
    const variance = (aux + cAux) / count;
    result[0] = sqrt ? Math.sqrt(variance) : variance;
    return true;
  };
}

export function kernelFor(fn: string, rangeMs: number): Kernel {
  switch (fn) {
    case 'rate':
      return extrapolatedRate(true, true, rangeMs);
    case 'increase':
      return extrapolatedRate(true, false, rangeMs);
    case 'delta':
      return extrapolatedRate(false, false, rangeMs);
    case 'irate':
      return instantValue(true);
    case 'idelta':
      return instantValue(false);
    case 'deriv':
      return deriv;
    case 'predict_linear':
      return predictLinear;
    case 'resets':
      return resetsKernel;
    case 'changes':
      return changes;
    case 'avg_over_time':
      return avgOverTime;
    case 'sum_over_time':
      return sumOverTime;
    case 'count_over_time':
      return countOverTime;
    case 'max_over_time':
      return maxOverTime;
    case 'min_over_time':
      return minOverTime;
    case 'last_over_time':
      return lastOverTime;
    case 'first_over_time':
      return firstOverTime;
    case 'present_over_time':
    case 'absent_over_time':
      return presentOverTime;
    case 'quantile_over_time':
      return quantileOverTime;
    case 'stddev_over_time':
      return varianceOverTime(true);
    case 'stdvar_over_time':
      return varianceOverTime(false);
    default:
      throw execError(`unsupported range function ${fn}`);
  }
}
