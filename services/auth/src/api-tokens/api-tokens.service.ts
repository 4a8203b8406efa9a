import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { IsNull } from 'typeorm';
import {
  ApiTokenView,
  CreateApiTokenDto,
  CreatedApiTokenView,
  ListApiTokensQueryDto,
  Permission,
  RequestMeta,
  VerifiedApiToken,
} from '@opsplane/contracts';
import { asTenantId, idempotentCreate, TenantId } from '@opsplane/db';
import { AppError, Page } from '@opsplane/errors';
import { RUNTIME, ServiceRuntime } from '@opsplane/runtime';
import { AuthErrors } from '../auth.exception';
import { AccessService } from '../access/access.service';
import { AuthConfig } from '../config';
import { API_TOKEN_PREFIX, displayPrefix, mintToken, parseToken, sha256 } from '../crypto/tokens';
import { OrganizationEntity } from '../organization/organization.entity';
import { UserEntity } from '../users/user.entity';
import { ApiTokenEntity } from './api-token.entity';
import { ApiTokensErrors } from './api-tokens.exception';

const DAY = 86400_000;

export function toApiTokenView(e: ApiTokenEntity, now = Date.now()): ApiTokenView {
  const status = e.revokedAt ? 'revoked' : e.expiresAt && e.expiresAt.getTime() <= now ? 'expired' : 'active';
  return {
    id: e.id,
    name: e.name,
    token_prefix: e.tokenPrefix,
    permissions: e.permissions,
    scope: e.scope,
    expires_at: e.expiresAt?.toISOString() ?? null,
    created_at: e.createdAt.toISOString(),
    last_used_at: e.lastUsedAt?.toISOString() ?? null,
    revoked_at: e.revokedAt?.toISOString() ?? null,
    status,
  };
}

@Injectable()
export class ApiTokensService {
  constructor(
    @Inject(RUNTIME) private readonly rt: ServiceRuntime<AuthConfig>,
    private readonly access: AccessService,
  ) {}

  /** Only a signed-in user manages tokens (a token cannot mint tokens). */
  private user(meta: RequestMeta): { tenant: TenantId; userId: string } {
    const a = meta.actor;
    if (!a?.user_id) throw AppError.unauthorized();
    if (a.auth_method === 'api_token') throw ApiTokensErrors.forbidden('API tokens are managed by a signed-in user, not by another API token');
    return { tenant: asTenantId(meta.tenant_id), userId: a.user_id };
  }

  /** The caller's own tokens, newest first (revoked ones too, until deleted). */
  async list(meta: RequestMeta, q: ListApiTokensQueryDto): Promise<Page<ApiTokenView>> {
    const { tenant, userId } = this.user(meta);
    return this.rt.tenantDb.run({ tenant, actor: meta.actor }, async (em) => {
      const query = em
        .getRepository(ApiTokenEntity)
        .createQueryBuilder('t')
        .where('t.tenant_id = :tenant AND t.user_id = :userId', { tenant, userId })
        .orderBy('t.created_at', 'DESC')
        .addOrderBy('t.id', 'DESC')
        .skip(q.offset)
        .take(q.limit);
      // A token changes when it is used or revoked.
      if (q.updated_since) query.andWhere('GREATEST(t.created_at, t.last_used_at, t.revoked_at) >= :since', { since: q.updated_since });
      const [rows, total] = await query.getManyAndCount();
      return { items: rows.map((r) => toApiTokenView(r)), total, limit: q.limit, offset: q.offset };
    });
  }

