import { Inject, Injectable, Logger } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { AccessChange, AccessRevocationsView } from '@opsplane/contracts';
import { TenantId } from '@opsplane/db';
import { RUNTIME, ServiceRuntime } from '@opsplane/runtime';
import { AuthConfig } from '../config';


/**
 * Puts access changes in force on every gateway before the call that made them answers: the
 * change is recorded with the write (removed users, so a gateway starting later knows them) and
 * broadcast once the write committed, waiting for every live gateway's acknowledgement.
 */
@Injectable()
export class AccessService {
  private readonly log = new Logger(AccessService.name);

  constructor(@Inject(RUNTIME) private readonly rt: ServiceRuntime<AuthConfig>) {}

  /** In the write's transaction: the user's credentials issued until now are refused from now on. */
  async recordUserRevocation(em: EntityManager, tenant: TenantId, userId: string, at: Date): Promise<void> {
    // As long as a credential issued before `at` can live: an access token's lifetime, and a margin.
    const expires = new Date(at.getTime() + (this.rt.config.JWT_ACCESS_TTL_S + 120) * 1000);
    await em.query(
      `INSERT INTO "access_revocations" (tenant_id, user_id, not_before, expires_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT (tenant_id, user_id) DO UPDATE SET not_before = greatest("access_revocations".not_before, EXCLUDED.not_before), expires_at = greatest("access_revocations".expires_at, EXCLUDED.expires_at)`,
      [tenant, userId, at, expires],
    );
  }

  /** After the commit: every live gateway applies the change before this resolves. */
  async broadcast(change: AccessChange): Promise<void> {
    const r = await this.rt.access.broadcast(change);
    if (r.missing.length) this.log.warn(`gateways ${r.missing.join(', ')} did not confirm ${change.kind} ${change.tenant_id}`);
  }

  /** For the gateways: the users refused now (across tenants), read at their start and now and then. */
  async revocations(): Promise<AccessRevocationsView> {
    return this.rt.dataSource.transaction(async (em) => {
      await em.query(`SELECT set_config('app.platform_read', 'on', true)`);
      const rows = (await em.query(
        `SELECT tenant_id, user_id, not_before FROM "access_revocations" WHERE expires_at > now()`,
      )) as { tenant_id: string; user_id: string; not_before: Date }[];
      return { users: rows.map((r) => ({ tenant_id: r.tenant_id, user_id: r.user_id, not_before: r.not_before.toISOString() })) };
    });
  }
}
