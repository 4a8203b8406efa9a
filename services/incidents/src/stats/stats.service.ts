import { Controller, Inject, Injectable } from '@nestjs/common';
import { IncidentStatsView, RequestMeta, RpcSubject, StatsQueryDto } from '@opsplane/contracts';
import { asTenantId, TenantTx } from '@opsplane/db';
import { RpcHandler } from '@opsplane/messaging';
import { RUNTIME, ServiceRuntime } from '@opsplane/runtime';
import { localDay } from '@opsplane/sla';

const OPEN = `status NOT IN ('resolved', 'closed')`;
// The stats' windows: the last 90 and 30 days, each the whole UTC days after the one it starts in (the daily rollup)
// and the rest of that first day (the incidents themselves). Spelled out, not joined from a CTE, so they bound index scans.
const FROM90 = `(now() - interval '90 days')`;
const FROM30 = `(now() - interval '30 days')`;
const DAY90 = `((${FROM90} AT TIME ZONE 'UTC')::date)`;
const DAY30 = `((${FROM30} AT TIME ZONE 'UTC')::date)`;
const EDGE90 = `((${DAY90} + 1)::timestamp AT TIME ZONE 'UTC')`;
const EDGE30 = `((${DAY30} + 1)::timestamp AT TIME ZONE 'UTC')`;
/** When an incident started: triggered (an alert), else opened, else created (a generated column, see the stats-rollup migration). */
const STARTED = `started_at`;
const round1 = (v: number | string | null) => (v === null ? null : Math.round(Number(v) * 10) / 10);

/** The incidents service's part of the organization stats (definitions: OrganizationStatsView). */
@Injectable()
export class StatsService {
  constructor(@Inject(RUNTIME) private readonly rt: ServiceRuntime) {}

  async stats(meta: RequestMeta, q: StatsQueryDto): Promise<IncidentStatsView> {
    const tenant = asTenantId(meta.tenant_id);
    const today = localDay(q.timezone).start;
    // Three units of work in parallel, each a few narrow index-only scans (see the stats-indexes and SLA-due-index
    // migrations); a dashboard asks often and several at once, so no parallel workers inside them. The figures come
    // from three snapshots taken within milliseconds of each other.
    const scan = <T>(work: (tx: TenantTx) => Promise<T>) =>
      this.rt.tenantDb.run(tenant, async (tx) => {
        await tx.query(`SET LOCAL max_parallel_workers_per_gather = 0`);
        return work(tx);
      });
    const [[o, p], r, [v, b]] = await Promise.all([
      scan(async (tx) => {
        const [open] = (await tx.query(
          `SELECT count(*)::int AS open,
                  count(*) FILTER (WHERE priority_rank = 1)::int AS critical,
                  count(*) FILTER (WHERE priority_rank = 2)::int AS high
             FROM incidents WHERE ${OPEN}`,
        )) as Record<string, number>[];
        const [problems] = (await tx.query(
          `SELECT count(*) FILTER (WHERE status IN ('new', 'investigating', 'known_error'))::int AS active, count(*) FILTER (WHERE status = 'new')::int AS backlog FROM problems`,
        )) as { active: number; backlog: number }[];
        return [open, problems] as const;
      }),
      scan(async (tx) => {
        // The windows' whole UTC days from the daily rollup (stats-rollup migration), the partial day at each window's
        // edge from the incidents themselves, and "today" (the organization's midnight) from the incidents too.
        const [w] = (await tx.query(
          `WITH whole AS (SELECT sum(resolved) FILTER (WHERE day > ${DAY30}) AS n30, sum(resolution_s) FILTER (WHERE day > ${DAY30}) AS res30,
                                 sum(resolved) AS n90, sum(restore_s) AS rest90, sum(major_starts) AS starts
                            FROM incident_daily_stats WHERE day > ${DAY90}),
                edge90 AS (SELECT count(*) AS n, sum(extract(epoch FROM resolved_at - COALESCE(triggered_at, opened_at, created_at))::float8) AS rest
                             FROM incidents WHERE resolved_at >= ${FROM90} AND resolved_at < ${EDGE90}),
                edge30 AS (SELECT count(*) AS n, sum(extract(epoch FROM resolved_at - created_at)::float8) AS res
                             FROM incidents WHERE resolved_at >= ${FROM30} AND resolved_at < ${EDGE30}),
                today AS (SELECT count(*) AS n FROM incidents WHERE resolved_at >= $1::timestamptz),
                starts AS (SELECT count(*) AS n FROM incidents
                            WHERE priority_rank <= 2 AND ${STARTED} >= ${FROM90} AND ${STARTED} < ${EDGE90}),
                first_start AS (SELECT min(${STARTED}) AS at FROM incidents WHERE priority_rank <= 2 AND ${STARTED} >= ${FROM90}),
                last_start AS (SELECT max(${STARTED}) AS at FROM incidents WHERE priority_rank <= 2)
           SELECT today.n::int AS resolved_today,
                  (COALESCE(whole.res30, 0) + COALESCE(edge30.res, 0)) / NULLIF(COALESCE(whole.n30, 0) + edge30.n, 0) / 3600 AS avg_resolution,
                  (COALESCE(whole.rest90, 0) + COALESCE(edge90.rest, 0)) / NULLIF(COALESCE(whole.n90, 0) + edge90.n, 0) / 3600 AS mttr,
                  extract(epoch FROM last_start.at - first_start.at) / 3600 / NULLIF(COALESCE(whole.starts, 0) + starts.n - 1, 0) AS mtbf
             FROM whole, edge90, edge30, today, starts, first_start, last_start`,
          [today],
        )) as Record<string, number | string | null>[];
        return w;
      }),
      scan(async (tx) => {
        // The SLA timers: the verdicts of the resolution timers stopped in the last 30 days, and the incidents of the
        // last 30 days with a breached timer (only timers with a due instant can be breached: a partial index).
        const [verdicts] = (await tx.query(
          `SELECT count(*)::int AS resolved, count(*) FILTER (WHERE due_at IS NULL)::int AS met FROM sla_timers
            WHERE tenant_id = $1 AND record_type = 'incident' AND kind = 'resolution' AND stopped_at >= now() - interval '30 days' AND NOT cancelled`,
          [tenant],
        )) as { resolved: number; met: number }[];
        const [breaches] = (await tx.query(
          `SELECT count(*)::int AS breached FROM (
             SELECT record_id FROM sla_timers
              WHERE tenant_id = $1 AND record_type = 'incident' AND started_at >= now() - interval '30 days' AND due_at IS NOT NULL AND due_at <= now()
              GROUP BY record_id) breached`,
          [tenant],
        )) as { breached: number }[];
        return [verdicts, breaches] as const;
      }),
    ]);
    return {
      open_incidents: o.open,
      critical_incidents: o.critical,
      high_priority_incidents: o.high,
      incidents_resolved_today: Number(r.resolved_today),
      average_resolution_time: round1(r.avg_resolution),
      mttr: round1(r.mttr),
      mtbf: round1(r.mtbf),
      sla_compliance_rate: v.resolved ? round1((100 * v.met) / v.resolved) : null,
      sla_breaches: b.breached,
      active_problems: p.active,
      problem_backlog: p.backlog,
    };
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
