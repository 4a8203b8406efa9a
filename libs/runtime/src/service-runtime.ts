import { DynamicModule, Global, INestMicroservice, Logger, Module, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { DataSource, EntitySchema, MixedList } from 'typeorm';
import { CommonConfig } from '@opsplane/config';
import { nestLogger, registerGaugeSource, startMetricsServer } from '@opsplane/observability';
import type { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver';
import { createAppDataSource, OutboxRelay, resolveAppUrl, runMigrations, TenantDb } from '@opsplane/db';
import { ConsumerDefinition, startConsumer } from './consumer';
import { AccessBus, createRpcClient, EventBus, InProcessAccessBus, JetStreamEventBus, NatsAccessBus, RpcClient, rpcServerOptions } from '@opsplane/messaging';

/** What a service's Nest module receives: built once, outside Nest, closed in order. */
export interface ServiceRuntime<C extends CommonConfig = CommonConfig> {
  name: string;
  schema: string;
  config: C;
  dataSource: DataSource;
  tenantDb: TenantDb;
  eventBus: EventBus;
  relay: OutboxRelay;
  /** For calling other services (request/reply, with the transport of this process). */
  rpc: RpcClient;
  /** For access changes every gateway must apply before the call answers (removals, suspensions, ...). */
  access: AccessBus;
}

export const RUNTIME = Symbol('ServiceRuntime');

export interface ServiceDefinition<C extends CommonConfig> {
  /** As in the registry (libs/registry/services.json). */
  name: string;
  schema: string;
  /** Its settings, read from the environment and validated once at start. */
  config: new () => C;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  entities: MixedList<Function | string | EntitySchema>;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  migrations: MixedList<Function>;
  module: (runtime: ServiceRuntime<C>) => DynamicModule;
  /** The domain events it consumes (durable, idempotent, in the event's tenant and trace). */
  consumers?: ConsumerDefinition[];
  /** Runs once the service listens (e.g. seeding from config). */
  onStart?: (runtime: ServiceRuntime<C>) => Promise<void>;
  /** Background work (a scheduler): started once the service listens, stopped first on close. */
  workers?: (runtime: ServiceRuntime<C>) => ServiceWorker[];
}

/** A service's background loop. */
export interface ServiceWorker {
  start(): void;
  stop(): Promise<void>;
}

export interface StartOptions<C extends CommonConfig> {
  config: C;
  /** Shared by all services of the all-in-one process; else each service connects to JetStream. */
  eventBus?: EventBus;
  /** The owner URL when it does not come from config (embedded PostgreSQL). */
  databaseUrl?: string;
}

export interface RunningService {
  name: string;
  app: INestMicroservice;
  runtime: ServiceRuntime;
  close(): Promise<void>;
}


/** Migrates, connects and starts one service as a Nest microservice (NATS or in-process). */
export async function startService<C extends CommonConfig>(def: ServiceDefinition<C>, opts: StartOptions<C>): Promise<RunningService> {
  const log = new Logger(def.name);
  const { config } = opts;
  const ownerUrl = opts.databaseUrl ?? config.DATABASE_URL;
  if (!ownerUrl) throw new Error(`${def.name}: DATABASE_URL is required`);
  if (config.MIGRATE_ON_START === 'true') {
    await runMigrations({
      schema: def.schema,
      ownerUrl,
      appPassword: config.DATABASE_APP_PASSWORD,
      migrations: def.migrations,
      manageAppRole: !config.DATABASE_APP_URL,
    });
  }
  const dataSource = await createAppDataSource({
    schema: def.schema,
    url: resolveAppUrl(ownerUrl, def.schema, config.DATABASE_APP_PASSWORD, config.DATABASE_APP_URL),
    poolSize: config.DATABASE_POOL_SIZE,
    entities: def.entities,
    applicationName: `opsplane-${def.name}`,
  });
  let ownBus: JetStreamEventBus | undefined;
  let eventBus = opts.eventBus;
  if (!eventBus) {
    if (!config.NATS_URL) throw new Error(`${def.name}: NATS_URL or a shared event bus is required`);
    ownBus = await new JetStreamEventBus(config.NATS_URL).connect();
    eventBus = ownBus;
  }
  const relay = new OutboxRelay(dataSource, eventBus, { schema: def.schema });
  eventBus.onReconnect(() => relay.wake());
  const access: AccessBus = ownBus ? new NatsAccessBus(ownBus.connection()) : new InProcessAccessBus();
  const tenantDb = new TenantDb(dataSource, def.schema);
  // A unit of work that wrote events or audit entries wakes the relay once it committed.
  tenantDb.afterEmit = () => relay.kick();
  const { client: rpc, proxy } = createRpcClient(config.NATS_URL, `opsplane-${def.name}-client`, config.RPC_TIMEOUT_MS);
  const runtime: ServiceRuntime<C> = { name: def.name, schema: def.schema, config, dataSource, tenantDb, eventBus, relay, rpc, access };
  const app = await NestFactory.createMicroservice(def.module(runtime), {
    ...rpcServerOptions(def.name, config.NATS_URL),
    logger: nestLogger(config.LOG_LEVEL),
  });
  await app.listen();
  relay.start();
  for (const c of def.consumers ?? []) await startConsumer(runtime as unknown as ServiceRuntime, c);
  await def.onStart?.(runtime);
  const workers = def.workers?.(runtime) ?? [];
  for (const w of workers) w.start();
  const unregister = registerServiceGauges(def.schema, dataSource);
  const metrics = await startMetricsServer(config.METRICS_PORT, config.METRICS_HOST);
  log.log(`${def.name} service ready (${config.NATS_URL ? 'NATS' : 'in-process transport'})`);
  return {
    name: def.name,
    app,
    runtime: runtime as unknown as ServiceRuntime,
    async close() {
      for (const w of workers) await w.stop();
      unregister();
      await metrics?.close();
      await app.close();
      await relay.stop();
      await access.close();
      await proxy.close();
      await ownBus?.close();
      await dataSource.destroy();
    },
  };
}

/** The outbox backlog and the pool of one service, read when Prometheus scrapes. */
function registerServiceGauges(schema: string, dataSource: DataSource): () => void {
  // One query answers both outbox gauges of a scrape.
  let last: { at: number; answer: Promise<{ pending: number; lag: number }> } | undefined;
  const backlog = () => {
    if (!last || Date.now() - last.at > 1000) last = { at: Date.now(), answer: readBacklog() };
    return last.answer;
  };
  const readBacklog = async () => {
    // The outbox is readable only by the relay (row security); a scrape reads it the same way.
    return dataSource.transaction(async (em) => {
      await em.query(`SELECT set_config('app.outbox_relay', 'on', true)`);
      const [row] = (await em.query(
        `SELECT count(*)::int AS pending, COALESCE(EXTRACT(EPOCH FROM now() - min(created_at)), 0)::float AS lag FROM outbox WHERE published_at IS NULL`,
      )) as { pending: number; lag: number }[];
      return row;
    });
  };
  const removals = [
    registerGaugeSource('opsplane_outbox_pending', schema, async () => [{ labels: { schema }, value: (await backlog()).pending }]),
    registerGaugeSource('opsplane_outbox_lag_seconds', schema, async () => [{ labels: { schema }, value: (await backlog()).lag }]),
    registerGaugeSource('opsplane_db_pool_connections', schema, () => {
      const pool = (dataSource.driver as PostgresDriver).master as { totalCount: number; idleCount: number; waitingCount: number } | undefined;
      if (!pool) return [];
      return [
        { labels: { schema, state: 'total' }, value: pool.totalCount },
        { labels: { schema, state: 'idle' }, value: pool.idleCount },
        { labels: { schema, state: 'waiting' }, value: pool.waitingCount },
      ];
    }),
  ];
  return () => removals.forEach((r) => r());
}

export function runtimeProvider(runtime: ServiceRuntime) {
  return { provide: RUNTIME, useValue: runtime };
}

export type { Type };

/**
 * The runtime for every module of a service: a service's root module imports
 * `RuntimeModule.forRoot(runtime)` once and its feature modules inject RUNTIME.
 */
@Global()
@Module({})
export class RuntimeModule {
  static forRoot(runtime: ServiceRuntime): DynamicModule {
    return { module: RuntimeModule, providers: [runtimeProvider(runtime)], exports: [RUNTIME] };
  }
}
