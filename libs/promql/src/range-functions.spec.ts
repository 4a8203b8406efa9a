/**
 * Range-vector functions against values worked out by hand with Prometheus's algorithms
 * (`extrapolatedRate`, `instantValue`, the *_over_time functions of promql/functions.go).
 * Windows are left-open, `(t - range, t]`, as in Prometheus 3.
 */
import { queryRange } from './query';
import { SEC, instantValue, instantVector, sourceOf } from './spec-helpers';

// Samples every 60s from t=60s; queried at t=300s with [5m], i.e. over the window (0s, 300s].
const source = sourceOf([
  [{ __name__: 'steady_total', job: 'api' }, [[60, 10], [120, 20], [180, 30], [240, 40]]],
  [{ __name__: 'reset_total', job: 'api' }, [[60, 10], [120, 20], [180, 5], [240, 15]]],
  [{ __name__: 'near_zero_total', job: 'api' }, [[60, 5], [120, 15], [180, 25], [240, 35]]],
  [{ __name__: 'late_total', job: 'api' }, [[180, 10], [240, 20]]],
  [{ __name__: 'last_reset_total', job: 'api' }, [[60, 10], [120, 20], [180, 30], [240, 3]]],
  [{ __name__: 'gauge', job: 'api' }, [[60, 10], [120, 4], [180, 7], [240, 1]]],
]);
const T = 300 * SEC;

describe('rate, increase and delta (extrapolatedRate)', () => {
  it('extrapolates to both window boundaries when samples are regular', async () => {
    // increase = 40 - 10 = 30 over the sampled interval 180s; 60s to each boundary is below
    // 1.1 × the average interval (66s), and the zero point (180 × 10/30 = 60s) is not closer.
    const factor = (180 + 60 + 60) / 180;
    await expect(instantValue('increase(steady_total[5m])', T, source)).resolves.toBe(30 * factor);
    await expect(instantValue('rate(steady_total[5m])', T, source)).resolves.toBe(30 * (factor / 300));
  });

  it('adds the value before a counter reset', async () => {
    // (15 - 10) + 20 (the value before the drop to 5) = 25; zero point 180 × 10/25 = 72s > 60s.
    await expect(instantValue('increase(reset_total[5m])', T, source)).resolves.toBe(25 * ((180 + 60 + 60) / 180));
    await expect(instantValue('resets(reset_total[5m])', T, source)).resolves.toBe(1);
  });

  it('does not extrapolate a counter below zero', async () => {
    // The zero point is 180 × 5/30 = 30s before the first sample, closer than the boundary (60s).
    await expect(instantValue('increase(near_zero_total[5m])', T, source)).resolves.toBe(30 * ((180 + 30 + 60) / 180));
  });

  it('extrapolates only half an interval when the series starts inside the window', async () => {
    // 180s to the start is beyond 1.1 × 60s: extrapolate 30s; the end (60s) is close enough.
    await expect(instantValue('increase(late_total[5m])', T, source)).resolves.toBe(10 * ((60 + 30 + 60) / 60));
  });

  it('delta treats the series as a gauge (no reset or zero-point handling)', async () => {
    await expect(instantValue('delta(gauge[5m])', T, source)).resolves.toBe(-9 * ((180 + 60 + 60) / 180));
  });

  it('drops the metric name', async () => {
    await expect(instantVector('rate(steady_total[5m])', T, source)).resolves.toEqual({ '{job="api"}': 30 * ((180 + 60 + 60) / 180 / 300) });
  });

  it('needs two samples in the window', async () => {
    // (240s, 300s] holds only the sample at 240s.
    await expect(instantVector('rate(steady_total[1m])', T, source)).resolves.toEqual({});
  });

  it('evaluates every step of a range query over its own window', async () => {
    const res = await queryRange('increase(steady_total[5m])', 300 * SEC, 420 * SEC, 60 * SEC, source);
    // t=360: (60s, 360s] holds 20, 30, 40: 20 × (120 + 60 + 30) / 120 (the end is 120s away: 30s).
    // t=420: (120s, 420s] holds 30, 40: 10 × (60 + 60 + 30) / 60.
    expect(res.result).toEqual([
      {
        metric: { job: 'api' },
        values: [
          [300, String(30 * ((180 + 60 + 60) / 180))],
          [360, String(20 * ((120 + 60 + 30) / 120))],
          [420, String(10 * ((60 + 60 + 30) / 60))],
        ],
      },
    ]);
  });
});

describe('irate and idelta (instantValue)', () => {
  it('use the last two samples', async () => {
    await expect(instantValue('irate(reset_total[5m])', T, source)).resolves.toBe((15 - 5) / 60);
    await expect(instantValue('idelta(gauge[5m])', T, source)).resolves.toBe(1 - 7);
  });

  it('irate takes the last value as the increase after a reset', async () => {
    await expect(instantValue('irate(last_reset_total[5m])', T, source)).resolves.toBe(3 / 60);
  });
});

describe('aggregations over time', () => {
  it.each([
    ['avg_over_time', 22 / 4],
    ['sum_over_time', 22],
    ['min_over_time', 1],
    ['max_over_time', 10],
    ['count_over_time', 4],
    ['stdvar_over_time', 11.25],
    ['changes', 3],
    // Least squares over x = 0, 60, 120, 180 s and y = 10, 4, 7, 1: -720 / 18000.
    ['deriv', -0.04],
  ])('%s(gauge[5m])', async (fn, expected) => {
    await expect(instantValue(`${fn}(gauge[5m])`, T, source)).resolves.toBeCloseTo(expected, 12);
  });

  it('quantile_over_time interpolates between ranks', async () => {
    // Sorted 1, 4, 7, 10; rank 0.5 × 3 = 1.5: halfway between 4 and 7.
    await expect(instantValue('quantile_over_time(0.5, gauge[5m])', T, source)).resolves.toBe(5.5);
  });

  it('stddev_over_time is the population standard deviation', async () => {
    await expect(instantValue('stddev_over_time(gauge[5m])', T, source)).resolves.toBeCloseTo(Math.sqrt(11.25), 12);
  });

  it('last_over_time keeps the metric name, the others drop it', async () => {
    await expect(instantVector('last_over_time(gauge[5m])', T, source)).resolves.toEqual({ '{__name__="gauge",job="api"}': 1 });
    await expect(instantVector('max_over_time(gauge[5m])', T, source)).resolves.toEqual({ '{job="api"}': 10 });
  });

  it('excludes a sample exactly at the window start (left-open windows, Prometheus 3)', async () => {
    // (120s, 300s] holds 180s and 240s; the sample at 120s is out.
    await expect(instantValue('count_over_time(steady_total[3m])', T, source)).resolves.toBe(2);
  });

  it('offset moves the window back', async () => {
    // At 300s with offset 1m: the window (60s, 240s] holds 120s, 180s and 240s.
    await expect(instantValue('count_over_time(steady_total[3m] offset 1m)', T, source)).resolves.toBe(3);
  });

  it('subqueries feed range functions', async () => {
    // The subquery's steps are aligned to 30s after 300s - 1m: 270s and 300s, where the last
    // sample (240s: 40) is within the lookback delta → max 40.
    await expect(instantValue('max_over_time(steady_total[1m:30s])', T, source)).resolves.toBe(40);
  });
});
