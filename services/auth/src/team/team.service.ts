import { MoreThanOrEqual } from 'typeorm';
import { Inject, Injectable } from '@nestjs/common';
import { ChangeMemberRoleDto, ListTeamQueryDto, MemberNamesQueryDto, MemberNamesView, RemovedMemberView, RequestMeta, TeamMemberView } from '@opsplane/contracts';
import { asTenantId, isUuid } from '@opsplane/db';
import { AppError, Page } from '@opsplane/errors';
import { RUNTIME, ServiceRuntime } from '@opsplane/runtime';
import { AccessService } from '../access/access.service';
import { AuthConfig } from '../config';
import { UserEntity } from '../users/user.entity';
import { countOwners, currentActor, lockTeam } from './team-actor';
import { TeamErrors } from './team.exception';
import { checkRemoval, checkRoleChange } from './team.rules';


export function toTeamMemberView(u: UserEntity): TeamMemberView {
  return { id: u.id, name: u.name, email: u.email, role: u.role, job_title: u.jobTitle, status: u.status, joined_at: u.createdAt.toISOString() };
}

@Injectable()
export class TeamService {
  constructor(
    @Inject(RUNTIME) private readonly rt: ServiceRuntime<AuthConfig>,
    private readonly access: AccessService,
  ) {}

  /** GET /api/team: every member of the tenant, oldest first. Any signed-in member may look. */
  async list(meta: RequestMeta, q: ListTeamQueryDto): Promise<Page<TeamMemberView>> {
    const tenant = asTenantId(meta.tenant_id);
    if (!meta.actor) throw AppError.unauthorized();
    const [rows, total] = await this.rt.tenantDb.run(tenant, (em) =>
      em.getRepository(UserEntity).findAndCount({
        where: { tenantId: tenant, ...(q.updated_since ? { updatedAt: MoreThanOrEqual(new Date(q.updated_since)) } : {}) },
        order: { createdAt: 'ASC', id: 'ASC' },
        skip: q.offset,
        take: q.limit,
      }),
    );
    return { items: rows.map(toTeamMemberView), total, limit: q.limit, offset: q.offset };
  }

  /** The names of the members a list of user ids or e-mails (as records store assignees) points at, in one query. */
  async names(meta: RequestMeta, q: MemberNamesQueryDto): Promise<MemberNamesView> {
    const tenant = asTenantId(meta.tenant_id);
    const keys = [...new Set(q.keys)];
    if (!keys.length) return {};
    const ids = keys.filter((k) => isUuid(k)).map((k) => k.toLowerCase());
    const emails = keys.map((k) => k.toLowerCase());
    const rows = (await this.rt.tenantDb.run(tenant, (em) =>
      em.query(`SELECT id::text AS id, lower(email) AS email, name FROM users WHERE tenant_id = $1 AND (id = ANY($2::uuid[]) OR lower(email) = ANY($3::text[]))`, [tenant, ids, emails]),
    )) as { id: string; email: string; name: string }[];
    const out: MemberNamesView = {};
    for (const k of keys) {
      const u = rows.find((r) => r.id === k.toLowerCase() || r.email === k.toLowerCase());
      if (u) out[k] = u.name.trim() || u.email;
    }
    return out;
  }

  /** PUT /api/team/:id/role. Only owners grant or remove the owner role; the last owner stays an owner. */
  async changeRole(meta: RequestMeta, dto: ChangeMemberRoleDto): Promise<TeamMemberView> {
    const tenant = asTenantId(meta.tenant_id);
    const view = await this.rt.tenantDb.run({ tenant, actor: meta.actor }, async (em) => {
      const actor = await currentActor(em, tenant, meta);
      await lockTeam(em, tenant);
      const repo = em.getRepository(UserEntity);
      const target = await repo.findOne({ where: { tenantId: tenant, id: dto.id } });
      if (!target) throw TeamErrors.memberNotFound();
      const denied = checkRoleChange(actor.role, target.role, dto.role, await countOwners(em, tenant));
      if (denied) throw denied;
      if (target.role !== dto.role) {
        const before = toTeamMemberView(target);
        target.role = dto.role;
        target.updatedAt = new Date();
        await repo.update({ id: target.id }, { role: target.role, updatedAt: target.updatedAt });
        const after = toTeamMemberView(target);
        await em.audit({ action: 'team.role_changed', resource_type: 'team_member', resource_id: target.id, before, after });
      }
      return toTeamMemberView(target);
    });
    return view;
  }

  /**
   * DELETE /api/team/:id. The user row goes, and with it (ON DELETE CASCADE) every refresh token
   * and API token of theirs; every gateway refuses their access tokens and API tokens before this
   * answers (an access change, broadcast after the commit and acknowledged by each gateway).
   */
  async remove(meta: RequestMeta, id: string): Promise<RemovedMemberView> {
    const tenant = asTenantId(meta.tenant_id);
    const at = new Date();
    const removed = await this.rt.tenantDb.run({ tenant, actor: meta.actor }, async (em) => {
      const actor = await currentActor(em, tenant, meta);
      await lockTeam(em, tenant);
      const repo = em.getRepository(UserEntity);
      const target = await repo.findOne({ where: { tenantId: tenant, id } });
      if (!target) throw TeamErrors.memberNotFound();
      const denied = checkRemoval(actor.role, target.role, await countOwners(em, tenant));
      if (denied) throw denied;
      await repo.delete({ tenantId: tenant, id: target.id });
      await this.access.recordUserRevocation(em, tenant, target.id, at);
      await em.audit({ action: 'team.member_removed', resource_type: 'team_member', resource_id: target.id, before: toTeamMemberView(target) });
      return { id: target.id, removed: true as const };
    });
    await this.access.broadcast({ kind: 'user', tenant_id: tenant, user_id: removed.id, not_before: at.toISOString() });
    return removed;
  }
}
