import { gzipSync } from 'node:zlib';
import { randomBytes } from 'node:crypto';
import { SeverityNumber } from '@opentelemetry/api-logs';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { LoggerProvider, SimpleLogRecordProcessor } from '@opentelemetry/sdk-logs';
import { OTLPLogExporter as JsonLogExporter } from '@opentelemetry/exporter-logs-otlp-http';
import { OTLPLogExporter as ProtoLogExporter } from '@opentelemetry/exporter-logs-otlp-proto';
import { OTLPTraceExporter as JsonTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as ProtoTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { BasicTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { context, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { IngestAllowanceView, RpcSubject } from '@opsplane/contracts';
import { TestPlatform, TestTenant } from '../support/platform';
import { apiToken, eventually } from '../support/telemetry';
import { TEST_OPERATOR } from '../support/env';

/** Logs sent by the official OpenTelemetry SDK through an exporter, flushed. */
async function sendLogs(url: string, token: string, exporter: 'json' | 'protobuf', service: string, records: { body: string; severity: SeverityNumber; attributes?: Record<string, string | number> }[], gzip = false) {
  const Exporter = exporter === 'json' ? JsonLogExporter : ProtoLogExporter;
  const provider = new LoggerProvider({
    resource: resourceFromAttributes({ 'service.name': service, 'host.name': 'node-7', 'k8s.namespace.name': 'shop' }),
    processors: [new SimpleLogRecordProcessor(new Exporter({ url: `${url}/v1/logs`, headers: { authorization: `Bearer ${token}` }, compression: gzip ? ('gzip' as never) : ('none' as never) }))],
  });
  const logger = provider.getLogger('checkout-logger', '1.0.0');
  for (const r of records) logger.emit({ body: r.body, severityNumber: r.severity, severityText: SeverityNumber[r.severity], attributes: r.attributes });
  await provider.forceFlush();
  await provider.shutdown();
}

describe('telemetry: OTLP ingestion and the log and trace queries', () => {
  let p: TestPlatform;

  beforeAll(async () => {
    p = await TestPlatform.start();
  });
  afterAll(async () => {
    await p.close();
  });

  it('takes logs from the OpenTelemetry SDK (protobuf, JSON, gzip) and answers them newest first, filtered', async () => {
    const t = await p.tenant();
    const token = await apiToken(t);
    await sendLogs(p.url, token, 'protobuf', 'checkout', [
      { body: 'payment declined for order 17', severity: SeverityNumber.ERROR, attributes: { 'http.route': '/pay', 'order.id': 17 } },
      { body: 'cart loaded', severity: SeverityNumber.INFO },
    ]);
    await sendLogs(p.url, token, 'json', 'api-gw', [{ body: 'upstream timeout calling checkout', severity: SeverityNumber.WARN }], true);

    const all = await eventually(
      () => t.call('GET', '/api/logs?limit=10'),
      (r) => r.status === 200 && r.body.data.items.length === 3,
    );
    expect(all.status).toBe(200);
    const items = all.body.data.items as { time: string; service: string; level: string; body: string; attributes: Record<string, unknown>; resource: Record<string, unknown>; scope: string }[];
    expect(items.map((i) => i.body).sort()).toEqual(['cart loaded', 'payment declined for order 17', 'upstream timeout calling checkout']);
    expect([...items.map((i) => i.time)].sort().reverse()).toEqual(items.map((i) => i.time));
    const declined = items.find((i) => i.body.startsWith('payment'))!;
    expect(declined).toMatchObject({ service: 'checkout', level: 'error', scope: 'checkout-logger', attributes: { 'http.route': '/pay', 'order.id': 17 } });
    expect(declined.resource).toMatchObject({ 'service.name': 'checkout', 'host.name': 'node-7', 'k8s.namespace.name': 'shop' });

    const q = async (query: string) => ((await t.call('GET', `/api/logs?${query}`)).body.data.items as { body: string }[]).map((i) => i.body);
    expect(await q('service=checkout&level=error')).toEqual(['payment declined for order 17']);
    expect((await q('level=warn,error')).sort()).toEqual(['payment declined for order 17', 'upstream timeout calling checkout']);
    expect(await q('q=timeout')).toEqual(['upstream timeout calling checkout']);
    expect(await q('attr.http.route=/pay')).toEqual(['payment declined for order 17']);
    expect(await q('attr.order.id=17')).toEqual(['payment declined for order 17']);
    expect((await q('resource.host.name=node-7')).length).toBe(3);
    expect(await q('resource.host.name=node-8')).toEqual([]);
    expect(await q(`to=${encodeURIComponent(new Date(Date.now() - 3600_000).toISOString())}`)).toEqual([]);

    // Cursor pagination: two pages of one record then the last, no repeats.
    const first = await t.call('GET', '/api/logs?limit=2');
    expect(first.body.data.items).toHaveLength(2);
    const second = await t.call('GET', `/api/logs?limit=2&cursor=${first.body.data.next_cursor}`);
    expect(second.body.data.items).toHaveLength(1);
    expect(second.body.data.next_cursor).toBeNull();
    expect([...first.body.data.items, ...second.body.data.items].map((i: { body: string }) => i.body)).toEqual(items.map((i) => i.body));

    // Bad query input: a clear 422.
    for (const bad of ['level=loud', 'limit=0', 'from=yesterday', 'trace_id=xyz', 'cursor=!!', `cursor=${Buffer.from('["traces","1","ab"]').toString('base64url')}`, `cursor=${Buffer.from('["logs","ffff","1"]').toString('base64url')}`]) {
      const r = await t.call('GET', `/api/logs?${bad}`);
      expect([bad, r.status, r.body.code]).toEqual([bad, 422, 'VALIDATION_ERROR']);
    }
  });

  it('takes traces from the OpenTelemetry SDK and answers summaries and the span tree', async () => {
    const t = await p.tenant();
    const token = await apiToken(t);
    for (const [Exporter, service] of [
      [ProtoTraceExporter, 'frontend'],
      [JsonTraceExporter, 'mobile-bff'],
    ] as const) {
      const provider = new BasicTracerProvider({
        resource: resourceFromAttributes({ 'service.name': service }),
        spanProcessors: [new SimpleSpanProcessor(new Exporter({ url: `${p.url}/v1/traces`, headers: { authorization: `Bearer ${token}` } }))],
      });
      const tracer = provider.getTracer('web', '2.0.0');
      const root = tracer.startSpan('GET /checkout', { kind: SpanKind.SERVER, attributes: { 'http.method': 'GET' } });
      const ctx = trace.setSpan(context.active(), root);
      const child = tracer.startSpan('SELECT orders', { kind: SpanKind.CLIENT }, ctx);
      child.addEvent('retry', { attempt: 2 });
      child.setStatus({ code: SpanStatusCode.ERROR, message: 'deadlock' });
      child.end();
      root.end();
      await provider.forceFlush();
      await provider.shutdown();
    }
    const page = await eventually(
      () => t.call('GET', '/api/traces'),
      (r) => r.status === 200 && r.body.data.items.length === 2 && r.body.data.items.every((i: { span_count: number }) => i.span_count === 2),
    );
    const summaries = page.body.data.items as { trace_id: string; root_service: string; root_operation: string; span_count: number; error: boolean; services: string[] }[];
    expect(summaries.map((s) => s.root_service).sort()).toEqual(['frontend', 'mobile-bff']);
    expect(summaries[0]).toMatchObject({ root_operation: 'GET /checkout', span_count: 2, error: true });
    expect((await t.call('GET', '/api/traces?service=frontend')).body.data.items.map((s: { root_service: string }) => s.root_service)).toEqual(['frontend']);
    expect((await t.call('GET', '/api/traces?status=ok')).body.data.items).toEqual([]);
    expect((await t.call('GET', '/api/traces?min_duration=60000')).body.data.items).toEqual([]);

    const one = await t.call('GET', `/api/traces/${summaries[0].trace_id.toUpperCase()}`);
    expect(one.status).toBe(200);
    const spans = one.body.data.spans as { name: string; depth: number; kind: string; status: string; status_message: string; events: { name: string; attributes: Record<string, unknown> }[]; parent_span_id: string | null; span_id: string }[];
    expect(spans.map((s) => [s.name, s.depth, s.kind])).toEqual([
      ['GET /checkout', 0, 'server'],
      ['SELECT orders', 1, 'client'],
    ]);
    expect(spans[1]).toMatchObject({ status: 'error', status_message: 'deadlock', parent_span_id: spans[0].span_id, events: [{ name: 'retry', attributes: { attempt: 2 } }] });
    expect((await t.call('GET', `/api/traces/${randomBytes(16).toString('hex')}`)).status).toBe(404);
    expect((await t.call('GET', '/api/traces/not-a-trace')).status).toBe(422);
    expect((await t.call('GET', `/api/traces?cursor=${Buffer.from('["traces","zz","00"]').toString('base64url')}`)).status).toBe(422);
  });

  it("keeps tenants apart: another tenant's token never sees a log line or a trace", async () => {
    const a = await p.tenant();
    const b = await p.tenant();
    await sendLogs(p.url, await apiToken(a), 'protobuf', 'secret-svc', [{ body: 'tenant a only', severity: SeverityNumber.INFO }]);
    await eventually(
      () => a.call('GET', '/api/logs'),
      (r) => r.body.data.items.length === 1,
    );
    const bToken = await apiToken(b);
    for (const path of ['/api/logs', '/api/logs?service=secret-svc', '/api/logs?q=tenant', '/api/traces']) {
      const r = await p.call('GET', path, { token: bToken });
      expect([path, r.status, r.body.data.items]).toEqual([path, 200, []]);
    }
    const aTrace = (await a.call('GET', '/api/logs')).body.data.items[0].trace_id;
    expect(aTrace).toBeNull();
  });

  it('answers bad OTLP bodies with 400 in OTLP form, stores nothing, and refuses missing or read-only credentials', async () => {
    const t = await p.tenant();
    const token = await apiToken(t);
    const post = (body: Buffer | string, headers: Record<string, string>, auth = token) =>
      fetch(`${p.url}/v1/logs`, { method: 'POST', headers: { authorization: `Bearer ${auth}`, ...headers }, body });
    const cases: [string, Buffer | string, Record<string, string>][] = [
      ['truncated protobuf', Buffer.from([0x0a, 0xff, 0x01, 0x02]), { 'content-type': 'application/x-protobuf' }],
      ['not JSON', '{"resourceLogs": [', { 'content-type': 'application/json' }],
      ['a bad trace id', JSON.stringify({ resourceLogs: [{ scopeLogs: [{ logRecords: [{ traceId: 'zz', body: { stringValue: 'x' } }] }] }] }), { 'content-type': 'application/json' }],
      ['not gzip', Buffer.from('plain'), { 'content-type': 'application/x-protobuf', 'content-encoding': 'gzip' }],
    ];
    for (const [what, body, headers] of cases) {
      const r = await post(body, headers);
      expect([what, r.status]).toEqual([what, 400]);
    }
    const json = await post('{"resourceLogs": [', { 'content-type': 'application/json' });
    const status = (await json.json()) as { code: number; message: string };
    expect(status.code).toBe(3);
    expect(status.message).toMatch(/body/);
    // A well-formed gzip JSON body with one record is taken.
    const tricky = 'tab\there, line\nbreak, back\\slash, nul\u0000 gone';
    const ok = await post(gzipSync(JSON.stringify({ resourceLogs: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: 'raw' } }] }, scopeLogs: [{ logRecords: [{ body: { stringValue: tricky }, severityNumber: 9, attributes: [{ key: 'k', value: { stringValue: tricky } }] }] }] }] })), {
      'content-type': 'application/json',
      'content-encoding': 'gzip',
    });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({});
    const stored = await eventually(
      () => t.call('GET', '/api/logs'),
      (r) => r.body.data.items.length >= 1,
    );
    expect(stored.body.data.items.map((i: { body: string; attributes: Record<string, unknown> }) => [i.body, i.attributes.k])).toEqual([[tricky.replace('\u0000', ''), tricky.replace('\u0000', '')]]);

    expect((await post('{}', { 'content-type': 'application/json' }, 'not-a-token')).status).toBe(401);
    const reader = await apiToken(t, ['read']);
    expect((await post('{}', { 'content-type': 'application/json' }, reader)).status).toBe(403);
  });

  /** Sets the tenant's plan overrides (as an operator) and waits until the telemetry service has them. */
  async function limitTenant(t: TestTenant, limits: Record<string, number>, until: (a: IngestAllowanceView) => boolean) {
    const op = (await p.call('POST', '/cp/api/auth/token', { body: TEST_OPERATOR })).body.data.token as string;
    const r = await p.call('PATCH', `/cp/api/tenants/${t.id}`, { token: op, body: { limits } });
    expect(r.status).toBe(200);
    const allowance = () => p.platform.rpc.request<IngestAllowanceView>(RpcSubject.TelemetryIngestAllowance, { tenant_id: t.id, actor: null }, {});
    expect(until(await eventually(allowance, until))).toBe(true);
  }

  const rawLogs = (service: string, records: { body: string; timeUnixNano?: string }[]) =>
    JSON.stringify({
      resourceLogs: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: service } }] }, scopeLogs: [{ logRecords: records.map((r) => ({ ...r, body: { stringValue: r.body }, severityNumber: 9 })) }] }],
    });

  it("keeps the plan's telemetry volume a day: past it, 402 QUOTA_EXCEEDED in OTLP's form, nothing queued", async () => {
    const t = await p.tenant();
    const token = await apiToken(t);
    await limitTenant(t, { telemetry_bytes_per_day: 600 }, (a) => a.limit_bytes === 600);
    const send = (body: string) => fetch(`${p.url}/v1/logs`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body });
    expect((await send(rawLogs('quota', [{ body: 'x'.repeat(300) }]))).status).toBe(200);
    const over = await send(rawLogs('quota', [{ body: 'y'.repeat(400) }]));
    expect(over.status).toBe(402);
    const status = (await over.json()) as { code: number; message: string };
    expect(status.message).toMatch(/telemetry volume .* used up for today/);
    await eventually(
      () => t.call('GET', '/api/logs'),
      (x) => x.body.data.items.length >= 1,
    );
    await new Promise((r) => setTimeout(r, 300));
    const stored = (await t.call('GET', '/api/logs')).body.data.items as { body: string }[];
    expect(stored.map((i) => i.body)).toEqual(['x'.repeat(300)]);
  });

  it("keeps the plan's retention: records older than it are not stored", async () => {
    const t = await p.tenant();
    const token = await apiToken(t);
    await limitTenant(t, { telemetry_retention_days: 1 }, (a) => a.retention_days === 1);
    const nanos = (ms: number) => `${BigInt(ms) * 1_000_000n}`;
    const r = await fetch(`${p.url}/v1/logs`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: rawLogs('retention', [
        { body: 'two days old', timeUnixNano: nanos(Date.now() - 2 * 86_400_000) },
        { body: 'fresh', timeUnixNano: nanos(Date.now() - 60_000) },
      ]),
    });
    expect(r.status).toBe(200);
    // OTLP's partial success names what is not kept.
    const answer = (await r.json()) as { partialSuccess?: { rejectedLogRecords?: string | number; errorMessage?: string } };
    expect(Number(answer.partialSuccess?.rejectedLogRecords)).toBe(1);
    expect(answer.partialSuccess?.errorMessage).toMatch(/older than the retention \(1 days\)/);
    const stored = await eventually(
      () => t.call('GET', `/api/logs?from=${encodeURIComponent(new Date(Date.now() - 5 * 86_400_000).toISOString())}`),
      (x) => x.body.data.items.length >= 1,
    );
    expect(stored.body.data.items.map((i: { body: string }) => i.body)).toEqual(['fresh']);
  });
});
