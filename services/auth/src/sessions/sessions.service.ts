import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { EntityManager } from 'typeorm';
import { LoginDto, RefreshDto, RequestMeta, TokenPairView } from '@opsplane/contracts';
import { asTenantId, isUuid, TenantId } from '@opsplane/db';
import { RUNTIME, ServiceRuntime } from '@opsplane/runtime';
import { AuthErrors } from '../auth.exception';
import { AuthConfig } from '../config';
import { dummyHash, hashPassword, needsRehash, verifyPassword } from '@opsplane/crypto';
import { mintToken, parseToken, REFRESH_TOKEN_PREFIX, sha256 } from '../crypto/tokens';
import { OrganizationEntity } from '../organization/organization.entity';
import { UserEntity } from '../users/user.entity';
import { signAccessToken } from './jwt';
import { RefreshTokenEntity } from './refresh-token.entity';
import { SessionsErrors } from './sessions.exception';


@Injectable()
export class SessionsService {
  constructor(@Inject(RUNTIME) private readonly rt: ServiceRuntime<AuthConfig>) {}

  /**
   * Email + password for the tenant named in x-tenant-id. An unknown user, an unknown tenant and
   * a wrong password answer alike (same message, same KDF work). After LOGIN_MAX_FAILURES
   * failures for one address, each further try must wait (doubling, up to 15 minutes).
   */
  async login(meta: RequestMeta, dto: LoginDto): Promise<TokenPairView> {
    if (!isUuid(meta.tenant_id)) {
      await verifyPassword(dto.password, await dummyHash());
      throw SessionsErrors.badCredentials();
    }
    const tenant = asTenantId(meta.tenant_id);
    const locked = await this.rt.tenantDb.run(tenant, (em) =>
      em.query(`SELECT ceil(extract(epoch FROM locked_until - now()))::int AS wait FROM "login_attempts" WHERE tenant_id = $1 AND email = $2 AND locked_until > now()`, [
        tenant,
        dto.email,
      ]),
    );
    if ((locked as { wait: number }[]).length) throw SessionsErrors.tooManyAttempts(Math.max(1, locked[0].wait));

    const found = await this.rt.tenantDb.run(tenant, async (em) => {
      const user = await em.getRepository(UserEntity).findOne({ where: { tenantId: tenant, email: dto.email } });
      const org = user ? await em.getRepository(OrganizationEntity).findOne({ where: { id: tenant } }) : null;
      return { user, org };
    });
    const user = found.user;
    const ok = await verifyPassword(dto.password, user?.passwordHash ?? (await dummyHash()));
    if (!user || !ok || user.status !== 'active') {
      await this.recordFailure(tenant, dto.email);
      throw SessionsErrors.badCredentials();
    }
    if (found.org?.status === 'suspended') throw AuthErrors.tenantSuspended();
    // A hash from an older, weaker setting is replaced now that the password is known.
    const rehashed = needsRehash(user.passwordHash) ? await hashPassword(dto.password) : undefined;
    return this.rt.tenantDb.run(tenant, async (em) => {
      await em.query(`DELETE FROM "login_attempts" WHERE tenant_id = $1 AND email = $2`, [tenant, dto.email]);
      await em.getRepository(UserEntity).update({ id: user.id }, { lastLoginAt: new Date(), ...(rehashed ? { passwordHash: rehashed } : {}) });
      return this.issue(em, tenant, user, randomUUID());
    });
  }

  private async recordFailure(tenant: TenantId, email: string): Promise<void> {
    const max = this.rt.config.LOGIN_MAX_FAILURES;
    await this.rt.tenantDb.run(tenant, (em) =>
      em.query(
        `INSERT INTO "login_attempts" AS a (tenant_id, email, failures, last_failure_at) VALUES ($1, $2, 1, now())
         ON CONFLICT (tenant_id, email) DO UPDATE SET
           failures = CASE WHEN a.last_failure_at < now() - interval '1 hour' THEN 1 ELSE a.failures + 1 END,
           last_failure_at = now(),
           locked_until = CASE WHEN a.last_failure_at >= now() - interval '1 hour' AND a.failures + 1 >= $3
             THEN now() + least(900, power(2, a.failures + 1 - $3)) * interval '1 second' ELSE NULL END`,
        [tenant, email, max],
      ),
    );
  }

