import { Type } from 'class-transformer';
import { IsInt, Max, Min } from 'class-validator';
import { CommonConfig } from '@opsplane/config';

export class IncidentsConfig extends CommonConfig {
  /** How often the SLA scheduler looks for timers that reached their at-risk share or their target (the lag of sla.timer.* events). */
  @Type(() => Number)
  @IsInt()
  @Min(100)
  @Max(60_000)
  SLA_SCHEDULER_INTERVAL_MS = 1000;
}
