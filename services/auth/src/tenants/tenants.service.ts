import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { ProvisionedTenantView, ProvisionTenantDto } from '@opsplane/contracts';
import { asTenantId, mapUniqueViolation } from '@opsplane/db';
import { RUNTIME, ServiceRuntime } from '@opsplane/runtime';
import { OrganizationEntity, UserEntity } from '../auth.entities';
import { hashPassword } from '../crypto/password';

export function slugify(name: string): string {
  const s = name
    .normalize('NFKD')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 40);
  return s || 'tenant';
}

@Injectable()
export class TenantsService {
  constructor(@Inject(RUNTIME) private readonly rt: ServiceRuntime) {}

  /** Creates a tenant's organization and its owner, in one transaction. */
  async provision(dto: ProvisionTenantDto): Promise<ProvisionedTenantView> {
    const tenant = asTenantId(dto.tenant_id ?? randomUUID());
    const slug = dto.slug ?? `${slugify(dto.name)}-${tenant.slice(0, 6)}`;
    const now = new Date();
    const owner = Object.assign(new UserEntity(), {
      id: randomUUID(),
      tenantId: tenant,
      email: dto.admin_email,
      name: dto.admin_name ?? dto.admin_email.split('@')[0],
      passwordHash: await hashPassword(dto.admin_password),
      role: 'owner' as const,
      status: 'active' as const,
      jobTitle: null,
      createdAt: now,
      updatedAt: now,
      lastLoginAt: null,
    });
    try {
      await this.rt.tenantDb.run(tenant, async (em) => {
        await em
          .createQueryBuilder()
          .insert()
          .into(OrganizationEntity)
          .values({ id: tenant, tenantId: tenant, name: dto.name.trim(), slug, status: 'active', settings: { timezone: 'UTC' }, createdAt: now, updatedAt: now })
          .updateEntity(false)
          .execute();
        await em.createQueryBuilder().insert().into(UserEntity).values(owner).updateEntity(false).execute();
      });
    } catch (e) {
      mapUniqueViolation(e, `A tenant with this id or slug already exists`);
    }
    return { tenant_id: tenant, name: dto.name.trim(), slug, owner: { id: owner.id, email: owner.email, name: owner.name, role: owner.role } };
  }
}
