import { context, propagation, ROOT_CONTEXT, Span, SpanKind, SpanStatusCode, trace, TraceFlags } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { AlwaysOffSampler, ReadableSpan, SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { ATTR_SERVICE_VERSION } from '@opentelemetry/semantic-conventions';
import { randomBytes } from 'node:crypto';

/** The platform's version, as released (package.json). */
const SERVICE_VERSION = '0.1.0';

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
  /** service.name unless OTEL_SERVICE_NAME says otherwise. */
  serviceName: string;
}

/**
 * Whether the standard OpenTelemetry variables ask for spans to be exported: an OTLP endpoint
 * (OTEL_EXPORTER_OTLP_ENDPOINT or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) or an exporter named in
 * OTEL_TRACES_EXPORTER other than `none`. Unlike the SDK's own default, nothing set means no
 * export (rather than retrying a collector on localhost that is not there).
 */
export function exportsTraces(env: NodeJS.ProcessEnv = process.env): boolean {
  const exporters = (env.OTEL_TRACES_EXPORTER ?? '')
    .split(',')
    .map((e) => e.trim())
    .filter((e) => e && e !== 'null');
  if (exporters.length) return !(exporters.length === 1 && exporters[0] === 'none');
  return !!(env.OTEL_EXPORTER_OTLP_ENDPOINT || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT);
}

/**
 * Starts the OpenTelemetry SDK for Node, configured by the standard variables
 * (https://opentelemetry.io/docs/specs/otel/configuration/sdk-environment-variables/):
 * OTEL_SERVICE_NAME, OTEL_RESOURCE_ATTRIBUTES, OTEL_TRACES_EXPORTER (otlp, console, zipkin,
 * none), OTEL_EXPORTER_OTLP_[TRACES_]ENDPOINT / _PROTOCOL (http/protobuf, http/json, grpc) /
 * _HEADERS / _TIMEOUT, OTEL_TRACES_SAMPLER[_ARG], OTEL_PROPAGATORS, OTEL_SDK_DISABLED. With
 * nothing to export, spans are not recorded but ids are still made and propagated (trace_id in
 * errors, timelines and events; one trace across services) at a fraction of the CPU.
 *
 * Call on the first line of main.ts, before Nest, pg or http are loaded, so that their
 * instrumentations can patch them. Idempotent (the all-in-one process starts it once for all).
 */
export function startTelemetry(opts: TelemetryOptions): void {
  if (sdk) return;
  const exporting = exportsTraces();
  sdk = new NodeSDK({
    // Exporting: the exporters, the sampler (default parentbased_always_on) and the propagators come from the environment.
    ...(exporting ? {} : { sampler: new AlwaysOffSampler(), spanProcessors: [new DiscardProcessor()] }),
    serviceName: process.env.OTEL_SERVICE_NAME ? undefined : opts.serviceName,
    resource: resourceFromAttributes({ [ATTR_SERVICE_VERSION]: SERVICE_VERSION }),
    ...(process.env.OTEL_PROPAGATORS ? {} : { textMapPropagator: new W3CTraceContextPropagator() }),
    // Socket and SQL spans only when they go somewhere: unrecorded, they would cost a wrapper on
    // every request and query for nothing (the gateway, RPC and consumer spans carry the ids anyway).
    instrumentations: exporting
      ? [new HttpInstrumentation({ ignoreIncomingRequestHook: (req) => (req.url ?? '').startsWith('/health') }), new PgInstrumentation({ requireParentSpan: true })]
      : [],
  });
  sdk.start();
}

/** Sends the spans not yet exported (before a test reads them, or at shutdown). */
export async function flushTelemetry(): Promise<void> {
  const provider = trace.getTracerProvider() as { forceFlush?: () => Promise<void>; getDelegate?: () => { forceFlush?: () => Promise<void> } };
  const real = provider.getDelegate?.() ?? provider;
  await real.forceFlush?.();
}

/** Stops the SDK and unregisters it, so that a later startTelemetry starts afresh. */
export async function stopTelemetry(): Promise<void> {
  const s = sdk;
  sdk = undefined;
  await s?.shutdown().catch(() => undefined);
  trace.disable();
  context.disable();
  propagation.disable();
}

const tracer = () => trace.getTracer('opsplane');

/**
 * Runs `fn` in a trace that is never sampled (here or downstream, the W3C flag says so): for the
 * platform's own background work (polls, flushes), which would otherwise fill a collector with a
 * root trace every few seconds. Ids are still made, so logs and errors keep a trace_id.
 */
export function inUnsampledTrace<T>(fn: () => T): T {
  const parent = trace.setSpanContext(ROOT_CONTEXT, { traceId: randomBytes(16).toString('hex'), spanId: randomBytes(8).toString('hex'), traceFlags: TraceFlags.NONE, isRemote: true });
  return context.with(parent, fn);
}

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
