import { Logger } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { EventSubject, TenantChangedV1 } from '@opsplane/contracts';
import { asTenantId, claimInbox, TenantId } from '@opsplane/db';
import { AppError, ErrorCode, parseInput } from '@opsplane/errors';
import { IncomingEvent } from '@opsplane/messaging';
import { ServiceRuntime } from '@opsplane/runtime';

const S = 'incidents';
const CONSUMER = 'incidents-tenant-limits';

/**
 * Keeps `incidents.tenant_limits` in step with the control plane: tenant.provisioned and
 * tenant.updated carry the tenant's effective limits. Consumed idempotently (the inbox row and
 * the projection commit together; a redelivery is a no-op).
 */
export async function subscribeTenantLimits(rt: ServiceRuntime): Promise<void> {
  const log = new Logger('TenantLimits');
  await rt.eventBus.subscribe(CONSUMER, ['controlplane.>'], async (e: IncomingEvent) => {
    if (e.subject !== EventSubject.TenantProvisioned && e.subject !== EventSubject.TenantUpdated) return;
    const envelope = e.payload as { data?: unknown };
    const data = await parseInput(TenantChangedV1, envelope.data);
    const tenant = asTenantId(data.tenant.id);
    await rt.tenantDb.run(tenant, async (em) => {
      if (!(await claimInbox(em, S, tenant, CONSUMER, e.id))) return;
      await em.query(
        `INSERT INTO "${S}"."tenant_limits" (tenant_id, plan, limits, updated_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (tenant_id) DO UPDATE SET plan = EXCLUDED.plan, limits = EXCLUDED.limits, updated_at = EXCLUDED.updated_at
         WHERE "tenant_limits".updated_at <= EXCLUDED.updated_at`,
        [tenant, data.tenant.plan, JSON.stringify(data.tenant.limits), data.tenant.updated_at],
      );
    });
    log.debug(`limits of ${tenant} now ${JSON.stringify(data.tenant.limits)}`);
  });
}

/**
 * 402 QUOTA_EXCEEDED when creating one more incident would pass the plan's incidents per month
 * (calendar month, UTC). Runs in the create's transaction, before anything is written. A tenant
 * whose limits have not arrived yet (milliseconds after provisioning) is not limited.
 */
export async function assertIncidentQuota(em: EntityManager, tenant: TenantId): Promise<void> {
  const rows = (await em.query(`SELECT (limits->>'incidents_per_month')::bigint AS max FROM "${S}"."tenant_limits" WHERE tenant_id = $1`, [tenant])) as {
    max: string | null;
  }[];
  const max = rows[0]?.max;
  if (max === undefined || max === null) return;
  // Limited tenants' creates take turns here, so that two concurrent creates cannot both pass the last slot.
  await em.query(`SELECT 1 FROM "${S}"."tenant_limits" WHERE tenant_id = $1 FOR UPDATE`, [tenant]);
  const [used] = (await em.query(`SELECT count(*)::bigint AS n FROM "${S}"."incidents" WHERE tenant_id = $1 AND created_at >= date_trunc('month', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'`, [
    tenant,
  ])) as { n: string }[];
  if (Number(used.n) >= Number(max)) {
    throw new AppError(ErrorCode.QUOTA_EXCEEDED, `The plan's limit of ${max} incidents per month is reached`, { limit: 'incidents_per_month', max: Number(max) });
  }
}
