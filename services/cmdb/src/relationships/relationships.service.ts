import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { CreateRelationshipDto, EventSubject, RelationshipListQueryDto, RelationshipView, RequestMeta, UpdateRelationshipDto } from '@opsplane/contracts';
import { asTenantId, idempotentCreate, TenantTx } from '@opsplane/db';
import { Page } from '@opsplane/errors';
import { RUNTIME, ServiceRuntime } from '@opsplane/runtime';
import { CiEntity, RelationshipEntity } from '../items/ci.entity';
import { CmdbErrors } from '../items/items.exception';
import { toCiRef, toRelationshipView } from '../items/ci.mapper';
import { deleteRelationships, findCi, findCis, findEdge, findRelationship, insertRelationships, listRelationships, updateRelationshipCriticality } from '../items/items.repository';

/** Typed relationships between a tenant's items: no duplicates, never to itself, both ends live items of the tenant. */
@Injectable()
export class RelationshipsService {
  constructor(@Inject(RUNTIME) private readonly rt: ServiceRuntime) {}

  private async views(tx: TenantTx, rels: RelationshipEntity[]): Promise<RelationshipView[]> {
    const ids = [...new Set(rels.flatMap((r) => [r.sourceId, r.targetId]))];
    const ends = new Map<string, CiEntity>(await findCis(tx, ids));
    for (const id of ids.filter((x) => !ends.has(x))) {
      const e = await findCi(tx, id, { includeDeleted: true });
      if (e) ends.set(id, e);
    }
    return rels.map((r) => toRelationshipView(r, toCiRef(ends.get(r.sourceId)!), toCiRef(ends.get(r.targetId)!)));
  }

  async create(meta: RequestMeta, dto: CreateRelationshipDto): Promise<RelationshipView> {
    const tenant = asTenantId(meta.tenant_id);
    return idempotentCreate(this.rt.tenantDb, tenant, meta.idempotency_key, 'cmdb.relationship.create', dto, (record) =>
      this.rt.tenantDb.run({ tenant, actor: meta.actor }, async (tx) => {
        if (dto.source_id === dto.target_id) throw CmdbErrors.field('target_id', 'an item cannot be related to itself');
        const ends = await findCis(tx, [dto.source_id, dto.target_id]);
        for (const f of ['source_id', 'target_id'] as const) if (!ends.has(dto[f])) throw CmdbErrors.field(f, `item ${dto[f]} not found`);
        const existing = await findEdge(tx, dto.source_id, dto.target_id, dto.type);
        const now = new Date();
        if (existing) throw CmdbErrors.edgeExists(existing.id);
        const r = Object.assign(new RelationshipEntity(), {
          id: randomUUID(),
          tenantId: tenant,
          sourceId: dto.source_id,
          targetId: dto.target_id,
          type: dto.type,
          criticality: dto.criticality ?? 'medium',
          createdBy: meta.actor?.user_id ?? null,
          createdAt: now,
          updatedAt: now,
        } satisfies RelationshipEntity);
        const [added] = await insertRelationships(tx, [r]);
        if (!added) throw CmdbErrors.edgeExists((await findEdge(tx, dto.source_id, dto.target_id, dto.type))?.id ?? 'concurrently');
        const view = toRelationshipView(r, toCiRef(ends.get(r.sourceId)!), toCiRef(ends.get(r.targetId)!));
        await tx.emit(EventSubject.RelationshipCreated, { relationship: view });
        await tx.audit({ action: 'relationship.created', resource_type: 'relationship', resource_id: r.id, after: view });
        await record(tx, view);
        return view;
      }),
    );
  }

  async get(meta: RequestMeta, id: string): Promise<RelationshipView> {
    return this.rt.tenantDb.run(asTenantId(meta.tenant_id), async (tx) => {
      const r = await findRelationship(tx, id);
      if (!r) throw CmdbErrors.relationshipNotFound(id);
      return (await this.views(tx, [r]))[0];
    });
  }

  async list(meta: RequestMeta, q: RelationshipListQueryDto): Promise<Page<RelationshipView>> {
    return this.rt.tenantDb.run(asTenantId(meta.tenant_id), async (tx) => {
      const { rows, total } = await listRelationships(tx, q);
      return { items: await this.views(tx, rows), total, limit: q.limit, offset: q.offset };
    });
  }

  async update(meta: RequestMeta, id: string, patch: UpdateRelationshipDto): Promise<RelationshipView> {
    return this.rt.tenantDb.run({ tenant: asTenantId(meta.tenant_id), actor: meta.actor }, async (tx) => {
      const r = await findRelationship(tx, id);
      if (!r) throw CmdbErrors.relationshipNotFound(id);
      const [before] = await this.views(tx, [r]);
      if (r.criticality === patch.criticality) return before;
      const now = new Date();
      await updateRelationshipCriticality(tx, id, patch.criticality, now);
      r.criticality = patch.criticality;
      r.updatedAt = now;
      const [view] = await this.views(tx, [r]);
      await tx.emit(EventSubject.RelationshipUpdated, { relationship: view });
      await tx.audit({ action: 'relationship.updated', resource_type: 'relationship', resource_id: id, before, after: view });
      return view;
    });
  }

  async remove(meta: RequestMeta, id: string): Promise<{ deleted: true }> {
    return this.rt.tenantDb.run({ tenant: asTenantId(meta.tenant_id), actor: meta.actor }, async (tx) => {
      const r = await findRelationship(tx, id);
      if (!r) throw CmdbErrors.relationshipNotFound(id);
      const [view] = await this.views(tx, [r]);
      await deleteRelationships(tx, { id });
      await tx.emit(EventSubject.RelationshipDeleted, { relationship: view });
      await tx.audit({ action: 'relationship.deleted', resource_type: 'relationship', resource_id: id, before: view });
      return { deleted: true as const };
    });
  }
}
