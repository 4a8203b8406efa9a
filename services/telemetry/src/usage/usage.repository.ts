import { TenantTx } from '@opsplane/db';

const TENANT = `current_setting('app.tenant_id')::uuid`;

/** Adds to the tenant's volume of `day` (YYYY-MM-DD, UTC). */
export async function addUsage(tx: TenantTx, day: string, bytes: number): Promise<void> {
  await tx.query(
    `INSERT INTO telemetry_usage (tenant_id, day, bytes) VALUES (${TENANT}, $1, $2)
     ON CONFLICT (tenant_id, day) DO UPDATE SET bytes = telemetry_usage.bytes + EXCLUDED.bytes`,
    [day, bytes],
  );
}

export async function usageOf(tx: TenantTx, day: string): Promise<number> {
  const rows = (await tx.query(`SELECT bytes::float8 AS bytes FROM telemetry_usage WHERE tenant_id = ${TENANT} AND day = $1`, [day])) as { bytes: number }[];
  return rows.length ? rows[0].bytes : 0;
}

/** The tenant's plan limits as the control plane announced them (tenant_limits), or null before they arrived. */
export async function tenantLimitsOf(tx: TenantTx): Promise<Record<string, unknown> | null> {
  const rows = (await tx.query(`SELECT limits FROM tenant_limits WHERE tenant_id = ${TENANT}`)) as { limits: Record<string, unknown> }[];
  return rows.length ? rows[0].limits : null;
}
