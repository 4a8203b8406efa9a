import { context, isSpanContextValid, propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { GatewayRequest, stateOf } from './gateway-request';

/**
 * Every request gets a server span that continues an incoming `traceparent`; its context is
 * carried on the request object (not only in async context), so the RPC client and the error
 * filter always find it. With the HTTP instrumentation active, the span nests under its span.
 */
export function registerTracing(app: FastifyInstance): void {
  const tracer = trace.getTracer('opsplane-gateway');
  app.addHook('onRequest', (req, _reply, done) => {
    const active = trace.getActiveSpan();
    const parent = active ? context.active() : propagation.extract(ROOT_CONTEXT, req.headers);
    const span = tracer.startSpan(`${req.method} ${req.routeOptions?.url ?? req.url.split('?')[0]}`, { kind: SpanKind.SERVER }, parent);
    let sc = span.spanContext();
    if (!isSpanContextValid(sc)) {
      // No SDK registered (a library user, some test runners): keep the caller's trace id anyway.
      const incoming = trace.getSpanContext(parent);
      sc = {
        traceId: incoming && isSpanContextValid(incoming) ? incoming.traceId : randomBytes(16).toString('hex'),
        spanId: randomBytes(8).toString('hex'),
        traceFlags: 1,
      };
    }
    const s = stateOf(req as GatewayRequest);
    s.span = span;
    s.traceId = sc.traceId;
    s.traceparent = `00-${sc.traceId}-${sc.spanId}-0${sc.traceFlags & 1}`;
    done();
  });
  app.addHook('onResponse', (req, reply, done) => {
    const span = stateOf(req as GatewayRequest).span;
    if (span) {
      span.setAttribute('http.response.status_code', reply.statusCode);
      if (reply.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
    }
    done();
  });
}
