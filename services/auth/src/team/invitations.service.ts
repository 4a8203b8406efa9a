import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { EntityManager, IsNull } from 'typeorm';
import {
  AcceptInvitationRequestDto,
  CreatedInvitationView,
  InvitationView,
  InviteMemberDto,
  ListInvitationsQueryDto,
  RequestMeta,
  TokenPairView,
  Role,
} from '@opsplane/contracts';
import { asTenantId, idempotentCreate, isUuid, mapUniqueViolation, TenantId } from '@opsplane/db';
import { Page } from '@opsplane/errors';
import { RUNTIME, ServiceRuntime } from '@opsplane/runtime';
import { AuthErrors } from '../auth.exception';
import { AuthConfig } from '../config';
import { hashPassword } from '@opsplane/crypto';
import { assertUsersQuota } from '../tenants/users-quota';
import { INVITATION_TOKEN_PREFIX, mintToken, parseToken, sha256 } from '../crypto/tokens';
import { OrganizationEntity } from '../organization/organization.entity';
import { SessionsService } from '../sessions/sessions.service';
import { UserEntity } from '../users/user.entity';
import { InvitationEntity } from './invitation.entity';
import { currentActor, lockTeam } from './team-actor';
import { TeamErrors } from './team.exception';
import { checkInvite } from './team.rules';

const DAY = 86400_000;
export const ACCEPT_INVITATION_PATH = '/api/team/invitations/accept';

export function toInvitationView(e: InvitationEntity, now = Date.now()): InvitationView {
  const status = e.acceptedAt ? 'accepted' : e.revokedAt ? 'revoked' : e.expiresAt.getTime() <= now ? 'expired' : 'pending';
  return {
    id: e.id,
    email: e.email,
    name: e.name,
    role: e.role,
    status,
    invited_by: e.invitedBy,
    expires_at: e.expiresAt.toISOString(),
    created_at: e.createdAt.toISOString(),
    accepted_at: e.acceptedAt?.toISOString() ?? null,
    revoked_at: e.revokedAt?.toISOString() ?? null,
  };
}

/** A new invitation and its token (only the token's hash is stored). */
export function newInvitation(tenant: TenantId, email: string, name: string | null, role: Role, ttlDays: number): { entity: InvitationEntity; token: string } {
  const token = mintToken(INVITATION_TOKEN_PREFIX, tenant);
  const now = new Date();
  const entity = Object.assign(new InvitationEntity(), {
    id: randomUUID(),
    tenantId: tenant,
    email,
    name,
    role,
    tokenHash: sha256(token),
    invitedBy: null as string | null,
    expiresAt: new Date(now.getTime() + ttlDays * DAY),
    acceptedAt: null,
    acceptedUserId: null,
    revokedAt: null,
    createdAt: now,
  });
  return { entity, token };
}

@Injectable()
export class InvitationsService {
  constructor(
    @Inject(RUNTIME) private readonly rt: ServiceRuntime<AuthConfig>,
    private readonly sessions: SessionsService,
  ) {}

  /**
   * POST /api/team/invite. The token is in this answer only; a newer invitation for the same
   * e-mail replaces (revokes) any pending one.
   */
  async invite(meta: RequestMeta, dto: InviteMemberDto): Promise<CreatedInvitationView> {
    const tenant = asTenantId(meta.tenant_id);
    return idempotentCreate(this.rt.tenantDb, tenant, meta.idempotency_key, `auth.invitation.create:${meta.actor?.user_id ?? ''}`, dto, async (record) => {
      const { entity: e, token } = newInvitation(tenant, dto.email, dto.name ?? null, dto.role, this.rt.config.INVITATION_TTL_DAYS);
      const now = e.createdAt;
      const created: CreatedInvitationView = { invitation: toInvitationView(e), token, accept_url: ACCEPT_INVITATION_PATH };
      await this.rt.tenantDb.run({ tenant, actor: meta.actor }, async (em) => {
        const actor = await currentActor(em, tenant, meta);
        const denied = checkInvite(actor.role, dto.role);
        if (denied) throw denied;
        await assertUsersQuota(em, tenant);
        await lockTeam(em, tenant);
        if (await em.getRepository(UserEntity).exists({ where: { tenantId: tenant, email: dto.email } })) throw TeamErrors.alreadyMember();
        await em
          .getRepository(InvitationEntity)
          .update({ tenantId: tenant, email: dto.email, acceptedAt: IsNull(), revokedAt: IsNull() }, { revokedAt: now });
        e.invitedBy = actor.id;
        await em.createQueryBuilder().insert().into(InvitationEntity).values(e).updateEntity(false).execute();
        created.invitation = toInvitationView(e);
        await em.audit({ action: 'team.member_invited', resource_type: 'invitation', resource_id: e.id, after: created.invitation });
        await record(em, created);
      });
      return created;
    });
  }

