import { Inject, Injectable } from '@nestjs/common';
import { canonicalTimeZone, OrganizationSettingsView, OrganizationView, RequestMeta, UpdateOrganizationDto } from '@opsplane/contracts';
import { asTenantId } from '@opsplane/db';
import { AppError } from '@opsplane/errors';
import { RUNTIME, ServiceRuntime } from '@opsplane/runtime';
import { AuthConfig } from '../config';
import { currentActor } from '../team/team-actor';
import { OrganizationEntity } from './organization.entity';
import { OrganizationErrors } from './organization.exception';

export function toOrganizationView(o: OrganizationEntity): OrganizationView {
  return {
    id: o.id,
    name: o.name,
    slug: o.slug,
    status: o.status,
    settings: o.settings as OrganizationSettingsView,
    created_at: o.createdAt.toISOString(),
    updated_at: o.updatedAt.toISOString(),
  };
}

/** Merges validated changes into the stored settings; keys the request does not name are kept. */
export function mergeSettings(current: Record<string, unknown>, patch: UpdateOrganizationDto['settings']): Record<string, unknown> {
  const next: Record<string, unknown> = { ...current };
  if (!patch) return next;
  if (patch.timezone !== undefined) next.timezone = canonicalTimeZone(patch.timezone);
  if (patch.notification_preferences !== undefined) {
    const prev = current.notification_preferences;
    const base = prev && typeof prev === 'object' && !Array.isArray(prev) ? (prev as Record<string, unknown>) : {};
    const changes = Object.fromEntries(Object.entries(patch.notification_preferences).filter(([, v]) => v !== undefined));
    next.notification_preferences = { ...base, ...changes };
  }
  return next;
}

@Injectable()
export class OrganizationService {
  constructor(@Inject(RUNTIME) private readonly rt: ServiceRuntime<AuthConfig>) {}

  /** GET /api/organization: the caller's organization. */
  async get(meta: RequestMeta): Promise<OrganizationView> {
    const tenant = asTenantId(meta.tenant_id);
    if (!meta.actor) throw AppError.unauthorized();
    const org = await this.rt.tenantDb.run(tenant, (em) => em.getRepository(OrganizationEntity).findOne({ where: { id: tenant } }));
    if (!org) throw OrganizationErrors.notFound();
    return toOrganizationView(org);
  }

  /** PUT /api/organization (admin or owner): name and settings; settings are merged, not replaced. */
  async update(meta: RequestMeta, dto: UpdateOrganizationDto): Promise<OrganizationView> {
    const tenant = asTenantId(meta.tenant_id);
    const view = await this.rt.tenantDb.run({ tenant, actor: meta.actor }, async (em) => {
      const actor = await currentActor(em, tenant, meta);
      if (actor.role !== 'owner' && actor.role !== 'admin') throw OrganizationErrors.notAdmin();
      const repo = em.getRepository(OrganizationEntity);
      const org = await repo.createQueryBuilder('o').where('o.id = :tenant', { tenant }).setLock('pessimistic_write').getOne();
      if (!org) throw OrganizationErrors.notFound();
      if (dto.name === undefined && dto.settings === undefined) return toOrganizationView(org);
      const before = toOrganizationView(org);
      if (dto.name !== undefined) org.name = dto.name;
      org.settings = mergeSettings(org.settings ?? {}, dto.settings);
      org.updatedAt = new Date();
      await repo.save(org);
      const after = toOrganizationView(org);
      await em.audit({ action: 'organization.updated', resource_type: 'organization', resource_id: org.id, before, after });
      return after;
    });
    return view;
  }
}
