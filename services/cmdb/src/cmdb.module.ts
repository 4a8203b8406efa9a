import { DynamicModule, Module } from '@nestjs/common';
import { RpcSubject } from '@opsplane/contracts';
import { healthController, RuntimeModule, ServiceDefinition, ServiceRuntime, tenantPurgeController } from '@opsplane/runtime';
import { ItemsModule } from './items/items.module';
import { CiEntity, RelationshipEntity } from './items/ci.entity';
import { RelationshipsModule } from './relationships/relationships.module';
import { InfraModule } from './infra/infra.module';
import { topologyConsumer } from './topology/topology.consumer';
import { CmdbConfig } from './config';
import { CMDB_MIGRATIONS } from './migrations';

/** The cmdb service: configuration items (with classes, history and imports), relationships and impact, the infrastructure view. */
@Module({})
export class CmdbModule {
  static forRuntime(runtime: ServiceRuntime): DynamicModule {
    return {
      module: CmdbModule,
      imports: [RuntimeModule.forRoot(runtime), ItemsModule, RelationshipsModule, InfraModule],
      controllers: [healthController('cmdb', RpcSubject.CmdbHealth), tenantPurgeController(RpcSubject.CmdbPurgeTenant)],
    };
  }
}

export const cmdbService: ServiceDefinition<CmdbConfig> = {
  name: 'cmdb',
  schema: 'cmdb',
  config: CmdbConfig,
  entities: [CiEntity, RelationshipEntity],
  migrations: CMDB_MIGRATIONS,
  module: (rt) => CmdbModule.forRuntime(rt as unknown as ServiceRuntime),
  consumers: [topologyConsumer],
};
