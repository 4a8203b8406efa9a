import { DynamicModule, Module } from '@nestjs/common';
import { RpcSubject } from '@opsplane/contracts';
import { healthController, RuntimeModule, ServiceDefinition, ServiceRuntime, tenantLimitsConsumer, tenantPurgeController } from '@opsplane/runtime';
import { IngestWorker } from './ingest/ingest.worker';
import { LogsModule } from './logs/logs.module';
import { MetricsModule } from './metrics/metrics.module';
import { StorageModule, storeOf } from './storage/storage.module';
import { TracesModule } from './traces/traces.module';
import { UsageModule } from './usage/usage.module';
import { TelemetryConfig } from './config';
import { TELEMETRY_MIGRATIONS } from './migrations';

/** The telemetry service: one module per feature, over one store. */
@Module({})
export class TelemetryModule {
  static forRuntime(runtime: ServiceRuntime): DynamicModule {
    return {
      module: TelemetryModule,
      imports: [RuntimeModule.forRoot(runtime), StorageModule, LogsModule, MetricsModule, TracesModule, UsageModule],
      controllers: [healthController('telemetry', RpcSubject.TelemetryHealth), tenantPurgeController(RpcSubject.TelemetryPurgeTenant)],
    };
  }
}

export const telemetryService: ServiceDefinition<TelemetryConfig> = {
  name: 'telemetry',
  schema: 'telemetry',
  config: TelemetryConfig,
  entities: [],
  migrations: TELEMETRY_MIGRATIONS,
  module: (rt) => TelemetryModule.forRuntime(rt as unknown as ServiceRuntime),
  consumers: [tenantLimitsConsumer],
  workers: (rt) => [new IngestWorker(rt, storeOf(rt as unknown as ServiceRuntime))],
};
