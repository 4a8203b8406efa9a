import { Type } from 'class-transformer';
import { IsInt, Max, Min } from 'class-validator';
import { CommonConfig } from '@opsplane/config';
import type { ServiceRuntime, ServiceWorker } from '@opsplane/runtime';
import { SlaScheduler } from './scheduler';

/** The settings of a service that keeps SLA timers on its records (its config class extends this). */
export class SlaServiceConfig extends CommonConfig {
  /** How often the SLA scheduler looks for timers that reached their at-risk share or their target (the lag of sla.timer.* events). */
  @Type(() => Number)
  @IsInt()
  @Min(100)
  @Max(60_000)
  SLA_SCHEDULER_INTERVAL_MS = 1000;
}

/** The SLA scheduler of such a service, over its own `sla_timers` (a `workers` entry of its definition). */
export function slaSchedulerWorker(rt: ServiceRuntime<SlaServiceConfig>): ServiceWorker {
  return new SlaScheduler({ dataSource: rt.dataSource, tenantDb: rt.tenantDb, schema: rt.schema, intervalMs: rt.config.SLA_SCHEDULER_INTERVAL_MS });
}
