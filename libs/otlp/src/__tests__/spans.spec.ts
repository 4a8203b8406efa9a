import { decodeOtlp, encodeOtlpRequest, spanRows, TelemetryDecodeError } from '..';
import { SPAN_ID, TRACE_ID, tracesPayload } from './sdk-payloads';

describe(spanRows.name, () => {
  const payload = tracesPayload();
  const [childSpan, parentSpan] = payload.spans;
  const ids = (s: (typeof payload.spans)[number]) => s.spanContext();

  it('normalizes the SDK protobuf export: the span tree, times to the microsecond, status, events and links', () => {
    const [child, parent] = spanRows(decodeOtlp('traces', 'protobuf', payload.protobuf));
    expect(parent).toEqual({
      trace_id: ids(parentSpan).traceId,
      span_id: ids(parentSpan).spanId,
      parent_span_id: null,
      name: 'POST /orders',
      kind: 'server',
      start_us: 1772445600500000,
      end_us: 1772445601000000,
      duration_us: 500000,
      status_code: 'unset',
      status_message: '',
      service: 'checkout',
      resource: { 'service.name': 'checkout', 'service.namespace': 'shop', 'service.instance.id': 'pod-7', 'host.name': 'node-1', 'deploy.replicas': 3 },
      scope: 'checkout.tracer',
      attributes: { 'http.method': 'POST' },
      events: [],
      links: [],
    });
    expect(child).toMatchObject({
      trace_id: ids(parentSpan).traceId,
      span_id: ids(childSpan).spanId,
      parent_span_id: ids(parentSpan).spanId,
      kind: 'client',
      start_us: 1772445600600000,
      end_us: 1772445600850000,
      duration_us: 250000,
      status_code: 'error',
      status_message: 'timeout',
      events: [{ time_us: 1772445600700000, name: 'exception', attributes: { 'exception.type': 'Timeout' } }],
      links: [{ trace_id: TRACE_ID, span_id: SPAN_ID, attributes: { why: 'retry' } }],
    });
    expect(child.trace_id).toMatch(/^[0-9a-f]{32}$/);
  });

  it('gives the same rows for the OTLP/JSON export, and after re-encoding as protobuf', () => {
    const fromProtobuf = spanRows(decodeOtlp('traces', 'protobuf', payload.protobuf));
    const json = decodeOtlp('traces', 'json', payload.json);
    expect(spanRows(json)).toEqual(fromProtobuf);
    expect(spanRows(decodeOtlp('traces', 'protobuf', encodeOtlpRequest('traces', json)))).toEqual(fromProtobuf);
  });

  it('refuses a JSON span whose parentSpanId is not 16 hex characters', () => {
    const body = JSON.parse(payload.json.toString());
    body.resourceSpans[0].scopeSpans[0].spans[0].parentSpanId = 'abc';
    expect(() => decodeOtlp('traces', 'json', Buffer.from(JSON.stringify(body)))).toThrow(/spans\[0\]\.parentSpanId: expected 16 hex characters, got 3/);
  });

  it('refuses a protobuf span with a short span id', () => {
    const req = { resourceSpans: [{ scopeSpans: [{ spans: [{ traceId: Buffer.alloc(16, 1), spanId: Buffer.alloc(4, 1) }] }] }] };
    expect(() => decodeOtlp('traces', 'protobuf', encodeOtlpRequest('traces', req))).toThrow(TelemetryDecodeError);
  });
});
