import { context, propagation, ROOT_CONTEXT, Span, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { AlwaysOffSampler, AlwaysOnSampler, BatchSpanProcessor, ParentBasedSampler, ReadableSpan, SpanExporter, SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from '@opentelemetry/semantic-conventions';
import { randomBytes } from 'node:crypto';

let sdk: NodeSDK | undefined;

/** A processor that keeps nothing: spans still get ids (for trace_id in errors) when no collector is configured. */
class DiscardProcessor implements SpanProcessor {
  onStart(): void {}
  onEnd(_span: ReadableSpan): void {}
  forceFlush(): Promise<void> {
    return Promise.resolve();
  }
  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}

export interface TelemetryOptions {
  serviceName: string;
  /** OTLP/HTTP endpoint (e.g. http://collector:4318); spans are kept only when set. */
  otlpEndpoint?: string;
  /** Extra processors (tests use an in-memory exporter). */
  exporter?: SpanExporter;
}

/**
 * Starts the OpenTelemetry SDK. Call on the first line of main.ts, before Nest, pg or http are
 * loaded, so that their instrumentations can patch them. Idempotent (the all-in-one process
 * starts it once for every service).
 */
export function startTelemetry(opts: TelemetryOptions): void {
  if (sdk) return;
  const spanProcessors: SpanProcessor[] = [];
  const endpoint = opts.otlpEndpoint ?? process.env.OTEL_EXPORTER_OTLP_ENDPOINT;
  if (endpoint) spanProcessors.push(new BatchSpanProcessor(new OTLPTraceExporter({ url: `${endpoint.replace(/\/$/, '')}/v1/traces` })));
  if (opts.exporter) spanProcessors.push(new BatchSpanProcessor(opts.exporter));
  // With nowhere to send spans, record none: ids are still made and propagated (trace_id in
  // errors, timelines and events; one trace across services), at a fraction of the CPU.
  const exporting = spanProcessors.length > 0;
  if (!exporting) spanProcessors.push(new DiscardProcessor());
  sdk = new NodeSDK({
    sampler: exporting ? new ParentBasedSampler({ root: new AlwaysOnSampler() }) : new AlwaysOffSampler(),
    resource: resourceFromAttributes({ [ATTR_SERVICE_NAME]: opts.serviceName, [ATTR_SERVICE_VERSION]: '0.1.0' }),
    spanProcessors,
    textMapPropagator: new W3CTraceContextPropagator(),
    instrumentations: [
      new HttpInstrumentation({ ignoreIncomingRequestHook: (req) => (req.url ?? '').startsWith('/health') }),
      new PgInstrumentation({ requireParentSpan: true }),
    ],
  });
  sdk.start();
}

export async function stopTelemetry(): Promise<void> {
  const s = sdk;
  sdk = undefined;
  await s?.shutdown().catch(() => undefined);
}

const tracer = () => trace.getTracer('opsplane');

/** The current trace id, or a fresh random one when no span is active (an error still gets an id). */
export function currentTraceId(): string {
  const id = trace.getActiveSpan()?.spanContext().traceId;
  return id && !/^0+$/.test(id) ? id : randomBytes(16).toString('hex');
}

/** The W3C traceparent of the active context, for a message header. */
export function currentTraceparent(): string | undefined {
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  return carrier.traceparent;
}

export function traceIdOf(traceparent: string | undefined): string | null {
  const m = /^[0-9a-f]{2}-([0-9a-f]{32})-[0-9a-f]{16}-[0-9a-f]{2}$/.exec(traceparent ?? '');
  return m ? m[1] : null;
}

/**
 * Runs `fn` in a span that continues the trace of `traceparent` (the consumer side of a
 * message), so that one request through the gateway is one trace across every service.
 */
export async function inSpanFrom<T>(traceparent: string | undefined, name: string, kind: SpanKind, fn: (span: Span) => Promise<T>): Promise<T> {
  const parent = traceparent ? propagation.extract(ROOT_CONTEXT, { traceparent }) : context.active();
  return tracer().startActiveSpan(name, { kind }, parent, async (span) => {
    try {
      return await fn(span);
    } catch (e) {
      span.setStatus({ code: SpanStatusCode.ERROR, message: e instanceof Error ? e.message : String(e) });
      throw e;
    } finally {
      span.end();
    }
  });
}


export { SpanKind };
