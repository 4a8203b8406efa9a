import { DynamicModule, Module } from '@nestjs/common';
import { RpcSubject } from '@opsplane/contracts';
import { healthController, RuntimeModule, ServiceDefinition, ServiceRuntime, tenantPurgeController } from '@opsplane/runtime';
import { ChangesModule } from './changes/changes.module';
import { RequestsModule } from './requests/requests.module';
import { ChangeStatsController, ChangeStatsService } from './stats/stats.service';
import { CatalogItemEntity, ServiceRequestEntity } from './requests/request.entity';
import { ChangeEntity, ChangeTimelineEntity, FreezeWindowEntity } from './changes/change.entity';
import { ItsmConfig } from './config';
import { ITSM_MIGRATIONS } from './migrations';
import { SLA_ENTITIES, slaSchedulerWorker } from '@opsplane/sla';
import { slaPoliciesConsumer } from './sla/sla-policies.consumer';

/** The itsm service: one module per feature. */
@Module({})
export class ItsmModule {
  static forRuntime(runtime: ServiceRuntime): DynamicModule {
    return {
      module: ItsmModule,
      imports: [RuntimeModule.forRoot(runtime), ChangesModule, RequestsModule],
      controllers: [healthController('itsm', RpcSubject.ItsmHealth), tenantPurgeController(RpcSubject.ItsmPurgeTenant), ChangeStatsController],
      providers: [ChangeStatsService],
    };
  }
}

export const itsmService: ServiceDefinition<ItsmConfig> = {
  name: 'itsm',
  schema: 'itsm',
  config: ItsmConfig,
  entities: [ChangeEntity, ChangeTimelineEntity, FreezeWindowEntity, CatalogItemEntity, ServiceRequestEntity, ...SLA_ENTITIES],
  migrations: ITSM_MIGRATIONS,
  module: (rt) => ItsmModule.forRuntime(rt as unknown as ServiceRuntime),
  consumers: [slaPoliciesConsumer],
  workers: (rt) => [slaSchedulerWorker(rt)],
};
