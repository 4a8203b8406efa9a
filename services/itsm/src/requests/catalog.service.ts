import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { canWrite, CatalogItemView, CreateCatalogItemDto, isAdmin, ListCatalogQueryDto, RequestMeta, UpdateCatalogItemDto } from '@opsplane/contracts';
import { asTenantId, assertIfMatch, idempotentCreate, mapUniqueViolation, TenantTx } from '@opsplane/db';
import { Page } from '@opsplane/errors';
import { RUNTIME, ServiceRuntime } from '@opsplane/runtime';
import { applyCatalogPatch, newCatalogItem } from './request.domain';
import { CatalogItemEntity } from './request.entity';
import { toCatalogItemView } from './request.mapper';
import { RequestsErrors } from './requests.exception';
import { codeTaken, deleteCatalogItem, findCatalogItem, insertCatalogItem, itemHasRequests, listCatalog, updateCatalogItem } from './requests.repository';

/** The service catalog: admins maintain it, everyone reads it. */
@Injectable()
export class CatalogService {
  constructor(@Inject(RUNTIME) private readonly rt: ServiceRuntime) {}

  private assertAdmin(meta: RequestMeta): void {
    if (!isAdmin(meta.actor) || !canWrite(meta.actor)) throw RequestsErrors.adminOnly();
  }

  async create(meta: RequestMeta, dto: CreateCatalogItemDto): Promise<CatalogItemView> {
    this.assertAdmin(meta);
    const tenant = asTenantId(meta.tenant_id);
    const e = newCatalogItem({ id: randomUUID(), tenantId: tenant, dto, createdBy: meta.actor?.user_id ?? null, now: new Date() });
    return idempotentCreate(this.rt.tenantDb, tenant, meta.idempotency_key, 'itsm.catalog_item.create', dto, (record) =>
      this.rt.tenantDb.run({ tenant, actor: meta.actor }, async (tx) => {
        if (e.code && (await codeTaken(tx, e.code, e.id))) throw RequestsErrors.codeTaken(e.code);
        // (Two admins creating the same code at once: the unique index decides, a 409 for the second.)
        await insertCatalogItem(tx, e).catch((err: unknown) => mapUniqueViolation(err, `Another catalog item has the code ${e.code}`));
        const view = toCatalogItemView(e);
        await tx.audit({ action: 'catalog_item.created', resource_type: 'catalog_item', resource_id: e.id, after: view });
        await record(tx, view);
        return view;
      }),
    );
  }

  async list(meta: RequestMeta, q: ListCatalogQueryDto): Promise<Page<CatalogItemView>> {
    const tenant = asTenantId(meta.tenant_id);
    const { rows, total } = await this.rt.tenantDb.run(tenant, (tx) => listCatalog(tx, q));
    return { items: rows.map(toCatalogItemView), total, limit: q.limit, offset: q.offset };
  }

  async get(meta: RequestMeta, ref: string): Promise<CatalogItemView> {
    const tenant = asTenantId(meta.tenant_id);
    return this.rt.tenantDb.run(tenant, async (tx) => toCatalogItemView(await this.find(tx, ref)));
  }

  async update(meta: RequestMeta, ref: string, patch: UpdateCatalogItemDto): Promise<CatalogItemView> {
    this.assertAdmin(meta);
    const tenant = asTenantId(meta.tenant_id);
    return this.rt.tenantDb.run({ tenant, actor: meta.actor }, async (tx) => {
      const e = await this.find(tx, ref, true);
      assertIfMatch(meta.if_match, e.version, 'catalog item');
      const before = toCatalogItemView(e);
      if (!applyCatalogPatch(e, patch)) return before;
      if (e.code && (await codeTaken(tx, e.code, e.id))) throw RequestsErrors.codeTaken(e.code);
      e.updatedAt = new Date();
      e.version += 1;
      await updateCatalogItem(tx, e).catch((err: unknown) => mapUniqueViolation(err, `Another catalog item has the code ${e.code}`));
      const view = toCatalogItemView(e);
      await tx.audit({ action: 'catalog_item.updated', resource_type: 'catalog_item', resource_id: e.id, before, after: view });
      return view;
    });
  }

  /** Deletes an item nobody has requested yet (one with requests is deactivated instead: 409). */
  async remove(meta: RequestMeta, ref: string): Promise<{ deleted: true }> {
    this.assertAdmin(meta);
    const tenant = asTenantId(meta.tenant_id);
    return this.rt.tenantDb.run({ tenant, actor: meta.actor }, async (tx) => {
      const e = await this.find(tx, ref, true);
      if (await itemHasRequests(tx, e.id)) throw RequestsErrors.inUse();
      await deleteCatalogItem(tx, e.id);
      await tx.audit({ action: 'catalog_item.deleted', resource_type: 'catalog_item', resource_id: e.id, before: toCatalogItemView(e) });
      return { deleted: true as const };
    });
  }

  private async find(tx: TenantTx, ref: string, lock = false): Promise<CatalogItemEntity> {
    const e = await findCatalogItem(tx, ref, lock);
    if (!e) throw RequestsErrors.itemNotFound(ref);
    return e;
  }
}
