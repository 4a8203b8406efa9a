import type { FastifyInstance } from 'fastify';
import { httpDuration, httpRequests, rootLogger, withLogContext } from '@opsplane/observability';
import { GatewayRequest, stateOf } from './gateway-request';

/**
 * One access-log line per request (method, route, status, duration, with its request, tenant and
 * trace ids; every other line written while serving it carries them too). The query string,
 * headers and body are never logged. Health probes are logged at debug. The same hook counts the
 * request and its duration for Prometheus, labelled by route template (never the raw path, whose
 * ids are unbounded). Registered after the tracing hook, whose trace id it uses.
 */
export function registerAccessLog(app: FastifyInstance): void {
  app.addHook('onRequest', (req, _reply, done) => withLogContext({ request_id: String(req.id), trace_id: stateOf(req as GatewayRequest).traceId }, done));
  app.addHook('onResponse', (req, reply, done) => {
    const path = req.url.split('?')[0];
    const template = req.routeOptions?.url ?? '(unmatched)';
    httpRequests.inc({ method: req.method, route: template, status: String(reply.statusCode) });
    httpDuration.observe({ method: req.method, route: template }, reply.elapsedTime / 1000);
    const state = stateOf(req as GatewayRequest);
    const line = {
      msg: 'request',
      method: req.method,
      route: req.routeOptions?.url ?? path,
      status: reply.statusCode,
      duration_ms: Math.round(reply.elapsedTime * 10) / 10,
    };
    const ids = { request_id: String(req.id), trace_id: state.traceId, tenant_id: state.tenantId };
    withLogContext(ids, () => {
      if (path.startsWith('/health')) rootLogger().debug(line);
      else if (reply.statusCode >= 500) rootLogger().error(line);
      else rootLogger().info(line);
    });
    done();
  });
}
