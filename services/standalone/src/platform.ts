import { Logger } from '@nestjs/common';
import { join } from 'node:path';
import { dataDir, loadConfig } from '@opsplane/config';
import { startEmbeddedPostgres, EmbeddedPg } from '@opsplane/db';
import { GatewayConfig, startGateway, RunningGateway } from '@opsplane/gateway';
import { createRpcClient, EventBus, InMemoryEventBus, RpcClient } from '@opsplane/messaging';
import { nestLogger } from '@opsplane/observability';
import { RunningService, startService } from '@opsplane/runtime';
import { serviceDefinitions } from './service-definitions';

export interface PlatformOptions {
  env?: NodeJS.ProcessEnv;
  /** Where the embedded PostgreSQL keeps its data (when DATABASE_URL is unset). */
  dataDir?: string;
  embeddedPgPort?: number;
}

export interface RunningPlatform {
  url: string;
  databaseUrl: string;
  gateway: RunningGateway;
  services: RunningService[];
  rpc: RpcClient;
  embedded: boolean;
  close(): Promise<void>;
}

/**
 * The composition root: every service and the gateway in one process. Over NATS + PostgreSQL
 * when NATS_URL / DATABASE_URL are set; else on an in-process transport and an embedded
 * PostgreSQL, so that `npm start` needs nothing but Node.
 */
export async function startPlatform(opts: PlatformOptions = {}): Promise<RunningPlatform> {
  const env = opts.env ?? process.env;
  const log = new Logger('Platform');
  const gatewayConfig = loadConfig(GatewayConfig, env);
  // Every service of the registry, its settings checked before anything starts.
  const defs = serviceDefinitions().map((def) => ({ def, config: loadConfig(def.config, env) }));
  Logger.overrideLogger(nestLogger(gatewayConfig.LOG_LEVEL));

  let embeddedPg: EmbeddedPg | undefined;
  let databaseUrl = gatewayConfig.DATABASE_URL;
  if (!databaseUrl) {
    const dir = opts.dataDir ?? join(dataDir(env), 'postgres');
    if (!env.EMBEDDED_PG_PASSWORD) throw new Error('EMBEDDED_PG_PASSWORD is required for the embedded PostgreSQL (npm start generates it)');
    embeddedPg = await startEmbeddedPostgres(dir, opts.embeddedPgPort ?? Number(env.EMBEDDED_PG_PORT ?? 54329), env.EMBEDDED_PG_PASSWORD);
    databaseUrl = embeddedPg.url;
  }
  const eventBus: EventBus | undefined = gatewayConfig.NATS_URL ? undefined : new InMemoryEventBus();
  if (!gatewayConfig.NATS_URL) log.log('NATS_URL unset: using the in-process transport');

  const services: RunningService[] = [];
  let gateway: RunningGateway | undefined;
  const { client: rpc, proxy } = createRpcClient(gatewayConfig.NATS_URL, 'opsplane-platform', gatewayConfig.RPC_TIMEOUT_MS);
  const close = async () => {
    await gateway?.close();
    for (const s of services.reverse()) await s.close();
    await proxy.close();
    await eventBus?.close();
    await embeddedPg?.stop();
  };
  try {
    for (const { def, config } of defs) services.push(await startService(def, { config, databaseUrl, eventBus }));
    gateway = await startGateway(gatewayConfig);
  } catch (e) {
    await close().catch(() => undefined);
    throw e;
  }
  return { url: gateway.url, databaseUrl, gateway, services, rpc, embedded: !!embeddedPg, close };
}
