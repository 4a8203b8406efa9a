import { AggregationTemporality } from '@opentelemetry/sdk-metrics';
import { decodeOtlp, encodeOtlpRequest, MetricPoint, metricPoints, promSamples, PromSeriesSamples } from '..';
import { metricsPayload } from './sdk-payloads';

const byName = (points: MetricPoint[], name: string) => points.filter((p) => p.name === name);
const series = (all: PromSeriesSamples[], name: string) => all.filter((s) => s.labels.__name__ === name);
const decodeJson = (o: unknown) => metricPoints(decodeOtlp('metrics', 'json', Buffer.from(JSON.stringify(o))));
const oneMetric = (metric: object, attributes: object[] = []) => ({
  resourceMetrics: [{ resource: { attributes }, scopeMetrics: [{ metrics: [metric] }] }],
});

describe(metricPoints.name, () => {
  it('normalizes every data point of the SDK export; protobuf and JSON agree', async () => {
    const payload = await metricsPayload();
    const points = metricPoints(decodeOtlp('metrics', 'protobuf', payload.protobuf));
    const json = decodeOtlp('metrics', 'json', payload.json);
    expect(metricPoints(json)).toEqual(points);
    expect(metricPoints(decodeOtlp('metrics', 'protobuf', encodeOtlpRequest('metrics', json)))).toEqual(points);

    const [ok, failed] = byName(points, 'http.server.requests');
    expect(ok).toMatchObject({ kind: 'sum', monotonic: true, temporality: 'cumulative', unit: '{request}', description: 'Requests served', value: 5, service: 'checkout', scope: 'checkout.metrics', scope_version: '3.1.0', no_recorded_value: false });
    expect(ok.attributes).toEqual({ 'http.route': '/orders', 'http.status_code': 200 });
    expect(failed.value).toBe(2);
    expect(ok.time_us).toBeGreaterThan(1.7e15);
    expect(ok.start_time_us).toBeLessThanOrEqual(ok.time_us);
    expect(byName(points, 'queue.depth')[0]).toMatchObject({ kind: 'sum', monotonic: false, value: -2 });
    expect(byName(points, 'cpu.utilization')[0]).toMatchObject({ kind: 'gauge', temporality: 'unspecified', value: 0.25 });
    expect(byName(points, 'http.server.duration')[0]).toMatchObject({
      kind: 'histogram',
      temporality: 'cumulative',
      histogram: { count: 5, sum: 4.25, min: 0.05, max: 3, bounds: [0.1, 0.5, 1], counts: [1, 2, 1, 1] },
    });
  });

  it('reads asInt, summaries, exponential histograms and NO_RECORDED_VALUE', () => {
    const [int] = decodeJson(oneMetric({ name: 'n', gauge: { dataPoints: [{ asInt: '-7', timeUnixNano: '1772445600000000000' }] } }));
    expect([int.value, int.time_us, int.service]).toEqual([-7, 1772445600000000, 'unknown_service']);
    const [gone] = decodeJson(oneMetric({ name: 'n', gauge: { dataPoints: [{ asDouble: 1, flags: 1 }] } }));
    expect([gone.value, gone.no_recorded_value]).toEqual([NaN, true]);
    const [summary] = decodeJson(oneMetric({ name: 'rpc', summary: { dataPoints: [{ count: '3', sum: 6, quantileValues: [{ quantile: 0.5, value: 2 }, { quantile: 0.99, value: 3 }] }] } }));
    expect(summary.summary).toEqual({ count: 3, sum: 6, quantiles: [{ quantile: 0.5, value: 2 }, { quantile: 0.99, value: 3 }] });
    const [exp] = decodeJson(oneMetric({ name: 'e', exponentialHistogram: { aggregationTemporality: 2, dataPoints: [{ count: 4, sum: 10, scale: 2, zeroCount: 1, positive: { offset: -1, bucketCounts: ['1', 2] } }] } }));
    expect(exp.exponential).toEqual({ count: 4, sum: 10, scale: 2, zero_count: 1, zero_threshold: 0, positive: { offset: -1, bucket_counts: [1, 2] }, negative: { offset: 0, bucket_counts: [] } });
  });
});

