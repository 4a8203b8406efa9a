import { DynamicModule, Module } from '@nestjs/common';
import { RpcSubject } from '@opsplane/contracts';
import { healthController, RuntimeModule, ServiceDefinition, ServiceRuntime } from '@opsplane/runtime';
import { AuditModule } from './audit/audit.module';
import { ControlPlaneConfig } from './config';
import { CONTROL_PLANE_MIGRATIONS } from './migrations';
import { OperatorsModule } from './operators/operators.module';
import { OperatorsService } from './operators/operators.service';
import { PlansModule } from './plans/plans.module';
import { TenantsModule } from './tenants/tenants.module';
import { UsageModule } from './usage/usage.module';

/** The control plane: one module per feature (operators, tenants, plans, usage, audit). */
@Module({})
export class ControlPlaneModule {
  static forRuntime(runtime: ServiceRuntime): DynamicModule {
    return {
      module: ControlPlaneModule,
      imports: [RuntimeModule.forRoot(runtime), OperatorsModule, TenantsModule, PlansModule, UsageModule, AuditModule],
      controllers: [healthController('control-plane', RpcSubject.CpHealth)],
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