  /** The token is in this answer and nowhere else: only its SHA-256 is stored. */
  async create(meta: RequestMeta, dto: CreateApiTokenDto): Promise<CreatedApiTokenView> {
    const { tenant, userId } = this.user(meta);
    const role = meta.actor!.role;
    const permissions: Permission[] = [...new Set(dto.permissions)];
    if (permissions.includes('write') && role === 'viewer') {
      throw ApiTokensErrors.forbidden('A viewer can only create read tokens');
    }
    const now = Date.now();
    let expiresAt: Date;
    if (dto.expires_at) {
      expiresAt = new Date(dto.expires_at);
      if (expiresAt.getTime() <= now) throw AppError.validation([{ field: 'expires_at', message: 'expires_at must be in the future' }]);
      if (expiresAt.getTime() > now + 366 * DAY) throw AppError.validation([{ field: 'expires_at', message: 'expires_at must be within a year' }]);
    } else {
      expiresAt = new Date(now + this.rt.config.API_TOKEN_DEFAULT_TTL_DAYS * DAY);
    }
    return idempotentCreate(this.rt.tenantDb, tenant, meta.idempotency_key, `auth.api_token.create:${userId}`, dto, async (record) => {
      const token = mintToken(API_TOKEN_PREFIX, tenant);
      const e = Object.assign(new ApiTokenEntity(), {
        id: randomUUID(),
        tenantId: tenant,
        userId,
        name: dto.name.trim(),
        tokenHash: sha256(token),
        tokenPrefix: displayPrefix(token),
        permissions,
        scope: dto.scope,
        expiresAt,
        lastUsedAt: null,
        revokedAt: null,
        createdAt: new Date(now),
      });
      const view = toApiTokenView(e);
      const created: CreatedApiTokenView = { token, token_data: view };
      await this.rt.tenantDb.run({ tenant, actor: meta.actor }, async (em) => {
        await em.createQueryBuilder().insert().into(ApiTokenEntity).values(e).updateEntity(false).execute();
        await em.audit({ action: 'api_token.created', resource_type: 'api_token', resource_id: e.id, after: view });
        // The token is shown in this answer only; a retry's copy is sealed with the client's key (libs/db idempotency).
        await record(em, created);
      });
      return created;
    });
  }

  /** Revoke (kept, listed as revoked) or delete; a user manages their own tokens, an admin any of the tenant's. */
  async revoke(meta: RequestMeta, tokenId: string, hardDelete: boolean): Promise<ApiTokenView | { id: string; deleted: true }> {
    const { tenant, userId } = this.user(meta);
    const admin = meta.actor!.role === 'owner' || meta.actor!.role === 'admin';
    const result = await this.rt.tenantDb.run({ tenant, actor: meta.actor }, async (em) => {
      const repo = em.getRepository(ApiTokenEntity);
      const row = await repo.findOne({ where: { tenantId: tenant, id: tokenId } });
      if (!row || (!admin && row.userId !== userId)) throw ApiTokensErrors.tokenNotFound();
      const before = toApiTokenView(row);
      const audit = { resource_type: 'api_token', resource_id: row.id, before };
      if (hardDelete) {
        await repo.delete({ id: row.id });
        await em.audit({ ...audit, action: 'api_token.deleted' });
        return { id: row.id, deleted: true as const };
      }
      if (!row.revokedAt) {
        row.revokedAt = new Date();
        await repo.update({ id: row.id, revokedAt: IsNull() }, { revokedAt: row.revokedAt });
        await em.audit({ ...audit, action: 'api_token.revoked', after: toApiTokenView(row) });
      }
      return toApiTokenView(row);
    });
    // No gateway may go on trusting its cached check of the token once this answers.
    await this.access.broadcast({ kind: 'token', tenant_id: tenant, token_id: tokenId, not_before: new Date().toISOString() });
    return result;
  }

  /** Called by the gateway (which caches the answer for a few seconds). */
  async verify(token: string): Promise<VerifiedApiToken> {
    const parsed = parseToken(token);
    if (!parsed || parsed.prefix !== API_TOKEN_PREFIX) throw ApiTokensErrors.badApiToken();
    const tenant = asTenantId(parsed.tenantId);
    return this.rt.tenantDb.run(tenant, async (em) => {
      const row = await em.getRepository(ApiTokenEntity).findOne({ where: { tenantId: tenant, tokenHash: sha256(token) } });
      if (!row || row.revokedAt || (row.expiresAt && row.expiresAt.getTime() <= Date.now())) throw ApiTokensErrors.badApiToken();
      const user = await em.getRepository(UserEntity).findOne({ where: { tenantId: tenant, id: row.userId } });
      if (!user || user.status !== 'active') throw ApiTokensErrors.badApiToken();
      const org = await em.getRepository(OrganizationEntity).findOne({ where: { id: tenant } });
      if (org?.status === 'suspended') throw AuthErrors.tenantSuspended();
      if (!row.lastUsedAt || Date.now() - row.lastUsedAt.getTime() > 60_000) {
        await em.getRepository(ApiTokenEntity).update({ id: row.id }, { lastUsedAt: new Date() });
      }
      return {
        tenant_id: tenant,
        token_id: row.id,
        user_id: user.id,
        email: user.email,
        role: user.role,
        permissions: row.permissions,
        scope: row.scope,
        expires_at: row.expiresAt?.toISOString() ?? null,
      };
    });
  }
}
