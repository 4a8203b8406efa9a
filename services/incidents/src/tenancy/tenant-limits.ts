import { EntityManager } from 'typeorm';
import { TenantId } from '@opsplane/db';
import { assertQuota } from '@opsplane/runtime';

const S = 'incidents';

/** 402 QUOTA_EXCEEDED when one more incident would pass the plan's incidents per month (calendar month, UTC). */
export function assertIncidentQuota(em: EntityManager, tenant: TenantId): Promise<void> {
  return assertQuota(
    em,
    S,
    tenant,
    'incidents_per_month',
    (max) => `${max} incidents per month`,
    async () => {
      const [r] = (await em.query(
        `SELECT count(*)::bigint AS n FROM "incidents" WHERE tenant_id = $1 AND created_at >= date_trunc('month', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'`,
        [tenant],
      )) as { n: string }[];
      return Number(r.n);
    },
  );
}
