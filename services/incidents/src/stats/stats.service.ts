import { Controller, Inject, Injectable } from '@nestjs/common';
import { IncidentStatsView, RequestMeta, RpcSubject, StatsQueryDto } from '@opsplane/contracts';
import { asTenantId } from '@opsplane/db';
import { RpcHandler } from '@opsplane/messaging';
import { RUNTIME, ServiceRuntime } from '@opsplane/runtime';
import { localDay } from '@opsplane/sla';

const OPEN = `status NOT IN ('resolved', 'closed')`;
const round1 = (v: number | string | null) => (v === null ? null : Math.round(Number(v) * 10) / 10);

/** The incidents service's part of the organization stats (definitions: OrganizationStatsView). */
@Injectable()
export class StatsService {
  constructor(@Inject(RUNTIME) private readonly rt: ServiceRuntime) {}

  async stats(meta: RequestMeta, q: StatsQueryDto): Promise<IncidentStatsView> {
    const tenant = asTenantId(meta.tenant_id);
    return this.rt.tenantDb.run(tenant, async (tx) => {
      // A dashboard asks often and several at once: no parallel workers for these small scans.
      await tx.query(`SET LOCAL max_parallel_workers_per_gather = 0`);
      // Three narrow scans, each answered from its own index (see the stats-indexes migration).
      const [o] = (await tx.query(
        `SELECT count(*)::int AS open,
                count(*) FILTER (WHERE priority_rank = 1)::int AS critical,
                count(*) FILTER (WHERE priority_rank = 2)::int AS high
           FROM incidents WHERE ${OPEN}`,
      )) as Record<string, number>[];
      const [r] = (await tx.query(
        `WITH b AS (SELECT $1::timestamptz AS today, now() - interval '30 days' AS d30)
         SELECT count(*) FILTER (WHERE resolved_at >= b.today)::int AS resolved_today,
                avg(extract(epoch FROM resolved_at - created_at) / 3600) FILTER (WHERE resolved_at >= b.d30) AS avg_resolution,
                avg(extract(epoch FROM resolved_at - COALESCE(triggered_at, opened_at, created_at)) / 3600) AS mttr
           FROM incidents, b WHERE resolved_at >= now() - interval '90 days'`,
        [localDay(q.timezone).start],
      )) as Record<string, number | string | null>[];
      // The mean of the gaps between consecutive starts is (last - first) / (n - 1): no sort needed.
      const [f] = (await tx.query(
        `SELECT extract(epoch FROM max(s) - min(s)) / 3600 / NULLIF(count(*) - 1, 0) AS mtbf
           FROM (SELECT COALESCE(triggered_at, opened_at, created_at) AS s FROM incidents
                  WHERE priority_rank <= 2 AND created_at >= now() - interval '90 days') starts`,
      )) as { mtbf: string | null }[];
      const [p] = (await tx.query(
        `SELECT count(*) FILTER (WHERE status IN ('new', 'investigating', 'known_error'))::int AS active, count(*) FILTER (WHERE status = 'new')::int AS backlog FROM problems`,
      )) as { active: number; backlog: number }[];
      // The SLA timers: the verdicts of the resolution timers stopped in the last 30 days, and the incidents of the last
      // 30 days with a breached timer (two narrow index-only scans, see the SLA migration).
      const [v] = (await tx.query(
        `SELECT count(*)::int AS resolved, count(*) FILTER (WHERE due_at IS NULL)::int AS met FROM sla_timers
          WHERE tenant_id = $1 AND record_type = 'incident' AND kind = 'resolution' AND stopped_at >= now() - interval '30 days' AND NOT cancelled`,
        [tenant],
      )) as { resolved: number; met: number }[];
      const [b] = (await tx.query(
        `SELECT count(DISTINCT record_id)::int AS breached FROM sla_timers
          WHERE tenant_id = $1 AND record_type = 'incident' AND started_at >= now() - interval '30 days' AND due_at <= now()`,
        [tenant],
      )) as { breached: number }[];
      return {
        open_incidents: o.open,
        critical_incidents: o.critical,
        high_priority_incidents: o.high,
        incidents_resolved_today: Number(r.resolved_today),
        average_resolution_time: round1(r.avg_resolution),
        mttr: round1(r.mttr),
        mtbf: round1(f.mtbf),
        sla_compliance_rate: v.resolved ? round1((100 * v.met) / v.resolved) : null,
        sla_breaches: b.breached,
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
