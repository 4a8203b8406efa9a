import { Controller, Inject, Injectable } from '@nestjs/common';
import { ChangeStatsView, RequestMeta, RpcSubject, StatsQueryDto } from '@opsplane/contracts';
import { asTenantId } from '@opsplane/db';
import { RpcHandler } from '@opsplane/messaging';
import { RUNTIME, ServiceRuntime } from '@opsplane/runtime';
import { localDay } from '@opsplane/sla';

const ACTIVE = `status IN ('pending_approval', 'approved', 'scheduled', 'in_progress')`;

/** The itsm service's part of the organization stats (definitions: OrganizationStatsView). */
@Injectable()
export class ChangeStatsService {
  constructor(@Inject(RUNTIME) private readonly rt: ServiceRuntime) {}

  async stats(meta: RequestMeta, q: StatsQueryDto): Promise<ChangeStatsView> {
    const tenant = asTenantId(meta.tenant_id);
    const day = localDay(q.timezone);
    return this.rt.tenantDb.run(tenant, async (tx) => {
      const [c] = (await tx.query(
        `SELECT
           count(*) FILTER (WHERE ${ACTIVE})::int AS active,
           count(*) FILTER (WHERE ${ACTIVE} AND type = 'emergency')::int AS emergency,
           count(*) FILTER (WHERE actual_end >= now() - interval '90 days')::int AS finished,
           count(*) FILTER (WHERE actual_end >= now() - interval '90 days' AND backout_performed IS NULL)::int AS succeeded,
           count(*) FILTER (WHERE status NOT IN ('cancelled', 'rejected')
                              AND COALESCE(scheduled_start, requested_start) >= $1::timestamptz
                              AND COALESCE(scheduled_start, requested_start) < $2::timestamptz)::int AS today
         FROM changes`,
        [day.start, day.end],
      )) as Record<string, number>[];
      return {
        active_changes: c.active,
        change_success_rate: c.finished ? Math.round((1000 * c.succeeded) / c.finished) / 10 : null,
        changes_scheduled_today: c.today,
        emergency_changes: c.emergency,
      };
    });
  }
}

@Controller()
export class ChangeStatsController {
  constructor(private readonly stats: ChangeStatsService) {}

  @RpcHandler(RpcSubject.ItsmChangeStats, { body: StatsQueryDto, requires: 'read' })
  get(meta: RequestMeta, q: StatsQueryDto) {
    return this.stats.stats(meta, q);
  }
}
