import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { canWrite, CreateFreezeWindowDto, FreezeWindowView, isAdmin, ListFreezeWindowsQueryDto, RequestMeta, UpdateFreezeWindowDto } from '@opsplane/contracts';
import { asTenantId, assertIfMatch, idempotentCreate, TenantTx } from '@opsplane/db';
import { Page } from '@opsplane/errors';
import { resolveCiRefs, RUNTIME, ServiceRuntime } from '@opsplane/runtime';
import { FreezeWindowEntity } from './change.entity';
import { toFreezeWindowView } from './change.mapper';
import { ChangesErrors } from './changes.exception';
import { deleteFreezeWindow, findFreezeWindow, insertFreezeWindow, listFreezeWindows, updateFreezeWindow } from './changes.repository';

/** Freeze (blackout) windows: admins set them; changes whose window overlaps one carry the conflict. */
@Injectable()
export class FreezeWindowsService {
  constructor(@Inject(RUNTIME) private readonly rt: ServiceRuntime) {}

  private assertAdmin(meta: RequestMeta): void {
    if (!isAdmin(meta.actor) || !canWrite(meta.actor)) throw ChangesErrors.freezeAdminOnly();
  }

  async create(meta: RequestMeta, dto: CreateFreezeWindowDto): Promise<FreezeWindowView> {
    this.assertAdmin(meta);
    const tenant = asTenantId(meta.tenant_id);
    const start = new Date(dto.start);
    const end = new Date(dto.end);
    if (end.getTime() <= start.getTime()) throw ChangesErrors.field('end', 'end must be after start');
    dto.ci_ids = await resolveCiRefs(this.rt.rpc, meta, dto.ci_ids);
    return idempotentCreate(this.rt.tenantDb, tenant, meta.idempotency_key, 'itsm.freeze_window.create', dto, (record) =>
      this.rt.tenantDb.run({ tenant, actor: meta.actor }, async (tx) => {
        const now = new Date();
        const f = Object.assign(new FreezeWindowEntity(), {
          id: randomUUID(),
          tenantId: tenant,
          name: dto.name.trim(),
          reason: dto.reason?.trim() || null,
          startsAt: start,
          endsAt: end,
          ciIds: [...new Set(dto.ci_ids ?? [])],
          createdBy: meta.actor?.user_id ?? null,
          createdAt: now,
          updatedAt: now,
          version: 1,
        } satisfies FreezeWindowEntity);
        await insertFreezeWindow(tx, f);
        const view = toFreezeWindowView(f);
        await tx.audit({ action: 'freeze_window.created', resource_type: 'freeze_window', resource_id: f.id, after: view });
        await record(tx, view);
        return view;
      }),
    );
  }

  async list(meta: RequestMeta, q: ListFreezeWindowsQueryDto): Promise<Page<FreezeWindowView>> {
    const tenant = asTenantId(meta.tenant_id);
    const { rows, total } = await this.rt.tenantDb.run(tenant, (tx) => listFreezeWindows(tx, q));
    return { items: rows.map(toFreezeWindowView), total, limit: q.limit, offset: q.offset };
  }

  async get(meta: RequestMeta, id: string): Promise<FreezeWindowView> {
    const tenant = asTenantId(meta.tenant_id);
    return this.rt.tenantDb.run(tenant, async (tx) => toFreezeWindowView(await this.find(tx, id)));
  }

  async update(meta: RequestMeta, id: string, patch: UpdateFreezeWindowDto): Promise<FreezeWindowView> {
    this.assertAdmin(meta);
    const tenant = asTenantId(meta.tenant_id);
    patch.ci_ids = await resolveCiRefs(this.rt.rpc, meta, patch.ci_ids);
    return this.rt.tenantDb.run({ tenant, actor: meta.actor }, async (tx) => {
      const f = await this.find(tx, id, true);
      assertIfMatch(meta.if_match, f.version, 'freeze window');
      const before = toFreezeWindowView(f);
      if (patch.name !== undefined) f.name = patch.name.trim();
      if (patch.reason !== undefined) f.reason = patch.reason?.trim() || null;
      if (patch.start !== undefined) f.startsAt = new Date(patch.start);
      if (patch.end !== undefined) f.endsAt = new Date(patch.end);
      if (patch.ci_ids !== undefined) f.ciIds = [...new Set(patch.ci_ids)];
      if (f.endsAt.getTime() <= f.startsAt.getTime()) throw ChangesErrors.field('end', 'end must be after start');
      const changed = JSON.stringify({ ...toFreezeWindowView(f), updated_at: null }) !== JSON.stringify({ ...before, updated_at: null });
      if (!changed) return before;
      f.updatedAt = new Date();
      f.version += 1;
      await updateFreezeWindow(tx, f);
      const view = toFreezeWindowView(f);
      await tx.audit({ action: 'freeze_window.updated', resource_type: 'freeze_window', resource_id: f.id, before, after: view });
      return view;
    });
  }

  async remove(meta: RequestMeta, id: string): Promise<{ deleted: true }> {
    this.assertAdmin(meta);
    const tenant = asTenantId(meta.tenant_id);
    return this.rt.tenantDb.run({ tenant, actor: meta.actor }, async (tx) => {
      const f = await this.find(tx, id, true);
      await deleteFreezeWindow(tx, f.id);
      await tx.audit({ action: 'freeze_window.deleted', resource_type: 'freeze_window', resource_id: f.id, before: toFreezeWindowView(f) });
      return { deleted: true as const };
    });
  }

  private async find(tx: TenantTx, id: string, lock = false): Promise<FreezeWindowEntity> {
    const f = await findFreezeWindow(tx, id, lock);
    if (!f) throw ChangesErrors.freezeNotFound(id);
    return f;
  }
}
