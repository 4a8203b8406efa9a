import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { OpenAPIObject } from '@nestjs/swagger';
import { loadConfig } from '@opsplane/config';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { randomBytes, randomUUID } from 'node:crypto';
import type { Socket } from 'node:net';
import { ErrorCode } from '@opsplane/errors';
import { currentTraceId, nestLogger, startMetricsServer } from '@opsplane/observability';
import { accessBusFor, connectionState, createRpcClient } from '@opsplane/messaging';
import { GatewayConfig } from './config';
import { GatewayModule } from './gateway.module';
import { sendError } from './http/envelope';
import { MAX_PARAM_LENGTH } from './http/error-response';
import { assertWithinLimits, parseJsonBody } from './http/input-limits';
import { RouteTable } from './http/route-table';
import { registerSecurityHeaders } from './http/security';
import { registerAccessLog } from './http/access-log';
import { registerTracing } from './http/tracing';
import { isTelemetryPath, registerTelemetryBodies } from './http/telemetry-bodies';
import { formParams, isPromApiPath } from './http/prom';
import { buildOpenApi, setupOpenApi } from './openapi/openapi';

export interface RunningGateway {
  app: NestFastifyApplication;
  url: string;
  /** Where /metrics is served (METRICS_PORT), when it is. */
  metricsPort?: number;
  close(): Promise<void>;
}

