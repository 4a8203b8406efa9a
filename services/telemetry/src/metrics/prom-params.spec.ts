import { PromQLError } from '@opsplane/promql';
import { metricPromQL } from './metrics.service';
import { all, one, parsePromDuration, parsePromTime } from './prom-params';

describe('Prometheus API parameters', () => {
  it('reads times as Unix seconds (with a fraction) or RFC 3339, and refuses anything else as bad_data', () => {
    expect(parsePromTime('time', '1700000000', 0)).toBe(1_700_000_000_000);
    expect(parsePromTime('time', '1700000000.123', 0)).toBe(1_700_000_000_123);
    expect(parsePromTime('time', '2026-12-07T10:00:00Z', 0)).toBe(Date.parse('2026-12-07T10:00:00Z'));
    expect(parsePromTime('time', '2026-12-07T10:00:00.5+01:00', 0)).toBe(Date.parse('2026-12-07T09:00:00.5Z'));
    expect(parsePromTime('time', undefined, 42)).toBe(42);
    for (const bad of ['yesterday', '2026-12-07', '1e400', 'NaN', '10:00']) {
      expect(() => parsePromTime('time', bad, 0)).toThrow(PromQLError);
      expect(() => parsePromTime('time', bad, 0)).toThrow(/invalid parameter "time"/);
    }
  });

  it('reads durations as Prometheus writes them or as seconds', () => {
    expect(parsePromDuration('step', '15')).toBe(15_000);
    expect(parsePromDuration('step', '0.5')).toBe(500);
    expect(parsePromDuration('step', '1m30s')).toBe(90_000);
    expect(parsePromDuration('step', '2h')).toBe(7_200_000);
    expect(parsePromDuration('step', '250ms')).toBe(250);
    for (const bad of [undefined, '', '-1', '5x', 'm5', '1.5m']) expect(() => parsePromDuration('step', bad)).toThrow(/invalid parameter "step"/);
  });

  it('takes the first value of a repeated parameter, or all of them', () => {
    const params = { 'match[]': ['a', 'b'], query: 'up' };
    expect(one(params, 'match[]')).toBe('a');
    expect(all(params, 'match[]')).toEqual(['a', 'b']);
    expect(all(params, 'query')).toEqual(['up']);
    expect(all(params, 'missing')).toEqual([]);
  });
});

describe('metricPromQL (the first document metric query as PromQL)', () => {
  const labels: [string, string][] = [
    ['service', 'checkout'],
    ['route', '/a"b'],
  ];
  it('writes the per-bucket aggregations over the bucket width, label values quoted', () => {
    expect(metricPromQL('http_requests_total', labels, 'avg', 60_000)).toBe('avg_over_time(http_requests_total{service="checkout",route="/a\\"b"}[60s])');
    expect(metricPromQL('x', [], 'last', 300_000)).toBe('last_over_time(x{}[300s])');
  });

  it('gives counters a rate window of at least two minutes, and increase per bucket', () => {
    expect(metricPromQL('x_total', [], 'rate', 60_000)).toBe('rate(x_total{}[120s])');
    expect(metricPromQL('x_total', [], 'increase', 300_000)).toBe('rate(x_total{}[300s]) * 300');
  });

  it('reads percentiles from the histogram buckets, named with or without _bucket', () => {
    expect(metricPromQL('latency_seconds', [], 'p95', 60_000)).toBe('histogram_quantile(0.95, rate(latency_seconds_bucket{}[120s]))');
    expect(metricPromQL('latency_seconds_bucket', [], 'p50', 60_000)).toBe('histogram_quantile(0.5, rate(latency_seconds_bucket{}[120s]))');
  });
});