describe(promSamples.name, () => {
  it('converts the SDK export per the OpenTelemetry Prometheus compatibility spec', async () => {
    const payload = await metricsPayload();
    const all = promSamples(metricPoints(decodeOtlp('metrics', 'protobuf', payload.protobuf)));
    const common = { job: 'shop/checkout', instance: 'pod-7', service: 'checkout', otel_scope_name: 'checkout.metrics', otel_scope_version: '3.1.0' };

    const counters = series(all, 'http_server_requests_total');
    expect(counters.map((s) => s.labels)).toEqual([
      { __name__: 'http_server_requests_total', ...common, http_route: '/orders', http_status_code: '200' },
      { __name__: 'http_server_requests_total', ...common, http_route: '/orders', http_status_code: '500' },
    ]);
    expect(counters.map((s) => s.samples.map((x) => x.v))).toEqual([[5], [2]]);
    expect(Object.keys(counters[0].labels)).toEqual(Object.keys(counters[0].labels).sort());
    expect(series(all, 'queue_depth')[0].samples[0].v).toBe(-2);
    expect(series(all, 'cpu_utilization_ratio')[0].samples[0].v).toBe(0.25);

    const buckets = series(all, 'http_server_duration_seconds_bucket');
    expect(buckets.map((s) => [s.labels.le, s.samples[0].v])).toEqual([
      ['0.1', 1],
      ['0.5', 3],
      ['1', 4],
      ['+Inf', 5],
    ]);
    expect(series(all, 'http_server_duration_seconds_count')[0].samples[0].v).toBe(5);
    expect(series(all, 'http_server_duration_seconds_sum')[0].samples[0].v).toBe(4.25);
    expect(series(all, 'target_info').map((s) => [s.labels, s.samples[0].v])).toEqual([[{ __name__: 'target_info', job: 'shop/checkout', instance: 'pod-7', host_name: 'node-1', deploy_replicas: '3' }, 1]]);

    const t = counters[0].samples[0].t_ms;
    expect(t).toBe(Math.floor(metricPoints(decodeOtlp('metrics', 'protobuf', payload.protobuf))[0].time_us / 1000));
    expect(all.every((s) => s.samples.every((x) => x.t_ms === t))).toBe(true);
  });

  it('keeps delta points under the same names, marked __temporality__="delta"', async () => {
    const all = promSamples(metricPoints(decodeOtlp('metrics', 'protobuf', (await metricsPayload(AggregationTemporality.DELTA)).protobuf)));
    expect(series(all, 'http_server_requests_total').map((s) => s.labels.__temporality__)).toEqual(['delta', 'delta']);
    expect(series(all, 'http_server_duration_seconds_bucket').every((s) => s.labels.__temporality__ === 'delta')).toBe(true);
    expect(series(all, 'cpu_utilization_ratio')[0].labels.__temporality__).toBeUndefined();
  });

  it('gives staleness markers for NO_RECORDED_VALUE, summaries as quantiles, joins colliding labels, skips exponential histograms', () => {
    const [stale] = promSamples(decodeJson(oneMetric({ name: 'up', gauge: { dataPoints: [{ flags: 1, timeUnixNano: '1772445600000000000' }] } })));
    expect(stale.samples).toEqual([{ t_ms: 1772445600000, v: NaN, stale: true }]);

    const summary = promSamples(decodeJson(oneMetric({ name: 'rpc.latency', unit: 'ms', summary: { dataPoints: [{ count: 3, sum: 6, quantileValues: [{ quantile: 0.99, value: 3 }, { quantile: 0.5, value: 2 }] }] } })));
    expect(summary.map((s) => [s.labels.__name__, s.labels.quantile, s.samples[0].v])).toEqual([
      ['rpc_latency_milliseconds', '0.5', 2],
      ['rpc_latency_milliseconds', '0.99', 3],
      ['rpc_latency_milliseconds_sum', undefined, 6],
      ['rpc_latency_milliseconds_count', undefined, 3],
    ]);

    const attrs = [
      { key: 'a_b', value: { stringValue: 'y' } },
      { key: 'a.b', value: { stringValue: 'x' } },
      { key: '9lives', value: { boolValue: true } },
      { key: 'empty', value: { stringValue: '' } },
    ];
    const [joined] = promSamples(decodeJson(oneMetric({ name: 'g', gauge: { dataPoints: [{ asDouble: 1, attributes: attrs }] } })));
    expect(joined.labels).toEqual({ __name__: 'g', _9lives: 'true', a_b: 'x;y', job: 'unknown_service', service: 'unknown_service' });

    expect(promSamples(decodeJson(oneMetric({ name: 'e', exponentialHistogram: { aggregationTemporality: 2, dataPoints: [{ count: 1 }] } })))).toEqual([]);
  });
});
