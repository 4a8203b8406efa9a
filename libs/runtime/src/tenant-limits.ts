import { Logger } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { EventSubject, PlanLimits, TenantChangedV1 } from '@opsplane/contracts';
import { asTenantId, claimInbox, tenantRlsSql, TenantId } from '@opsplane/db';
import { AppError, ErrorCode, parseInput } from '@opsplane/errors';
import { IncomingEvent } from '@opsplane/messaging';
import { ServiceRuntime } from './service-runtime';

/** The migration statements of a service's `tenant_limits` projection. */
export function tenantLimitsTableSql(schema: string): string[] {
  return [
    `CREATE TABLE "${schema}"."tenant_limits" (
      tenant_id uuid PRIMARY KEY,
      plan text NOT NULL,
      limits jsonb NOT NULL,
      updated_at timestamptz NOT NULL
    )`,
    ...tenantRlsSql(schema, 'tenant_limits'),
  ];
}

/**
 * Keeps `<schema>.tenant_limits` in step with the control plane: tenant.provisioned and
 * tenant.updated carry the tenant's effective limits. Consumed idempotently (the inbox row and
 * the projection commit together; a redelivery is a no-op; an older update never wins).
 */
export async function subscribeTenantLimits(rt: ServiceRuntime): Promise<void> {
  const log = new Logger(`TenantLimits:${rt.name}`);
  const consumer = `${rt.name}-tenant-limits`;
  await rt.eventBus.subscribe(consumer, ['controlplane.>'], async (e: IncomingEvent) => {
    if (e.subject !== EventSubject.TenantProvisioned && e.subject !== EventSubject.TenantUpdated) return;
    const data = await parseInput(TenantChangedV1, (e.payload as { data?: unknown }).data);
    const tenant = asTenantId(data.tenant.id);
    await rt.tenantDb.run(tenant, async (em) => {
      if (!(await claimInbox(em, rt.schema, tenant, consumer, e.id))) return;
      await em.query(
        `INSERT INTO "${rt.schema}"."tenant_limits" (tenant_id, plan, limits, updated_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (tenant_id) DO UPDATE SET plan = EXCLUDED.plan, limits = EXCLUDED.limits, updated_at = EXCLUDED.updated_at
         WHERE "tenant_limits".updated_at <= EXCLUDED.updated_at`,
        [tenant, data.tenant.plan, JSON.stringify(data.tenant.limits), data.tenant.updated_at],
      );
    });
    log.debug(`limits of ${tenant}: ${JSON.stringify(data.tenant.limits)}`);
  });
}

/**
 * 402 QUOTA_EXCEEDED when one more would pass the tenant's `limit`: `used` counts what exists
 * now. Runs in the write's transaction, before anything is written; limited tenants' writes take
 * turns on their limits row so two concurrent writes cannot both take the last slot. A tenant
 * whose limits have not arrived yet (milliseconds after provisioning) is not limited.
 */
export async function assertQuota(
  em: EntityManager,
  schema: string,
  tenant: TenantId,
  limit: keyof PlanLimits,
  describe: (max: number) => string,
  used: () => Promise<number>,
): Promise<void> {
  const rows = (await em.query(`SELECT (limits->>$2)::bigint AS max FROM "${schema}"."tenant_limits" WHERE tenant_id = $1`, [tenant, limit])) as {
    max: string | null;
  }[];
  const max = rows[0]?.max;
  if (max === undefined || max === null) return;
  await em.query(`SELECT 1 FROM "${schema}"."tenant_limits" WHERE tenant_id = $1 FOR UPDATE`, [tenant]);
  if ((await used()) >= Number(max)) {
    throw new AppError(ErrorCode.QUOTA_EXCEEDED, `The plan's limit of ${describe(Number(max))} is reached`, { limit, max: Number(max) });
  }
}