  /** GET /api/team/invitations: the pending ones (not accepted, revoked or expired), newest first. */
  async listPending(meta: RequestMeta, q: ListInvitationsQueryDto): Promise<Page<InvitationView>> {
    const tenant = asTenantId(meta.tenant_id);
    const [rows, total] = await this.rt.tenantDb.run({ tenant, actor: meta.actor }, async (em) => {
      const actor = await currentActor(em, tenant, meta);
      if (actor.role !== 'owner' && actor.role !== 'admin') throw TeamErrors.notAdmin();
      const query = em
        .getRepository(InvitationEntity)
        .createQueryBuilder('i')
        .where('i.tenant_id = :tenant AND i.accepted_at IS NULL AND i.revoked_at IS NULL AND i.expires_at > now()', { tenant })
        .orderBy('i.created_at', 'DESC')
        .addOrderBy('i.id', 'ASC')
        .skip(q.offset)
        .take(q.limit);
      // A pending invitation is not edited (a revoked or accepted one leaves this list).
      if (q.updated_since) query.andWhere('i.created_at >= :since', { since: q.updated_since });
      return query.getManyAndCount();
    });
    return { items: rows.map((r) => toInvitationView(r)), total, limit: q.limit, offset: q.offset };
  }

  /** DELETE /api/team/invitations/:id: the token stops working at once. Revoking twice is a no-op. */
  async revoke(meta: RequestMeta, id: string): Promise<InvitationView> {
    const tenant = asTenantId(meta.tenant_id);
    const view = await this.rt.tenantDb.run({ tenant, actor: meta.actor }, async (em) => {
      const actor = await currentActor(em, tenant, meta);
      const repo = em.getRepository(InvitationEntity);
      const row = await repo.findOne({ where: { tenantId: tenant, id } });
      if (!row) throw TeamErrors.invitationNotFound();
      const denied = checkInvite(actor.role, row.role);
      if (denied) throw denied;
      if (row.acceptedAt) throw TeamErrors.invitationAccepted();
      if (!row.revokedAt) {
        const before = toInvitationView(row);
        row.revokedAt = new Date();
        await repo.update({ id: row.id }, { revokedAt: row.revokedAt });
        const after = toInvitationView(row);
        await em.audit({ action: 'team.invitation_revoked', resource_type: 'invitation', resource_id: row.id, before, after });
      }
      return toInvitationView(row);
    });
    return view;
  }

  /**
   * POST /api/team/invitations/accept (no credential: the token is the credential, and carries
   * its tenant). Creates the user with the invited role, spends the invitation and signs the new
   * user in, all in one transaction: any refusal writes nothing.
   */
  async accept(dto: AcceptInvitationRequestDto, idempotencyKey?: string): Promise<TokenPairView> {
    const parsed = parseToken(dto.token);
    if (!parsed || parsed.prefix !== INVITATION_TOKEN_PREFIX) throw TeamErrors.badInvitation();
    if (dto.claimed_tenant_id !== undefined && (!isUuid(dto.claimed_tenant_id) || dto.claimed_tenant_id.toLowerCase() !== parsed.tenantId)) {
      throw TeamErrors.badInvitation();
    }
    const tenant = asTenantId(parsed.tenantId);
    const { claimed_tenant_id: _claimed, ...request } = dto;
    try {
      return await idempotentCreate(this.rt.tenantDb, tenant, idempotencyKey, 'auth.invitation.accept', request, (record) => this.acceptIn(tenant, dto, record));
    } catch (e) {
      mapUniqueViolation(e, 'A member with this e-mail already exists in the organization');
    }
  }

  private async acceptIn(tenant: TenantId, dto: AcceptInvitationRequestDto, record: (em: EntityManager, pair: TokenPairView) => Promise<void>): Promise<TokenPairView> {
    const pair = await this.rt.tenantDb.run(tenant, async (em) => {
      const repo = em.getRepository(InvitationEntity);
      const inv = await repo
        .createQueryBuilder('i')
        .where('i.tenant_id = :tenant AND i.token_hash = :hash', { tenant, hash: sha256(dto.token) })
        .setLock('pessimistic_write')
        .getOne();
      if (!inv) throw TeamErrors.badInvitation();
      if (inv.acceptedAt) throw TeamErrors.invitationUsed();
      if (inv.revokedAt) throw TeamErrors.invitationRevoked();
      if (inv.expiresAt.getTime() <= Date.now()) throw TeamErrors.invitationExpired();
      const org = await em.getRepository(OrganizationEntity).findOne({ where: { id: tenant } });
      if (!org) throw TeamErrors.badInvitation();
      if (org.status === 'suspended') throw AuthErrors.tenantSuspended();
      await lockTeam(em, tenant);
      if (await em.getRepository(UserEntity).exists({ where: { tenantId: tenant, email: inv.email } })) throw TeamErrors.alreadyMember();
      const now = new Date();
      const user = Object.assign(new UserEntity(), {
        id: randomUUID(),
        tenantId: tenant,
        email: inv.email,
        name: dto.name ?? inv.name ?? inv.email.split('@')[0],
        passwordHash: await hashPassword(dto.password),
        role: inv.role,
        status: 'active' as const,
        jobTitle: null,
        createdAt: now,
        updatedAt: now,
        lastLoginAt: now,
      });
      await assertUsersQuota(em, tenant);
      await em.createQueryBuilder().insert().into(UserEntity).values(user).updateEntity(false).execute();
      const before = toInvitationView(inv);
      await repo.update({ id: inv.id }, { acceptedAt: now, acceptedUserId: user.id });
      Object.assign(inv, { acceptedAt: now, acceptedUserId: user.id });
      const newcomer = { actor_id: user.id, actor_email: user.email, actor_type: 'user' as const, token_id: null };
      await em.audit({ action: 'team.invitation_accepted', resource_type: 'invitation', resource_id: inv.id, before, after: toInvitationView(inv) }, newcomer);
      const session = await this.sessions.openSession(em, tenant, user);
      await record(em, session);
      return session;
    });
    return pair;
  }
}
