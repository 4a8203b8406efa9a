import { Client } from 'pg';
import { compressSync } from 'snappy';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { AggregationTemporality, MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import { OTLPMetricExporter as JsonMetricExporter } from '@opentelemetry/exporter-metrics-otlp-http';
import { OTLPMetricExporter as ProtoMetricExporter } from '@opentelemetry/exporter-metrics-otlp-proto';
import { pushTimeseries } from 'prometheus-remote-write';
import { TestPlatform } from '../support/platform';
import { apiToken, eventually } from '../support/telemetry';
import { TEST_DATABASE_URL } from '../support/env';

const MIN = 60_000;

describe('telemetry: metrics (OTLP, remote_write), the metric query and the Prometheus HTTP API', () => {
  let p: TestPlatform;

  beforeAll(async () => {
    // The compactor runs often and takes hours as soon as they are over (a test cannot wait five minutes).
    p = await TestPlatform.start({ TELEMETRY_COMPACT_INTERVAL_MS: '300', TELEMETRY_COMPACT_DELAY_MS: '0' });
  });
  afterAll(async () => {
    await p.close();
  });

  /** Samples through remote_write, as the `prometheus-remote-write` client library builds and sends them. */
  async function remoteWrite(token: string, series: { labels: { __name__: string } & Record<string, string>; samples: { value: number; timestamp: number }[] }[]) {
    const r = await pushTimeseries(series, { url: `${p.url}/api/prom/api/v1/write`, headers: { authorization: `Bearer ${token}` }, fetch: fetch as never });
    expect([r.status, r.errorMessage || undefined]).toEqual([204, undefined]);
  }

  const prom = async (token: string, path: string, form?: Record<string, string | string[]>) => {
    const init: RequestInit = { headers: { authorization: `Bearer ${token}` } };
    if (form) {
      const body = new URLSearchParams();
      for (const [k, v] of Object.entries(form)) for (const x of Array.isArray(v) ? v : [v]) body.append(k, x);
      Object.assign(init, { method: 'POST', body, headers: { ...init.headers, 'content-type': 'application/x-www-form-urlencoded' } });
    }
    const r = await fetch(`${p.url}/api/prom/api/v1/${path}`, init);
    return { status: r.status, body: (await r.json()) as { status: string; data: any; errorType?: string; error?: string } };
  };

  it('takes remote_write from a client library and answers it through query_range, query, series and labels (GET and POST)', async () => {
    const t = await p.tenant();
    const token = await apiToken(t);
    const end = Math.floor(Date.now() / MIN) * MIN;
    const start = end - 30 * MIN;
    const series = ['a', 'b', 'c'].map((pod, i) => ({
      labels: { __name__: 'http_requests_total', service: 'checkout', pod, code: i === 2 ? '500' : '200' },
      samples: Array.from({ length: 31 }, (_, k) => ({ timestamp: start + k * MIN, value: (i + 1) * 60 * k })),
    }));
    // Two requests, the second the later half: a series' chunks are merged when read.
    await remoteWrite(token, series.map((s) => ({ ...s, samples: s.samples.slice(0, 15) })));
    await remoteWrite(token, series.map((s) => ({ ...s, samples: s.samples.slice(15) })));
    const range = (q: string) => prom(token, `query_range?query=${encodeURIComponent(q)}&start=${start / 1000}&end=${end / 1000}&step=60`);
    const raw = await eventually(
      () => range('http_requests_total{pod="b"}'),
      (r) => r.body.data?.result?.[0]?.values?.length === 31,
    );
    expect(raw.status).toBe(200);
    expect(raw.body.data.resultType).toBe('matrix');
    expect(raw.body.data.result[0].metric).toEqual({ __name__: 'http_requests_total', service: 'checkout', pod: 'b', code: '200' });
    expect(raw.body.data.result[0].values[3]).toEqual([(start + 3 * MIN) / 1000, String(2 * 60 * 3)]);

    // Every matcher kind, rate, aggregation by label, arithmetic with a scalar, topk.
    const byCode = await range('sum by (code) (rate(http_requests_total{service="checkout", pod=~"a|c", code!="404"}[5m])) * 60');
    const last = (r: typeof byCode, metric: Record<string, string>) => Number(r.body.data.result.find((s: { metric: Record<string, string> }) => JSON.stringify(s.metric) === JSON.stringify(metric))?.values.at(-1)[1]);
    expect(last(byCode, { code: '200' })).toBeCloseTo(60, 6);
    expect(last(byCode, { code: '500' })).toBeCloseTo(180, 6);
    const notA = await range('count(http_requests_total{pod!~"a"})');
    expect(Number(notA.body.data.result[0].values.at(-1)[1])).toBe(2);
    // Regular expressions PostgreSQL evaluates (portable) and those it does not (flags, counted repeats) agree;
    // a NUL character in a matcher (which PostgreSQL's text refuses) is matched as any other value.
    const pods = async (q: string) => ((await range(q)).body.data.result as { metric: { pod: string } }[]).map((x) => x.metric.pod).sort();
    expect(await pods('http_requests_total{pod=~"[ab]|x"}')).toEqual(['a', 'b']);
    expect(await pods('http_requests_total{pod=~"(?i)[AB]"}')).toEqual(['a', 'b']);
    expect(await pods('http_requests_total{pod=~"c{1}", code!="200"}')).toEqual(['c']);
    expect(await pods('http_requests_total{pod="a\\x00"}')).toEqual([]);
    expect(await pods('http_requests_total{pod!="\\x00", pod!~"b\\x00|c"}')).toEqual(['a', 'b']);
    const top = await prom(token, `query?query=${encodeURIComponent('topk(1, http_requests_total)')}&time=${end / 1000}`);
    expect(top.body.data.resultType).toBe('vector');
    expect(top.body.data.result.map((s: { metric: { pod: string }; value: [number, string] }) => [s.metric.pod, s.value[1]])).toEqual([['c', String(3 * 60 * 30)]]);

    // POST forms (as Grafana sends them) answer the same.
    const posted = await prom(token, 'query_range', { query: 'http_requests_total{pod="b"}', start: String(start / 1000), end: new Date(end).toISOString(), step: '1m' });
    expect(posted.body.data).toEqual(raw.body.data);
    const found = await prom(token, 'series', { 'match[]': ['http_requests_total{pod="a"}', '{__name__="http_requests_total", code="500"}'] });
    expect(found.body.data.map((s: { pod: string }) => s.pod).sort()).toEqual(['a', 'c']);
    expect((await prom(token, 'labels')).body.data).toEqual(['__name__', 'code', 'pod', 'service']);
    expect((await prom(token, 'label/pod/values')).body.data).toEqual(['a', 'b', 'c']);
    expect((await prom(token, `label/pod/values?match[]=${encodeURIComponent('{code="500"}')}`)).body.data).toEqual(['c']);
    expect((await prom(token, 'label/__name__/values')).body.data).toEqual(['http_requests_total']);

    // The first document's query: aligned buckets per series.
    const q = await t.call('GET', `/api/metrics/query?metric_name=http_requests_total&labels=pod=a&agg=increase&step=5m&start=${new Date(start).toISOString()}&end=${new Date(end).toISOString()}`);
    expect(q.status).toBe(200);
    expect(q.body.data.series).toHaveLength(1);
    expect(q.body.data.series[0].labels).toEqual({ service: 'checkout', pod: 'a', code: '200' });
    const points = q.body.data.series[0].points as { t: string; v: number }[];
    expect(points.length).toBeGreaterThan(3);
    for (const pt of points) expect(Date.parse(pt.t) % (5 * MIN)).toBe(0);
    expect(points[2].v).toBeCloseTo(300, 6);
    const maxes = await t.call('GET', `/api/metrics/query?metric_name=http_requests_total&agg=max&step=10m&start=${new Date(start).toISOString()}&end=${new Date(end).toISOString()}`);
    expect(maxes.body.data.series.map((s: { labels: { pod: string } }) => s.labels.pod)).toEqual(['a', 'b', 'c']);
  });

  it('takes metrics from the OpenTelemetry SDK (protobuf and JSON) and answers counters and histogram percentiles', async () => {
    const t = await p.tenant();
    const token = await apiToken(t);
    for (const [Exporter, service] of [
      [ProtoMetricExporter, 'cart-proto'],
      [JsonMetricExporter, 'cart-json'],
    ] as const) {
      const exporter = new Exporter({ url: `${p.url}/v1/metrics`, headers: { authorization: `Bearer ${token}` }, temporalityPreference: AggregationTemporality.CUMULATIVE });
      const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 3_600_000 });
      const provider = new MeterProvider({ resource: resourceFromAttributes({ 'service.name': service, 'service.instance.id': 'i-1' }), readers: [reader] });
      const meter = provider.getMeter('cart', '1.0.0');
      const requests = meter.createCounter('http.server.requests', { unit: '{request}' });
      const duration = meter.createHistogram('http.server.duration', { unit: 'ms', advice: { explicitBucketBoundaries: [10, 50, 100, 500] } });
      for (let i = 0; i < 100; i++) {
        requests.add(1, { 'http.route': '/cart' });
        duration.record(i < 90 ? 20 : 300, { 'http.route': '/cart' });
      }
      await provider.forceFlush();
      await provider.shutdown();
    }
    const names = await eventually(
      () => prom(token, 'label/service/values'),
      (r) => r.body.data?.length === 2,
    );
    expect(names.body.data).toEqual(['cart-json', 'cart-proto']);
    const now = Date.now() / 1000;
    const value = async (q: string) => (await prom(token, `query?query=${encodeURIComponent(q)}&time=${now}`)).body.data.result;
    expect((await value('http_server_requests_total{service="cart-proto"}')).map((s: { metric: Record<string, string>; value: [number, string] }) => [s.metric.http_route, s.metric.job, s.metric.instance, s.value[1]])).toEqual([
      ['/cart', 'cart-proto', 'i-1', '100'],
    ]);
    const p95 = await value('histogram_quantile(0.95, sum by (le, service) (http_server_duration_milliseconds_bucket))');
    expect(p95).toHaveLength(2);
    for (const s of p95) expect(Number(s.value[1])).toBeGreaterThan(100);
    expect(Number((await value('sum(http_server_duration_milliseconds_count)'))[0].value[1])).toBe(200);
    // The first document's query names the histogram and asks for a percentile (from the buckets' rate: one scrape has none).
    const q = await t.call('GET', '/api/metrics/query?metric_name=http_server_duration_milliseconds&agg=p95');
    expect(q.status).toBe(200);
    expect(q.body.data.promql).toMatch(/^histogram_quantile\(0\.95, rate\(http_server_duration_milliseconds_bucket/);
  });

  it("keeps tenants apart: another tenant's token never sees a series, also through PromQL matchers", async () => {
    const a = await p.tenant();
    const b = await p.tenant();
    const now = Date.now();
    await remoteWrite(await apiToken(a), [{ labels: { __name__: 'secret_metric', team: 'a' }, samples: [{ value: 42, timestamp: now - MIN }] }]);
    const aToken = await apiToken(a);
    await eventually(
      () => prom(aToken, `query?query=secret_metric`),
      (r) => r.body.data?.result?.length === 1,
    );
    const bToken = await apiToken(b);
    for (const q of ['secret_metric', '{__name__=~".+"}', '{team="a"}', 'count({__name__!=""})']) {
      const r = await prom(bToken, `query?query=${encodeURIComponent(q)}`);
      expect([q, r.status, r.body.data.result]).toEqual([q, 200, []]);
    }
    expect((await prom(bToken, `series?match[]=${encodeURIComponent('{__name__=~".+"}')}`)).body.data).toEqual([]);
    expect((await prom(bToken, 'labels')).body.data).toEqual([]);
    expect((await prom(bToken, 'label/__name__/values')).body.data).toEqual([]);
    expect((await b.call('GET', '/api/metrics/query?metric_name=secret_metric')).body.data.series).toEqual([]);
  });

  it('answers bad bodies and bad queries with a clear 4xx in Prometheus form, and stores nothing', async () => {
    const t = await p.tenant();
    const token = await apiToken(t);
    const write = (body: Buffer, headers: Record<string, string> = {}) =>
      fetch(`${p.url}/api/prom/api/v1/write`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/x-protobuf', 'content-encoding': 'snappy', ...headers }, body });
    const cases: [string, Buffer][] = [
      ['not snappy', Buffer.from('plainly not snappy')],
      ['snappy, not protobuf', compressSync(Buffer.from([0x0a, 0xff, 0xff, 0x01]))],
      ['a series without a name', compressSync(Buffer.from([0x0a, 0x06, 0x0a, 0x04, 0x0a, 0x01, 0x61, 0x12, 0x00]))],
    ];
    for (const [what, body] of cases) {
      const r = await write(body);
      expect([what, r.status]).toEqual([what, 400]);
      const answer = (await r.json()) as { status: string; errorType: string };
      expect([what, answer.status, answer.errorType]).toEqual([what, 'error', 'bad_data']);
    }
    expect((await write(Buffer.from('x'), { 'content-encoding': 'br' })).status).toBe(400);
    const reader = await apiToken(t, ['read']);
    expect((await fetch(`${p.url}/api/prom/api/v1/write`, { method: 'POST', headers: { authorization: `Bearer ${reader}`, 'content-type': 'application/x-protobuf' }, body: compressSync(Buffer.alloc(0)) })).status).toBe(403);
    expect((await fetch(`${p.url}/api/prom/api/v1/query?query=up`)).status).toBe(401);

    const bad: [string, number, string][] = [
      ['query?query=sum(', 400, 'bad_data'],
      ['query?query=', 400, 'bad_data'],
      ['query?query=up&time=yesterday', 400, 'bad_data'],
      ['query_range?query=up&start=10&end=5&step=1', 400, 'bad_data'],
      ['query_range?query=up&start=0&end=100000&step=1', 400, 'bad_data'],
      ['query_range?query=up&start=0&end=10&step=0', 400, 'bad_data'],
      ['query_range?query=up&start=0&end=10', 400, 'bad_data'],
      ['series', 400, 'bad_data'],
      ['series?match[]=sum(up)', 400, 'bad_data'],
      ['label/bad-name/values', 400, 'bad_data'],
    ];
    for (const [path, status, type] of bad) {
      const r = await prom(token, path);
      expect([path, r.status, r.body.status, r.body.errorType]).toEqual([path, status, 'error', type]);
      expect(r.body.error).toBeTruthy();
    }
    const m = await t.call('GET', '/api/metrics/query?metric_name=bad-name');
    expect([m.status, m.body.code]).toEqual([422, 'VALIDATION_ERROR']);
    for (const qs of ['metric_name=x&agg=p42', 'metric_name=x&step=0s', 'metric_name=x&labels=nope', 'metric_name=x&start=2026-01-02T00:00:00Z&end=2026-01-01T00:00:00Z', 'metric_name=x&step=1s&start=2020-01-01T00:00:00Z', 'metric_name=x&step=9999999y']) {
      expect([qs, (await t.call('GET', `/api/metrics/query?${qs}`)).status]).toEqual([qs, 422]);
    }
    await new Promise((r) => setTimeout(r, 500));
    expect((await prom(token, `series?match[]=${encodeURIComponent('{__name__=~".+"}')}`)).body.data).toEqual([]);
  });

  it('compacts hours once they are over: their chunks become one per series and hour, no sample lost or repeated', async () => {
    const t = await p.tenant();
    const token = await apiToken(t);
    const first = Math.floor(Date.now() / 3_600_000) * 3_600_000 - 3 * 3_600_000;
    const labels = { __name__: 'queue_depth', queue: 'orders' };
    // Ten writes of twelve samples over two hours (a Prometheus sends about one sample per series and request).
    for (let w = 0; w < 10; w++) await remoteWrite(token, [{ labels, samples: Array.from({ length: 12 }, (_, k) => ({ timestamp: first + (w * 12 + k) * MIN, value: w * 12 + k })) }]);
    const pg = new Client({ connectionString: TEST_DATABASE_URL });
    await pg.connect();
    try {
      const chunks = async () =>
        (await pg.query(`SELECT count(*)::int AS chunks, coalesce(sum(n), 0)::int AS samples, count(DISTINCT start_time)::int AS hours FROM telemetry.metric_chunks WHERE tenant_id = $1`, [t.id])).rows[0];
      expect(await eventually(chunks, (c) => c.chunks === 2 && c.samples === 120, 20_000)).toEqual({ chunks: 2, samples: 120, hours: 2 });
    } finally {
      await pg.end();
    }
    const r = await prom(token, `query_range?query=queue_depth&start=${first / 1000}&end=${(first + 119 * MIN) / 1000}&step=60`);
    expect(r.body.data.result[0].values.map((v: [number, string]) => Number(v[1]))).toEqual(Array.from({ length: 120 }, (_, k) => k));
  });
});
