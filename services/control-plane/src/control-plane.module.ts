import { DynamicModule, Module } from '@nestjs/common';
import { RpcSubject } from '@opsplane/contracts';
import { healthController, runtimeProvider, ServiceDefinition, ServiceRuntime } from '@opsplane/runtime';
import { AuditService } from './audit/audit.service';
import { ControlPlaneConfig } from './config';
import { ControlPlaneController } from './control-plane.controller';
import { CONTROL_PLANE_MIGRATIONS } from './migrations';
import { OperatorsService } from './operators/operators.service';
import { PlansService } from './plans/plans.service';
import { TenantsService } from './tenants/tenants.service';
import { UsageService } from './usage/usage.service';

@Module({})
export class ControlPlaneModule {
  static forRuntime(runtime: ServiceRuntime): DynamicModule {
    return {
      module: ControlPlaneModule,
      controllers: [ControlPlaneController, healthController('control-plane', RpcSubject.CpHealth)],
      providers: [runtimeProvider(runtime), OperatorsService, TenantsService, PlansService, AuditService, UsageService],
    };
  }
}

export const controlPlaneService: ServiceDefinition<ControlPlaneConfig> = {
  name: 'control-plane',
  schema: 'control_plane',
  config: ControlPlaneConfig,
  entities: [],
  migrations: CONTROL_PLANE_MIGRATIONS,
  module: (rt) => ControlPlaneModule.forRuntime(rt as unknown as ServiceRuntime),
  onStart: async (rt) => {
    await new OperatorsService(rt as unknown as ServiceRuntime<ControlPlaneConfig>).ensureFirstOperator();
  },
};
