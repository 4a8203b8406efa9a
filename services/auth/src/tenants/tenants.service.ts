import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { CreateUserDto, ProvisionedTenantView, ProvisionTenantDto, Role, SetTenantStatusDto, UserView, slugify } from '@opsplane/contracts';
import { asTenantId, mapUniqueViolation, TenantId } from '@opsplane/db';
import { AppError } from '@opsplane/errors';
import { RUNTIME, ServiceRuntime } from '@opsplane/runtime';
import { hashPassword } from '@opsplane/crypto';
import { assertUsersQuota } from './users-quota';
import { AuthConfig } from '../config';
import { OrganizationEntity } from '../organization/organization.entity';
import { InvitationEntity } from '../team/invitation.entity';
import { ACCEPT_INVITATION_PATH, newInvitation } from '../team/invitations.service';
import { UserEntity } from '../users/user.entity';

async function newUser(tenant: TenantId, email: string, password: string, role: Role, name?: string): Promise<UserEntity> {
  const now = new Date();
  return Object.assign(new UserEntity(), {
    id: randomUUID(),
    tenantId: tenant,
    email,
    name: name ?? email.split('@')[0],
    passwordHash: await hashPassword(password),
    role,
    status: 'active' as const,
    jobTitle: null,
    createdAt: now,
    updatedAt: now,
    lastLoginAt: null,
  });
}

@Injectable()
export class TenantsService {
  constructor(@Inject(RUNTIME) private readonly rt: ServiceRuntime<AuthConfig>) {}

  /** Suspension (from the control plane): login, refresh and API tokens check the organization's status. */
  async setStatus(dto: SetTenantStatusDto): Promise<{ tenant_id: string; status: string }> {
    const tenant = asTenantId(dto.tenant_id);
    await this.rt.tenantDb.run(tenant, async (em) => {
      const r = await em.getRepository(OrganizationEntity).update({ id: tenant }, { status: dto.status, updatedAt: new Date() });
      if (!r.affected) throw AppError.notFound('Tenant');
    });
    return { tenant_id: tenant, status: dto.status };
  }

  /** Adds a user to an existing tenant (operators and tests, until invitations exist). */
  async createUser(dto: CreateUserDto): Promise<UserView> {
    const tenant = asTenantId(dto.tenant_id);
    const user = await newUser(tenant, dto.email, dto.password, dto.role, dto.name);
    try {
      await this.rt.tenantDb.run(tenant, async (em) => {
        const org = await em.getRepository(OrganizationEntity).findOne({ where: { id: tenant } });
        if (!org) throw AppError.notFound('Tenant');
        await assertUsersQuota(em, tenant);
        await em.createQueryBuilder().insert().into(UserEntity).values(user).updateEntity(false).execute();
      });
    } catch (e) {
      mapUniqueViolation(e, 'A user with this e-mail already exists in the tenant');
    }
    return { id: user.id, email: user.email, name: user.name, role: user.role };
  }

  /**
   * Creates a tenant's organization and its owner, in one transaction: the owner as a user when a
   * password is given, else as an owner invitation whose token is in this answer only.
   */
  async provision(dto: ProvisionTenantDto): Promise<ProvisionedTenantView> {
    const tenant = asTenantId(dto.tenant_id ?? randomUUID());
    const slug = dto.slug ?? `${slugify(dto.name)}-${tenant.slice(0, 6)}`;
    const owner = dto.admin_password ? await newUser(tenant, dto.admin_email, dto.admin_password, 'owner', dto.admin_name) : null;
    const invitation = owner ? null : newInvitation(tenant, dto.admin_email, dto.admin_name ?? null, 'owner', this.rt.config.INVITATION_TTL_DAYS);
    const now = new Date();
    try {
      await this.rt.tenantDb.run(tenant, async (em) => {
        await em
          .createQueryBuilder()
          .insert()
          .into(OrganizationEntity)
          .values({ id: tenant, tenantId: tenant, name: dto.name.trim(), slug, status: 'active', settings: { timezone: 'UTC' }, createdAt: now, updatedAt: now })
          .updateEntity(false)
          .execute();
        if (owner) await em.createQueryBuilder().insert().into(UserEntity).values(owner).updateEntity(false).execute();
        if (invitation) await em.createQueryBuilder().insert().into(InvitationEntity).values(invitation.entity).updateEntity(false).execute();
      });
    } catch (e) {
      mapUniqueViolation(e, `A tenant with this id or slug already exists`);
    }
    return {
      tenant_id: tenant,
      name: dto.name.trim(),
      slug,
      owner: owner ? { id: owner.id, email: owner.email, name: owner.name, role: owner.role } : null,
      owner_invitation: invitation
        ? { email: dto.admin_email, token: invitation.token, accept_url: ACCEPT_INVITATION_PATH, expires_at: invitation.entity.expiresAt.toISOString() }
        : null,
    };
  }
}