  /**
   * Rotates a refresh token: the presented one is spent and a new one of the same family is
   * issued. Presenting a spent token again means it leaked: the whole family is revoked.
   */
  async refresh(dto: RefreshDto): Promise<TokenPairView> {
    const parsed = parseToken(dto.refresh_token);
    if (!parsed || parsed.prefix !== REFRESH_TOKEN_PREFIX) throw SessionsErrors.badRefresh();
    const tenant = asTenantId(parsed.tenantId);
    const outcome = await this.rt.tenantDb.run(tenant, async (em) => {
      const repo = em.getRepository(RefreshTokenEntity);
      const row = await repo
        .createQueryBuilder('r')
        .where('r.tenant_id = :tenant AND r.token_hash = :hash', { tenant, hash: sha256(dto.refresh_token) })
        .setLock('pessimistic_write')
        .getOne();
      if (!row || row.revokedAt) return { error: SessionsErrors.badRefresh() };
      if (row.usedAt) {
        await repo
          .createQueryBuilder()
          .update()
          .set({ revokedAt: new Date() })
          .where('tenant_id = :tenant AND family_id = :family AND revoked_at IS NULL', { tenant, family: row.familyId })
          .execute();
        return { error: SessionsErrors.refreshReuse() };
      }
      if (row.expiresAt.getTime() <= Date.now()) return { error: SessionsErrors.badRefresh() };
      const user = await em.getRepository(UserEntity).findOne({ where: { id: row.userId, tenantId: tenant } });
      const org = await em.getRepository(OrganizationEntity).findOne({ where: { id: tenant } });
      if (!user || user.status !== 'active') return { error: SessionsErrors.badRefresh() };
      if (org?.status === 'suspended') return { error: AuthErrors.tenantSuspended() };
      await repo.update({ id: row.id }, { usedAt: new Date() });
      return { pair: await this.issue(em, tenant, user, row.familyId) };
    });
    // The family revocation above must commit, so the error is thrown only after the transaction.
    if ('error' in outcome && outcome.error) throw outcome.error;
    return outcome.pair!;
  }

  /** A new session (token pair, new refresh family) for a user, inside the caller's transaction (e.g. an accepted invitation). */
  async openSession(em: EntityManager, tenant: TenantId, user: UserEntity): Promise<TokenPairView> {
    return this.issue(em, tenant, user, randomUUID());
  }

  private async issue(em: EntityManager, tenant: TenantId, user: UserEntity, familyId: string): Promise<TokenPairView> {
    const cfg = this.rt.config;
    const refresh = mintToken(REFRESH_TOKEN_PREFIX, tenant);
    const now = new Date();
    await em
      .createQueryBuilder()
      .insert()
      .into(RefreshTokenEntity)
      .values({
        id: randomUUID(),
        tenantId: tenant,
        userId: user.id,
        familyId,
        tokenHash: sha256(refresh),
        expiresAt: new Date(now.getTime() + cfg.REFRESH_TTL_S * 1000),
        usedAt: null,
        revokedAt: null,
        createdAt: now,
      })
      .updateEntity(false)
      .execute();
    return {
      token: signAccessToken(cfg, { sub: user.id, tid: tenant, email: user.email, role: user.role }),
      refresh_token: refresh,
      token_type: 'Bearer',
      expires_in: cfg.JWT_ACCESS_TTL_S,
      user: { id: user.id, email: user.email, name: user.name, role: user.role },
    };
  }
}
