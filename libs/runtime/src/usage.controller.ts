import { Controller, Inject, Type } from '@nestjs/common';
import { RequestMeta, RpcSubject, ServiceUsageView, TenantUsageCommand } from '@opsplane/contracts';
import { asTenantId } from '@opsplane/db';
import { RpcHandler } from '@opsplane/messaging';
import { RUNTIME, ServiceRuntime } from './service-runtime';

export interface UsageSource {
  /** The table whose rows are counted by the UTC day of their created_at. */
  table: string;
  /** Which rows make up the "current" figure (e.g. this month's, or all). */
  current: string;
}

/** A service's usage figures for the control plane's metering (platform-only). */
export function usageController(subject: RpcSubject, source: UsageSource): Type<unknown> {
  @Controller()
  class UsageController {
    constructor(@Inject(RUNTIME) readonly rt: ServiceRuntime) {}

    @RpcHandler(subject, { body: TenantUsageCommand, requires: 'system' })
    async usage(_meta: RequestMeta, q: TenantUsageCommand): Promise<ServiceUsageView> {
      const tenant = asTenantId(q.id.toLowerCase());
      const t = `"${this.rt.schema}"."${source.table}"`;
      return this.rt.tenantDb.run(tenant, async (em) => {
        const days = (await em.query(
          `SELECT to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day, count(*)::int AS n FROM ${t}
           WHERE tenant_id = $1 AND created_at >= ($2::date AT TIME ZONE 'UTC') AND created_at < (($3::date + 1) AT TIME ZONE 'UTC') GROUP BY 1`,
          [tenant, q.from, q.to],
        )) as { day: string; n: number }[];
        const [cur] = (await em.query(`SELECT count(*)::int AS n FROM ${t} WHERE tenant_id = $1 AND ${source.current}`, [tenant])) as { n: number }[];
        return { by_day: Object.fromEntries(days.map((d) => [d.day, d.n])), current: cur.n };
      });
    }
  }
  return UsageController;
}
