import { DynamicModule, Module } from '@nestjs/common';
import { RpcSubject } from '@opsplane/contracts';
import { healthController, runtimeProvider, ServiceDefinition, ServiceRuntime, tenantLimitsConsumer, tenantPurgeController, usageController } from '@opsplane/runtime';
import { INCIDENTS_ENTITIES } from './incidents/incident.entity';
import { IncidentsController } from './incidents/incidents.controller';
import { IncidentsService } from './incidents/incidents.service';
import { ProblemEntity } from './problems/problem.entity';
import { StatsController, StatsService } from './stats/stats.service';
import { ProblemsController } from './problems/problems.controller';
import { ProblemsService } from './problems/problems.service';
import { IncidentsConfig } from './config';
import { SlaController } from './sla/sla.controller';
import { SlaPoliciesService } from './sla/sla-policies.service';
import { SLA_ENTITIES, slaSchedulerWorker } from '@opsplane/sla';
import { INCIDENTS_MIGRATIONS } from './migrations';
import { AlertsController } from './alerts/alerts.controller';
import { AlertsService } from './alerts/alerts.service';

@Module({})
export class IncidentsModule {
  static forRuntime(runtime: ServiceRuntime): DynamicModule {
    return {
      module: IncidentsModule,
      controllers: [IncidentsController, AlertsController, ProblemsController, StatsController, SlaController, tenantPurgeController(RpcSubject.IncidentsPurgeTenant),
        usageController(RpcSubject.IncidentsUsage, { table: 'incidents', current: `created_at >= date_trunc('month', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'` }),
        healthController('incidents', RpcSubject.IncidentsHealth)],
      providers: [runtimeProvider(runtime), IncidentsService, AlertsService, ProblemsService, StatsService, SlaPoliciesService],
    };
  }
}

export const incidentsService: ServiceDefinition<IncidentsConfig> = {
  name: 'incidents',
  schema: 'incidents',
  config: IncidentsConfig,
  entities: [...INCIDENTS_ENTITIES, ProblemEntity, ...SLA_ENTITIES],
  migrations: INCIDENTS_MIGRATIONS,
  module: (rt) => IncidentsModule.forRuntime(rt as unknown as ServiceRuntime),
  consumers: [tenantLimitsConsumer],
  workers: (rt) => [slaSchedulerWorker(rt)],
};
