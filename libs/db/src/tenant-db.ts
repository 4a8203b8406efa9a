import { DataSource, EntityManager } from 'typeorm';
import { Actor, AuditActor, AuditEntryRecordedV1, EventPayload, EventSubject } from '@opsplane/contracts';
import { AppError, ErrorCode } from '@opsplane/errors';
import { AuditChange, auditEntryOf, writeOutbox } from './audit';

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

/** SQLSTATE raised by `<schema>.enter_tenant` for a tenant that has been purged. */
const TENANT_GONE_SQLSTATE = 'OPTGN';

/** Work for a tenant that has been deleted (purged): refused, and not worth a retry. */
export class TenantGoneError extends AppError {
  constructor() {
    super(ErrorCode.FORBIDDEN, 'The tenant has been deleted', { tenant_gone: true });
  }
}

export function isTenantGone(e: unknown): boolean {
  return e instanceof AppError && e.details?.tenant_gone === true;
}

/**
 * The migration statements of a schema's tenant fence: `enter_tenant(t)` starts every unit of
 * work (sets `app.tenant_id`, takes the tenant's lock shared, refuses a purged tenant) and the
 * purge takes the same lock exclusively and leaves a tombstone, so no write of the tenant can
 * commit during or after its purge (a request already past the gateway included).
 */
export function tenantFenceSql(schema: string): string[] {
  return [
    `CREATE TABLE "${schema}"."purged_tenants" (id uuid PRIMARY KEY, purged_at timestamptz NOT NULL DEFAULT now())`,
    `CREATE FUNCTION "${schema}".enter_tenant(t uuid) RETURNS void LANGUAGE plpgsql AS $fn$
    BEGIN
      PERFORM set_config('app.tenant_id', t::text, true);
      PERFORM pg_advisory_xact_lock_shared(hashtext('${schema}'), hashtext(t::text));
      IF EXISTS (SELECT 1 FROM "${schema}".purged_tenants WHERE id = t) THEN
        RAISE EXCEPTION 'tenant % has been deleted', t USING ERRCODE = '${TENANT_GONE_SQLSTATE}';
      END IF;
    END $fn$`,
  ];
}

export function dropTenantFenceSql(schema: string): string[] {
  return [`DROP FUNCTION IF EXISTS "${schema}".enter_tenant(uuid)`, `DROP TABLE IF EXISTS "${schema}"."purged_tenants"`];
}

const sqlStateOf = (e: unknown) => (e as { driverError?: { code?: string } })?.driverError?.code ?? (e as { code?: string })?.code;

/** Who a unit of work acts for: the tenant, and the actor its events and audit entries name. */
export interface TenantScope {
  tenant: TenantId;
  actor?: Actor | AuditActor | null;
}

/** What a unit of work adds to its transaction's EntityManager. */
export interface UnitOfWork {
  readonly tenant: TenantId;
  /** A domain event, written to the outbox in this transaction (when the work is done); its payload's type is fixed by its subject. */
  emit<S extends EventSubject>(subject: S, payload: EventPayload<S>): Promise<void>;
  /** An audit entry for this write, in this transaction: by the unit of work's actor, or by `who`. */
  audit(change: AuditChange, who?: Actor | AuditActor | null): Promise<void>;
  /** Runs `fn` once the transaction has committed (never when it rolls back), e.g. to update a cache of what it wrote; `fn` must not throw. */
  afterCommit(fn: () => void): void;
}

/** The transaction of a tenant's unit of work: TypeORM's EntityManager, with emit and audit. */
export type TenantTx = EntityManager & UnitOfWork;

/**
 * The only door to tenant-owned rows: every unit of work runs in a transaction whose first
 * statement enters the tenant: `app.tenant_id` is set (transaction-local, so a pooled connection
 * never carries it to the next user) and row-level security then filters and checks every row
 * against it; a tenant being purged is waited for, a purged one refused. Its queries need no
 * schema name (the connection's search_path is the service's schema). Events and audit entries
 * go to the outbox in the same transaction, and the relay is woken once it committed.
 */
export class TenantDb {
  /** Called after a unit of work that emitted something committed (the runtime wakes the outbox relay). */
  afterEmit?: () => void;

  constructor(
    readonly dataSource: DataSource,
    readonly schema: string,
  ) {}

  async run<T>(scope: TenantId | TenantScope, work: (tx: TenantTx) => Promise<T>): Promise<T> {
    return this.unit(scope, work, false);
  }

