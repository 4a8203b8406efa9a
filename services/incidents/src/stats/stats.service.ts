import { Controller, Inject, Injectable } from '@nestjs/common';
import { DEFAULT_RESOLUTION_TARGET_HOURS, IncidentStatsView, RequestMeta, RpcSubject, StatsQueryDto } from '@opsplane/contracts';
import { asTenantId } from '@opsplane/db';
import { RpcHandler } from '@opsplane/messaging';
import { RUNTIME, ServiceRuntime } from '@opsplane/runtime';

const OPEN = `status NOT IN ('resolved', 'closed')`;
const round1 = (v: number | string | null) => (v === null ? null : Math.round(Number(v) * 10) / 10);
const T = DEFAULT_RESOLUTION_TARGET_HOURS;
/** The incident's resolution target as an interval (priority_rank 1..4 = critical..low). */
const TARGET = `make_interval(hours => (ARRAY[${T.critical}, ${T.high}, ${T.medium}, ${T.low}])[priority_rank])`;

/** The incidents service's part of the organization stats (definitions: OrganizationStatsView). */
@Injectable()
export class StatsService {
  constructor(@Inject(RUNTIME) private readonly rt: ServiceRuntime) {}

  async stats(meta: RequestMeta, q: StatsQueryDto): Promise<IncidentStatsView> {
    const tenant = asTenantId(meta.tenant_id);
    return this.rt.tenantDb.run(tenant, async (tx) => {
      const [i] = (await tx.query(
        `SELECT
           count(*) FILTER (WHERE ${OPEN})::int AS open,
           count(*) FILTER (WHERE ${OPEN} AND priority_rank = 1)::int AS critical,
           count(*) FILTER (WHERE ${OPEN} AND priority_rank = 2)::int AS high,
           count(*) FILTER (WHERE resolved_at >= (date_trunc('day', now() AT TIME ZONE $1) AT TIME ZONE $1))::int AS resolved_today,
           avg(extract(epoch FROM resolved_at - created_at) / 3600) FILTER (WHERE resolved_at >= now() - interval '30 days') AS avg_resolution,
           avg(extract(epoch FROM resolved_at - COALESCE(triggered_at, opened_at, created_at)) / 3600) FILTER (WHERE resolved_at >= now() - interval '90 days') AS mttr,
           count(*) FILTER (WHERE resolved_at >= now() - interval '30 days')::int AS resolved_30d,
           count(*) FILTER (WHERE resolved_at >= now() - interval '30 days' AND resolved_at - created_at <= ${TARGET})::int AS in_target_30d,
           count(*) FILTER (WHERE created_at >= now() - interval '30 days'
                              AND ((resolved_at IS NOT NULL AND resolved_at - created_at > ${TARGET})
                                OR (resolved_at IS NULL AND ${OPEN} AND now() - created_at > ${TARGET})))::int AS breaches
         FROM incidents
         WHERE resolved_at >= now() - interval '90 days' OR ${OPEN} OR created_at >= now() - interval '30 days'`,
        [q.timezone],
      )) as Record<string, number | string | null>[];
      const [f] = (await tx.query(
        `SELECT avg(gap) AS mtbf FROM (
           SELECT extract(epoch FROM s - lag(s) OVER (ORDER BY s)) / 3600 AS gap
             FROM (SELECT COALESCE(triggered_at, opened_at, created_at) AS s FROM incidents
                    WHERE priority_rank <= 2 AND created_at >= now() - interval '90 days') starts
         ) gaps WHERE gap IS NOT NULL`,
      )) as { mtbf: string | null }[];
      const [p] = (await tx.query(
        `SELECT count(*) FILTER (WHERE status IN ('new', 'investigating', 'known_error'))::int AS active, count(*) FILTER (WHERE status = 'new')::int AS backlog FROM problems`,
      )) as { active: number; backlog: number }[];
      const resolved30 = Number(i.resolved_30d);
      return {
        open_incidents: Number(i.open),
        critical_incidents: Number(i.critical),
        high_priority_incidents: Number(i.high),
        incidents_resolved_today: Number(i.resolved_today),
        average_resolution_time: round1(i.avg_resolution),
        mttr: round1(i.mttr),
        mtbf: round1(f.mtbf),
        sla_compliance_rate: resolved30 ? round1((100 * Number(i.in_target_30d)) / resolved30) : null,
        sla_breaches: Number(i.breaches),
        active_problems: p.active,
        problem_backlog: p.backlog,
      };
    });
  }
}

@Controller()
export class StatsController {
  constructor(private readonly stats: StatsService) {}

  @RpcHandler(RpcSubject.IncidentsStats, { body: StatsQueryDto, requires: 'read' })
  get(meta: RequestMeta, q: StatsQueryDto) {
    return this.stats.stats(meta, q);
  }
}
