import { EntityManager } from 'typeorm';
import { TenantId } from '@opsplane/db';
import { assertQuota } from '@opsplane/runtime';

/** 402 QUOTA_EXCEEDED when one more user would pass the plan's users limit. */
export function assertUsersQuota(em: EntityManager, tenant: TenantId): Promise<void> {
  return assertQuota(
    em,
    'auth',
    tenant,
    'users',
    (max) => `${max} users`,
    async () => {
      const [r] = (await em.query(`SELECT count(*)::int AS n FROM "auth"."users" WHERE tenant_id = $1`, [tenant])) as { n: number }[];
      return r.n;
    },
  );
}
