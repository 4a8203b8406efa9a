// Real OTLP payloads: SDK objects serialized by the OpenTelemetry JS exporters' own serializers.
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { SeverityNumber } from '@opentelemetry/api-logs';
import { JsonLogsSerializer, JsonMetricsSerializer, JsonTraceSerializer, ProtobufLogsSerializer, ProtobufMetricsSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { InMemoryLogRecordExporter, LoggerProvider, SimpleLogRecordProcessor } from '@opentelemetry/sdk-logs';
import { AggregationTemporality, MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider, InMemorySpanExporter, ReadableSpan, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';

export interface Payload {
  protobuf: Buffer;
  json: Buffer;
}

const both = (serializer: { serializeRequest(x: never): Uint8Array | undefined }, json: { serializeRequest(x: never): Uint8Array | undefined }, items: unknown): Payload => ({
  protobuf: Buffer.from(serializer.serializeRequest(items as never) ?? new Uint8Array()),
  json: Buffer.from(json.serializeRequest(items as never) ?? new Uint8Array()),
});

export const resource = resourceFromAttributes({ 'service.name': 'checkout', 'service.namespace': 'shop', 'service.instance.id': 'pod-7', 'host.name': 'node-1', 'deploy.replicas': 3 });

export const TRACE_ID = '0af7651916cd43dd8448eb211c80319c';
export const SPAN_ID = 'b7ad6b7169203331';

/** Two log records: one INFO with every attribute type and a span context, one with a map body and only a text severity. */
export function logsPayload(): Payload {
  const exporter = new InMemoryLogRecordExporter();
  const provider = new LoggerProvider({ resource, processors: [new SimpleLogRecordProcessor(exporter)] });
  const logger = provider.getLogger('checkout.http', '1.4.0');
  const context = trace.setSpanContext(ROOT_CONTEXT, { traceId: TRACE_ID, spanId: SPAN_ID, traceFlags: 1 });
  logger.emit({
    // 2026-03-02T10:00:00.123456789Z: beyond 2^53 ns, so only exact arithmetic keeps the microseconds.
    timestamp: [1772445600, 123456789],
    observedTimestamp: [1772445601, 987654321],
    severityNumber: SeverityNumber.INFO,
    severityText: 'INFO',
    body: 'order placed',
    attributes: { 'http.route': '/orders', 'order.items': 3, 'order.total': 42.5, 'order.paid': true, tags: ['a', 'b'] },
    context,
  });
  logger.emit({ timestamp: [1772445602, 0], severityText: 'Warning', body: { code: 7, reason: 'slow' } });
  return both(ProtobufLogsSerializer, JsonLogsSerializer, exporter.getFinishedLogRecords());
}

/** A server span with a client child (an event, an error status, a link). */
export function tracesPayload(): Payload & { spans: ReadableSpan[] } {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ resource, spanProcessors: [new SimpleSpanProcessor(exporter)] });
  const tracer = provider.getTracer('checkout.tracer', '2.0.0');
  const start = 1772445600_000; // ms
  const parent = tracer.startSpan('POST /orders', { kind: SpanKind.SERVER, startTime: [1772445600, 500_000_123], attributes: { 'http.method': 'POST' } });
  const child = tracer.startSpan(
    'SELECT orders',
    { kind: SpanKind.CLIENT, startTime: [1772445600, 600_000_000], links: [{ context: { traceId: TRACE_ID, spanId: SPAN_ID, traceFlags: 1 }, attributes: { why: 'retry' } }] },
    trace.setSpan(ROOT_CONTEXT, parent),
  );
  child.addEvent('exception', { 'exception.type': 'Timeout' }, [1772445600, 700_000_999]);
  child.setStatus({ code: SpanStatusCode.ERROR, message: 'timeout' });
  child.end([1772445600, 850_000_000]);
  parent.end(start + 1000);
  const spans = exporter.getFinishedSpans();
  return { ...both(ProtobufTraceSerializer, JsonTraceSerializer, spans), spans };
}

class ManualReader extends MetricReader {
  protected async onShutdown(): Promise<void> {}
  protected async onForceFlush(): Promise<void> {}
}

/** A counter, an up-down counter, a gauge and a histogram, collected once (cumulative, or delta). */
export async function metricsPayload(temporality: AggregationTemporality = AggregationTemporality.CUMULATIVE): Promise<Payload> {
  const reader = new ManualReader({ aggregationTemporalitySelector: () => temporality });
  const provider = new MeterProvider({ resource, readers: [reader] });
  const meter = provider.getMeter('checkout.metrics', '3.1.0');
  const requests = meter.createCounter('http.server.requests', { unit: '{request}', description: 'Requests served' });
  requests.add(5, { 'http.route': '/orders', 'http.status_code': 200 });
  requests.add(2, { 'http.route': '/orders', 'http.status_code': 500 });
  meter.createUpDownCounter('queue.depth', { unit: '{item}' }).add(-2);
  meter.createGauge('cpu.utilization', { unit: '1' }).record(0.25);
  const duration = meter.createHistogram('http.server.duration', { unit: 's', advice: { explicitBucketBoundaries: [0.1, 0.5, 1] } });
  for (const v of [0.05, 0.2, 0.3, 0.7, 3]) duration.record(v, { 'http.route': '/orders' });
  const { resourceMetrics } = await reader.collect();
  await provider.shutdown();
  return both(ProtobufMetricsSerializer, JsonMetricsSerializer, resourceMetrics);
}
