import { DataSource, EntityManager } from 'typeorm';
import { AppError, ErrorCode } from '@opsplane/errors';

declare const tenantBrand: unique symbol;
/** A tenant id that has been checked (a uuid); the only key to a tenant's rows. */
export type TenantId = string & { readonly [tenantBrand]: true };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(s: unknown): s is string {
  return typeof s === 'string' && UUID.test(s);
}

export function asTenantId(s: unknown): TenantId {
  if (!isUuid(s)) throw new AppError(ErrorCode.UNAUTHORIZED, 'A valid tenant is required');
  return s.toLowerCase() as TenantId;
}

/**
 * The only door to tenant-owned rows: every unit of work runs in a transaction whose first
 * statement sets `app.tenant_id` (transaction-local, so a pooled connection never carries it to
 * the next user). Row-level security then filters and checks every row against it.
 */
export class TenantDb {
  constructor(readonly dataSource: DataSource) {}

  run<T>(tenantId: TenantId, work: (em: EntityManager) => Promise<T>): Promise<T> {
    return this.dataSource.transaction(async (em) => {
      await em.query(`SELECT set_config('app.tenant_id', $1, true)`, [tenantId]);
      return work(em);
    });
  }


  async ping(): Promise<void> {
    await this.dataSource.query('SELECT 1');
  }
}

/** Maps a PostgreSQL unique violation to CONFLICT; rethrows anything else. */
export function mapUniqueViolation(e: unknown, message: string): never {
  const code = (e as { code?: string; driverError?: { code?: string } })?.driverError?.code ?? (e as { code?: string })?.code;
  if (code === '23505') throw new AppError(ErrorCode.CONFLICT, message);
  throw e;
}
