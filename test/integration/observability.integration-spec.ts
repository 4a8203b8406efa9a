import { Writable } from 'node:stream';
import { setLogDestination } from '@opsplane/observability';
import { backendServices } from '@opsplane/registry';
import { TestPlatform, TestTenant } from '../support/platform';

/** Every JSON line the platform logs while this file runs. */
const lines: Record<string, any>[] = [];
setLogDestination(
  new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const l of chunk.toString().split('\n')) if (l.trim()) lines.push(JSON.parse(l));
      done();
    },
  }),
);

/** What an operator sees of a running platform: Prometheus metrics and structured log lines. */
describe('observability: /metrics and structured logs', () => {
  let p: TestPlatform;
  let t: TestTenant;
  let metricsUrl: string;

  beforeAll(async () => {
    p = await TestPlatform.start({ METRICS_PORT: '0', LOG_LEVEL: 'log' });
    metricsUrl = `http://127.0.0.1:${p.platform.gateway.metricsPort}/metrics`;
    t = await p.tenant();
  });
  afterAll(async () => {
    await p.close();
  });

  const scrape = async () => {
    const r = await fetch(metricsUrl);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toContain('text/plain');
    return r.text();
  };
  const value = (text: string, series: string) => {
    const line = text.split('\n').find((l) => l.startsWith(`${series} `));
    return line === undefined ? undefined : Number(line.slice(series.length + 1));
  };

  it('serves Prometheus text on its own port: requests by route template, RPCs by subject, outbox and pools per service, Node runtime', async () => {
    const inc = await t.incident({ title: 'Metrics' });
    await t.call('GET', `/api/incidents/${inc.id}`);
    await t.call('GET', '/api/incidents/INC-99999999');
    const text = await scrape();

    expect(value(text, 'opsplane_http_requests_total{method="POST",route="/api/incidents",status="201"}')).toBeGreaterThanOrEqual(1);
    expect(value(text, 'opsplane_http_requests_total{method="GET",route="/api/incidents/:id",status="404"}')).toBeGreaterThanOrEqual(1);
    expect(text).toMatch(/opsplane_http_request_duration_seconds_bucket\{le="0.5",method="POST",route="\/api\/incidents"\} \d+/);
    // No raw path (with its ids) ever becomes a label.
    expect(text).not.toContain(inc.id);
    expect(text).not.toContain('INC-99999999');
    expect(value(text, 'opsplane_rpc_requests_total{subject="rpc.incidents.create_incident.v1",outcome="ok"}')).toBeGreaterThanOrEqual(1);
    expect(value(text, 'opsplane_rpc_requests_total{subject="rpc.incidents.get_incident.v1",outcome="NOT_FOUND"}')).toBeGreaterThanOrEqual(1);
    for (const svc of backendServices()) {
      expect(value(text, `opsplane_outbox_pending{schema="${svc.schema}"}`)).toBeGreaterThanOrEqual(0);
      expect(value(text, `opsplane_outbox_lag_seconds{schema="${svc.schema}"}`)).toBeGreaterThanOrEqual(0);
      expect(value(text, `opsplane_db_pool_connections{schema="${svc.schema}",state="total"}`)).toBeGreaterThanOrEqual(1);
    }
    expect(text).toContain('opsplane_nodejs_eventloop_lag_seconds');
    expect(text).toContain('opsplane_process_resident_memory_bytes');
  });

  it('keeps /metrics off the public port', async () => {
    expect((await p.call('GET', '/metrics')).status).toBe(404);
    expect((await fetch(metricsUrl.replace('/metrics', '/other'))).status).toBe(404);
  });

  it('logs one JSON line per request with its request, trace and tenant ids, and never the query string or a credential', async () => {
    lines.length = 0;
    const r = await t.call('GET', '/api/incidents?q=secret-search-term&limit=5', { headers: { traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' } });
    expect(r.status).toBe(200);
    const access = lines.find((l) => l.msg === 'request' && l.route === '/api/incidents' && l.method === 'GET');
    expect(access).toMatchObject({
      level: 'info',
      status: 200,
      request_id: r.headers.get('x-request-id'),
      trace_id: '4bf92f3577b34da6a3ce929d0e0e4736',
      tenant_id: t.id,
    });
    expect(typeof access!.duration_ms).toBe('number');
    expect(new Date(access!.time).toISOString()).toBe(access!.time);
    const all = JSON.stringify(lines);
    expect(all).not.toContain('secret-search-term');
    expect(all).not.toContain(t.owner.token);
  });
});