/** Builds and starts the gateway: the platform's only HTTP entry. */
export async function startGateway(config: GatewayConfig): Promise<RunningGateway> {
  const cpHost = config.CP_HOST?.toLowerCase();
  const adapter = new FastifyAdapter({
    // The JSON parser holds other routes to BODY_LIMIT_BYTES.
    bodyLimit: Math.max(config.BODY_LIMIT_BYTES, config.TELEMETRY_BODY_LIMIT_BYTES),
    trustProxy: config.TRUST_PROXY === 'true',
    genReqId: (req: { headers: Record<string, string | string[] | undefined> }) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && /^[\w.-]{1,128}$/.test(given) ? given : randomUUID();
    },
    // On the control-plane host, `/api/...` is the control plane's API (`/cp/api/...` elsewhere).
    rewriteUrl: (req: { url?: string; headers: Record<string, string | string[] | undefined> }) => {
      const url = req.url ?? '/';
      const host = String(req.headers.host ?? '').replace(/:\d+$/, '').toLowerCase();
      return cpHost && host === cpHost && url.startsWith('/api/') && !url.startsWith('/api/docs') ? `/cp${url}` : url;
    },
    routerOptions: { maxParamLength: MAX_PARAM_LENGTH },
    // Bad percent-encoding and over-long parameters: the envelope, never the router's own body.
    frameworkErrors: (error: Error, req: FastifyRequest, reply: FastifyReply) => sendError(reply, req, error),
    // What Node's HTTP parser refuses (headers or URL over 16 KiB, malformed requests): the envelope too.
    clientErrorHandler: (err: Error & { code?: string }, socket: Socket) => {
      if (!socket.writable) return socket.destroy(err);
      const tooLarge = err.code === 'HPE_HEADER_OVERFLOW';
      const body = JSON.stringify({
        error: tooLarge ? 'The request line or headers are too large' : 'Malformed HTTP request',
        code: tooLarge ? ErrorCode.PAYLOAD_TOO_LARGE : ErrorCode.VALIDATION_ERROR,
        trace_id: currentTraceId(),
      });
      const status = tooLarge ? '431 Request Header Fields Too Large' : '422 Unprocessable Entity';
      socket.end(`HTTP/1.1 ${status}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
    },
  });
  const fastify = adapter.getInstance();
  fastify.decorate('routeTable', new RouteTable(fastify));
  await registerSecurityHeaders(fastify);
  // Bodies are JSON or nothing: an empty body is no body; any other content type is a 422 saying so. The telemetry
  // routes take their bodies as bytes (OTLP protobuf or JSON), gzip-compressed or not, up to their own limit.
  fastify.removeAllContentTypeParsers();
  const jsonParser = (req: FastifyRequest, body: Buffer, done: (err: Error | null, body?: unknown) => void) => {
    if (isTelemetryPath(req.url)) return done(null, body);
    if (body.length > config.BODY_LIMIT_BYTES) return done(Object.assign(new Error('Request body is too large'), { statusCode: 413, code: 'FST_ERR_CTP_BODY_TOO_LARGE' }));
    try {
      done(null, parseJsonBody(body.toString()));
    } catch (e) {
      done(e as Error, undefined);
    }
  };
  fastify.addContentTypeParser('application/json', { parseAs: 'buffer' }, jsonParser);
  fastify.addContentTypeParser(/^application\/[\w.+-]+\+json$/, { parseAs: 'buffer' }, jsonParser);
  fastify.addContentTypeParser(['application/x-protobuf', 'application/protobuf'], { parseAs: 'buffer' }, (req: FastifyRequest, body: Buffer, done: (err: Error | null, body?: unknown) => void) =>
    isTelemetryPath(req.url) ? done(null, body) : done(Object.assign(new Error('unsupported media type'), { statusCode: 415 })),
  );
  // The Prometheus HTTP API takes its parameters as a form too (Grafana POSTs them).
  fastify.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'buffer' }, (req: FastifyRequest, body: Buffer, done: (err: Error | null, body?: unknown) => void) => {
    if (!isPromApiPath(req.url)) return done(Object.assign(new Error('unsupported media type'), { statusCode: 415 }));
    if (body.length > config.BODY_LIMIT_BYTES) return done(Object.assign(new Error('Request body is too large'), { statusCode: 413, code: 'FST_ERR_CTP_BODY_TOO_LARGE' }));
    done(null, formParams(body.toString()));
  });
  registerTelemetryBodies(fastify);
  // Query strings and path parameters are held to the same limits as bodies, before any guard runs.
  fastify.addHook('preValidation', (req, _reply, done) => {
    try {
      assertWithinLimits(req.query, 'query');
      assertWithinLimits(req.params, 'path');
      done();
    } catch (e) {
      done(e as Error);
    }
  });
  registerTracing(fastify);
  registerAccessLog(fastify);
  fastify.addHook('onSend', (req, reply, payload, done) => {
    reply.header('x-request-id', req.id);
    done(null, payload);
  });

  const { client, proxy } = createRpcClient(config.NATS_URL, 'opsplane-gateway', config.RPC_TIMEOUT_MS);
  await proxy.connect();
  const app = await NestFactory.create<NestFastifyApplication>(GatewayModule.forRoot(config, client, connectionState(proxy), accessBusFor(proxy)), adapter, {
    logger: nestLogger(config.LOG_LEVEL),
    bodyParser: false,
  });
  app.enableShutdownHooks();
  setupOpenApi(app);
  await app.listen({ port: config.PORT, host: config.HOST });
  const address = fastify.server.address();
  const port = typeof address === 'object' && address ? address.port : config.PORT;
  const url = `http://127.0.0.1:${port}`;
  const metrics = await startMetricsServer(config.METRICS_PORT, config.METRICS_HOST);
  new Logger('Gateway').log(`listening on ${url} (OpenAPI at ${url}/api/docs)`);
  return {
    app,
    url,
    metricsPort: metrics?.port,
    async close() {
      await metrics?.close();
      await app.close();
      await proxy.close();
    },
  };
}

/**
 * The OpenAPI document without running anything (no database, no NATS, no listening socket):
 * the gateway's controllers on an in-process transport with no service behind them.
 */
export async function openApiDocument(views?: Record<string, Record<string, unknown>>): Promise<OpenAPIObject> {
  const config = loadConfig(GatewayConfig, {
    NODE_ENV: 'development',
    JWT_SECRET: randomBytes(32).toString('hex'),
    CP_JWT_SECRET: randomBytes(32).toString('hex'),
    LOG_LEVEL: 'error',
  });
  const { client, proxy } = createRpcClient(undefined, 'opsplane-openapi', 1000);
  const app = await NestFactory.create<NestFastifyApplication>(GatewayModule.forRoot(config, client, connectionState(proxy), accessBusFor(proxy)), new FastifyAdapter(), {
    logger: ['error'],
    bodyParser: false,
  });
  try {
    return buildOpenApi(app, views);
  } finally {
    await app.close();
  }
}
