import { EntityManager } from 'typeorm';
import { EventSubject, PlanLimits } from '@opsplane/contracts';
import { tenantRlsSql, TenantId } from '@opsplane/db';
import { AppError, ErrorCode } from '@opsplane/errors';
import { defineConsumer } from './consumer';

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
 * Keeps the service's `tenant_limits` in step with the control plane: tenant.provisioned and
 * tenant.updated carry the tenant's effective limits (an older update never wins).
 */
export const tenantLimitsConsumer = defineConsumer({
  name: 'tenant-limits',
  subjects: [EventSubject.TenantProvisioned, EventSubject.TenantUpdated],
  async handle(tx, e) {
    const t = e.data.tenant;
    await tx.query(
      `INSERT INTO tenant_limits (tenant_id, plan, limits, updated_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT (tenant_id) DO UPDATE SET plan = EXCLUDED.plan, limits = EXCLUDED.limits, updated_at = EXCLUDED.updated_at
       WHERE "tenant_limits".updated_at <= EXCLUDED.updated_at`,
      [tx.tenant, t.plan, JSON.stringify(t.limits), t.updated_at],
    );
  },
});

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
