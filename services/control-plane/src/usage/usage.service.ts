import { Inject, Injectable } from '@nestjs/common';
import { RecordUsageDto, RpcSubject, ServiceUsageView, systemActor, TenantUsageView, UsageDayView } from '@opsplane/contracts';
import { AppError } from '@opsplane/errors';
import { usageSources } from '@opsplane/registry';
import { RUNTIME, ServiceRuntime } from '@opsplane/runtime';

const DAY_MS = 86400_000;

const isoDay = (d: Date) => d.toISOString().slice(0, 10);

/**
 * Usage metering: requests are counted by the gateways and flushed here every few seconds;
 * incidents and users are counted where they live (asked of their services). AI scans and
 * telemetry volume join when those services exist.
 */
@Injectable()
export class UsageService {
  constructor(@Inject(RUNTIME) private readonly rt: ServiceRuntime) {}

  async record(dto: RecordUsageDto): Promise<{ tenants: number }> {
    const entries = Object.entries(dto.requests ?? {}).filter(([t, n]) => /^[0-9a-f-]{36}$/i.test(t) && Number.isInteger(n) && n > 0);
    if (!entries.length) return { tenants: 0 };
    await this.rt.dataSource.query(
      `INSERT INTO "usage_daily" (tenant_id, day, requests)
       SELECT t, $1::date, n FROM unnest($2::uuid[], $3::bigint[]) AS u(t, n)
       ON CONFLICT (tenant_id, day) DO UPDATE SET requests = "usage_daily".requests + EXCLUDED.requests`,
      [dto.day, entries.map(([t]) => t), entries.map(([, n]) => n)],
    );
    return { tenants: entries.length };
  }

  async tenantUsage(id: string, from?: string, to?: string): Promise<TenantUsageView> {
    const toDay = to ?? isoDay(new Date());
    const fromDay = from ?? isoDay(new Date(Date.parse(toDay) - 29 * DAY_MS));
    const span = (Date.parse(toDay) - Date.parse(fromDay)) / DAY_MS;
    if (!(span >= 0) || span > 366) throw AppError.validation([{ field: 'from', message: 'from must be on or before to, at most 366 days apart' }]);
    const rows = (await this.rt.dataSource.query(`SELECT status FROM "tenants" WHERE id = $1`, [id])) as { status: string }[];
    if (!rows.length || rows[0].status === 'deleted') throw AppError.notFound(`Tenant ${id}`);
    const meta = { tenant_id: id, actor: systemActor() };
    const body = { id, from: fromDay, to: toDay };
    // Every service of the registry that counts something per tenant and day answers for its part.
    const sources = usageSources();
    const [requests, ...figures] = await Promise.all([
      this.rt.dataSource.query(
        `SELECT to_char(day, 'YYYY-MM-DD') AS day, requests::bigint AS n FROM "usage_daily" WHERE tenant_id = $1 AND day BETWEEN $2::date AND $3::date`,
        [id, fromDay, toDay],
      ) as Promise<{ day: string; n: string }[]>,
      ...sources.map((s) => this.rt.rpc.request<ServiceUsageView>(s.subjects!.usage as RpcSubject, meta, body)),
    ]);
    const req = Object.fromEntries(requests.map((r) => [r.day, Number(r.n)]));
    const days: UsageDayView[] = [];
    for (let t = Date.parse(fromDay); t <= Date.parse(toDay); t += DAY_MS) {
      const day = isoDay(new Date(t));
      const d: UsageDayView = { day, requests: req[day] ?? 0 };
      sources.forEach((s, i) => (d[s.usageMetric!] = figures[i].by_day[day] ?? 0));
      days.push(d);
    }
    const sum = (k: string) => days.reduce((a, d) => a + Number(d[k] ?? 0), 0);
    return {
      tenant_id: id,
      from: fromDay,
      to: toDay,
      days,
      totals: Object.fromEntries(['requests', ...sources.map((s) => s.usageMetric!)].map((k) => [k, sum(k)])),
      current: Object.fromEntries(sources.map((s, i) => [s.usageCurrent ?? s.name, figures[i].current])),
    };
  }
}