  /**
   * A unit of work that only reads (a query route): its transaction is READ ONLY (a write fails), it may not emit or
   * audit, and its result is answered without waiting for the COMMIT (which, for a transaction that wrote nothing,
   * cannot change what was read); the connection returns to the pool, and `afterCommit` functions run, once committed.
   */
  async read<T>(scope: TenantId | TenantScope, work: (tx: TenantTx) => Promise<T>): Promise<T> {
    return this.unit(scope, work, true);
  }

  private async unit<T>(scope: TenantId | TenantScope, work: (tx: TenantTx) => Promise<T>, readOnly: boolean): Promise<T> {
    const { tenant, actor = null } = typeof scope === 'string' ? { tenant: scope } : scope;
    const events: { subject: EventSubject; payload: unknown }[] = [];
    const audit: AuditEntryRecordedV1[] = [];
    const committed: (() => void)[] = [];
    const runner = this.dataSource.createQueryRunner();
    // The transaction's start carries the tenant's entry: one round trip to the database instead of two. (TypeORM's
    // runner starts a transaction with this one statement; savepoints of nested transactions are left as they are.)
    const query = runner.query.bind(runner);
    const enter = `START TRANSACTION${readOnly ? ' READ ONLY' : ''}; SELECT "${this.schema}".enter_tenant('${asTenantId(tenant)}'::uuid)`;
    runner.query = ((sql: string, ...rest: unknown[]) => (query as (...a: unknown[]) => Promise<unknown>)(sql === 'START TRANSACTION' ? enter : sql, ...rest)) as typeof runner.query;
    let result: T;
    let releasing: Promise<void> | undefined;
    try {
      try {
        await runner.startTransaction();
      } catch (e) {
        if (sqlStateOf(e) === TENANT_GONE_SQLSTATE) throw new TenantGoneError();
        throw e;
      }
      const em = runner.manager;
      const readOnlyUnit = () => {
        throw new Error('a read-only unit of work cannot emit events or audit entries');
      };
      const uow: UnitOfWork = {
        tenant,
        emit: async (subject, payload) => {
          if (readOnly) readOnlyUnit();
          events.push({ subject, payload });
        },
        audit: async (change, who) => {
          if (readOnly) readOnlyUnit();
          audit.push(auditEntryOf(who === undefined ? actor : who, change));
        },
        afterCommit: (fn) => {
          committed.push(fn);
        },
      };
      result = await work(Object.assign(em, uow));
      // Written when the work is done, so that the audit entries ride on the first event.
      if (events.length || audit.length) {
        await writeOutbox(em, this.schema, tenant, actor && 'actor_type' in actor ? actor.actor_id : (actor?.user_id ?? null), events, audit);
      }
      if (readOnly) {
        releasing = runner
          .commitTransaction()
          .then(() => {
            for (const fn of committed) fn();
          })
          .catch(() => runner.rollbackTransaction().catch(() => undefined))
          .finally(() => runner.release());
      } else {
        await runner.commitTransaction();
      }
    } catch (e) {
      if (runner.isTransactionActive) await runner.rollbackTransaction().catch(() => undefined);
      throw e;
    } finally {
      if (!releasing) await runner.release();
    }
    if (events.length || audit.length) this.afterEmit?.();
    if (!readOnly) for (const fn of committed) fn();
    return result;
  }

  /**
   * Removes a tenant for good: waits for its units of work in flight, shuts out new ones (here
   * and forever: the tombstone), then runs `work` (the deletes) in the same transaction.
   */
  purge<T>(tenantId: TenantId, work: (em: EntityManager) => Promise<T>): Promise<T> {
    return this.dataSource.transaction(async (em) => {
      await em.query(`SELECT set_config('app.tenant_id', $1, true), pg_advisory_xact_lock(hashtext($2), hashtext($1))`, [tenantId, this.schema]);
      await em.query(`INSERT INTO "${this.schema}"."purged_tenants" (id) VALUES ($1) ON CONFLICT DO NOTHING`, [tenantId]);
      return work(em);
    });
  }

  async ping(): Promise<void> {
    await this.dataSource.query('SELECT 1');
  }
}

/** Maps a PostgreSQL unique violation to CONFLICT; rethrows anything else. */
export function mapUniqueViolation(e: unknown, message: string): never {
  const code = sqlStateOf(e);
  if (code === '23505') throw new AppError(ErrorCode.CONFLICT, message);
  throw e;
}
