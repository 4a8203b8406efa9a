import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { randomUUID } from 'node:crypto';
import { createRpcClient } from '@opsplane/messaging';
import { logLevels } from '@opsplane/runtime';
import { GatewayConfig } from './config';
import { GatewayModule } from './gateway.module';
import { registerTracing } from './http/tracing';
import { setupOpenApi } from './openapi/openapi';

export interface RunningGateway {
  app: NestFastifyApplication;
  url: string;
  close(): Promise<void>;
}

/** Builds and starts the gateway: the platform's only HTTP entry. */
export async function startGateway(config: GatewayConfig): Promise<RunningGateway> {
  const cpHost = config.CP_HOST?.toLowerCase();
  const adapter = new FastifyAdapter({
    bodyLimit: config.BODY_LIMIT_BYTES,
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
  });
  const fastify = adapter.getInstance();
  registerTracing(fastify);
  fastify.addHook('onSend', (req, reply, payload, done) => {
    reply.header('x-request-id', req.id);
    done(null, payload);
  });

  const { client, proxy } = createRpcClient(config.NATS_URL, 'opsplane-gateway', config.RPC_TIMEOUT_MS);
  await proxy.connect();
  const app = await NestFactory.create<NestFastifyApplication>(GatewayModule.forRoot(config, client), adapter, {
    logger: logLevels(config.LOG_LEVEL),
  });
  app.enableShutdownHooks();
  setupOpenApi(app);
  await app.listen({ port: config.PORT, host: config.HOST });
  const address = fastify.server.address();
  const port = typeof address === 'object' && address ? address.port : config.PORT;
  const url = `http://127.0.0.1:${port}`;
  new Logger('Gateway').log(`listening on ${url} (OpenAPI at ${url}/api/docs)`);
  return {
    app,
    url,
    async close() {
      await app.close();
      await proxy.close();
    },
  };
}
