import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import {
  CiView,
  CreateInfraDto,
  EventSubject,
  ImportCisDto,
  InfraNodeView,
  InfraQueryDto,
  InfraView,
  InfraZoneView,
  RequestMeta,
  UpdateCiDto,
  UpdateInfraNodeDto,
  UpdateInfraZoneDto,
} from '@opsplane/contracts';
import { asTenantId, TenantTx } from '@opsplane/db';
import { AppError } from '@opsplane/errors';
import { RUNTIME, ServiceRuntime } from '@opsplane/runtime';
import { CiEntity, RelationshipEntity } from '../items/ci.entity';
import { CmdbErrors } from '../items/items.exception';
import { toCiRef, toRelationshipView } from '../items/ci.mapper';
import { findCis, insertRelationships, relationshipCounts } from '../items/items.repository';
import { ItemsService } from '../items/items.service';

/**
 * The second document's infrastructure view over the CMDB: nodes are configuration items, zones are items of a
 * zone class, a node is in a zone through a `part_of` relationship. Every write goes through the items' and
 * relationships' rules (identity, history, events, audit), so the view and the CMDB show one truth.
 */
@Injectable()
export class InfraService {
  constructor(
    @Inject(RUNTIME) private readonly rt: ServiceRuntime,
    private readonly items: ItemsService,
  ) {}

  private async zoneClasses(tx: TenantTx): Promise<string[]> {
    return (await this.items.classes(tx)).filter((c) => c.zone).map((c) => c.name);
  }

  async view(meta: RequestMeta, q: InfraQueryDto): Promise<InfraView> {
    return this.rt.tenantDb.run(asTenantId(meta.tenant_id), (tx) => this.viewIn(tx, q));
  }

  private async viewIn(tx: TenantTx, q: InfraQueryDto, only?: { nodes: string[]; zones: string[] }): Promise<InfraView> {
    const zoneClasses = await this.zoneClasses(tx);
    // Zones (every one: the view draws them all, whatever the environment asked), then the nodes asked.
    const zoneParams: unknown[] = [zoneClasses];
    const zoneOnly = only ? ` AND id = ANY($${zoneParams.push(only.zones)}::uuid[])` : '';
    const zones = (await tx.query(`SELECT id, name, class FROM cis WHERE deleted_at IS NULL AND class = ANY($1::text[])${zoneOnly} ORDER BY lower(name), id`, zoneParams)) as {
      id: string;
      name: string;
      class: string;
    }[];
    const nodeParams: unknown[] = [zoneClasses];
    const nodeEnv = q.environment?.length ? ` AND environment = ANY($${nodeParams.push(q.environment)}::text[])` : '';
    const nodeOnly = only ? ` AND id = ANY($${nodeParams.push(only.nodes)}::uuid[])` : '';
    const where = `deleted_at IS NULL AND NOT (class = ANY($1::text[]))${nodeEnv}${nodeOnly}`;
    const [{ n }] = (await tx.query(`SELECT count(*)::int AS n FROM cis WHERE ${where}`, nodeParams)) as { n: number }[];
    const nodes = (await tx.query(
      `SELECT id, name, class, title, environment, position_x, position_y FROM cis WHERE ${where} ORDER BY lower(name), id LIMIT $${nodeParams.push(q.max_nodes)}`,
      nodeParams,
    )) as { id: string; name: string; class: string; title: string | null; environment: string | null; position_x: number | null; position_y: number | null }[];
    const zoneIds = zones.map((z) => z.id);
    const members = zoneIds.length
      ? ((await tx.query(`SELECT source_id, target_id FROM relationships WHERE type = 'part_of' AND target_id = ANY($1::uuid[]) ORDER BY created_at, id`, [zoneIds])) as {
          source_id: string;
          target_id: string;
        }[])
      : [];
    const counts = await relationshipCounts(
      tx,
      nodes.map((x) => x.id),
    );
    const zonesOf = new Map<string, string[]>();
    for (const m of members) zonesOf.set(m.source_id, [...(zonesOf.get(m.source_id) ?? []), m.target_id]);
    return {
      nodes: nodes.map(
        (x): InfraNodeView => ({
          id: x.id,
          type: x.class,
          label: x.name,
          metadata: { type: x.class, custom_title: x.title, linked_count: counts.get(x.id) ?? 0 },
          position: x.position_x === null || x.position_y === null ? null : { x: x.position_x, y: x.position_y },
          environment_id: x.environment,
          zone_ids: zonesOf.get(x.id) ?? [],
        }),
      ),
      zones: zones.map(
        (z): InfraZoneView => ({ id: z.id, name: z.name, type: z.class, components: members.filter((m) => m.target_id === z.id).map((m) => m.source_id) }),
      ),
      total_nodes: n,
    };
  }

  /** Creates nodes and zones together (or nothing): an import of items (a node or zone already there by its identity is updated), zones' components related `part_of` them. */
  async create(meta: RequestMeta, dto: CreateInfraDto): Promise<InfraView> {
    return this.rt.tenantDb.run({ tenant: asTenantId(meta.tenant_id), actor: meta.actor }, async (tx) => {
      const zoneClasses = await this.zoneClasses(tx);
      const nodes = dto.nodes ?? [];
      const zones = dto.zones ?? [];
      nodes.forEach((x, i) => {
        const cls = x.metadata?.type ?? x.type;
        if (zoneClasses.includes(cls)) throw CmdbErrors.field(`nodes[${i}].type`, `${cls} is a zone class: create it under zones`);
      });
      zones.forEach((z, i) => {
        if (!zoneClasses.includes(z.type ?? 'zone')) throw CmdbErrors.field(`zones[${i}].type`, `${z.type} is not a zone class (${zoneClasses.join(', ')})`);
      });
      const imp: ImportCisDto = {
        items: [
          ...nodes.map((x) => ({
            name: x.label,
            class: x.metadata?.type ?? x.type,
            ...(x.environment_id !== undefined ? { environment: x.environment_id } : {}),
            ...(x.metadata?.custom_title !== undefined ? { title: x.metadata.custom_title } : {}),
            ...(x.position !== undefined ? { position: x.position } : {}),
          })),
          ...zones.map((z, i) => ({ name: z.name, class: z.type ?? 'zone', ref: `zone-${i}` })),
        ],
        relationships: zones.flatMap((z, i) => (z.components ?? []).map((c) => ({ source: { id: c }, target: { ref: `zone-${i}` }, type: 'part_of' as const }))),
      };
      let report;
      try {
        report = await this.items.importIn(tx, meta, imp);
      } catch (e) {
        throw renamed(e, nodes.length);
      }
      const ids = report.items.map((r) => r.id!);
      return this.viewIn(tx, { max_nodes: 5000 }, { nodes: ids.slice(0, nodes.length), zones: ids.slice(nodes.length) });
    });
  }

  async updateNode(meta: RequestMeta, id: string, patch: UpdateInfraNodeDto): Promise<InfraNodeView> {
    return this.rt.tenantDb.run({ tenant: asTenantId(meta.tenant_id), actor: meta.actor }, async (tx) => {
      const zoneClasses = await this.zoneClasses(tx);
      const cls = patch.metadata?.type ?? patch.type;
      if (cls !== undefined && zoneClasses.includes(cls)) throw CmdbErrors.field('type', `${cls} is a zone class: a node cannot become a zone`);
      const ci: UpdateCiDto = {
        ...(patch.label !== undefined ? { name: patch.label } : {}),
        ...(cls !== undefined ? { class: cls } : {}),
        ...(patch.environment_id !== undefined ? { environment: patch.environment_id } : {}),
        ...(patch.metadata?.custom_title !== undefined ? { title: patch.metadata.custom_title } : {}),
        ...(patch.position !== undefined ? { position: patch.position } : {}),
      };
      const view = await this.items.updateIn(tx, meta, id, ci, (e) => !zoneClasses.includes(e.class));
      return (await this.viewIn(tx, { max_nodes: 1 }, { nodes: [view.id], zones: [] })).nodes[0];
    });
  }

  async deleteNode(meta: RequestMeta, id: string): Promise<{ deleted: true }> {
    return this.rt.tenantDb.run({ tenant: asTenantId(meta.tenant_id), actor: meta.actor }, async (tx) => {
      const zoneClasses = await this.zoneClasses(tx);
      return this.items.removeIn(tx, meta, id, (e) => !zoneClasses.includes(e.class));
    });
  }

  /** Renames or retypes a zone; `components` replaces its members (part_of relationships added and removed, each with its event). */
  async updateZone(meta: RequestMeta, id: string, patch: UpdateInfraZoneDto): Promise<InfraZoneView> {
    return this.rt.tenantDb.run({ tenant: asTenantId(meta.tenant_id), actor: meta.actor }, async (tx) => {
      const zoneClasses = await this.zoneClasses(tx);
      if (patch.type !== undefined && !zoneClasses.includes(patch.type)) throw CmdbErrors.field('type', `${patch.type} is not a zone class (${zoneClasses.join(', ')})`);
      const isZone = (e: CiEntity) => zoneClasses.includes(e.class);
      const zone: CiView = await this.items.updateIn(tx, meta, id, { ...(patch.name !== undefined ? { name: patch.name } : {}), ...(patch.type !== undefined ? { class: patch.type } : {}) }, isZone);
      if (patch.components !== undefined) await this.setComponents(tx, meta, zone, patch.components);
      return (await this.viewIn(tx, { max_nodes: 1 }, { nodes: [], zones: [id] })).zones[0];
    });
  }

  async deleteZone(meta: RequestMeta, id: string): Promise<{ deleted: true }> {
    return this.rt.tenantDb.run({ tenant: asTenantId(meta.tenant_id), actor: meta.actor }, async (tx) => {
      const zoneClasses = await this.zoneClasses(tx);
      return this.items.removeIn(tx, meta, id, (e) => zoneClasses.includes(e.class));
    });
  }

  private async setComponents(tx: TenantTx, meta: RequestMeta, zone: CiView, wanted: string[]): Promise<void> {
    const want = [...new Set(wanted)].filter((x) => x !== zone.id);
    const found = await findCis(tx, want);
    const missing = want.filter((x) => !found.has(x));
    if (missing.length) throw CmdbErrors.field('components', `item(s) not found: ${missing.slice(0, 20).join(', ')}`);
    const current = (await tx.query(`SELECT id, source_id FROM relationships WHERE type = 'part_of' AND target_id = $1`, [zone.id])) as { id: string; source_id: string }[];
    const now = new Date();
    const zoneRef = { id: zone.id, name: zone.name, class: zone.class, environment: zone.environment, criticality: zone.criticality };
    const removed = current.filter((c) => !want.includes(c.source_id));
    if (removed.length) {
      const rows = (await tx.query(`DELETE FROM relationships WHERE id = ANY($1::uuid[]) RETURNING id, source_id, target_id, type, criticality, created_by, created_at, updated_at`, [
        removed.map((r) => r.id),
      ])) as unknown;
      const list = (Array.isArray(rows) && rows.length === 2 && Array.isArray(rows[0]) ? rows[0] : rows) as Record<string, unknown>[];
      const ends = await findCis(
        tx,
        list.map((r) => r.source_id as string),
      );
      for (const r of list) {
        const rel = Object.assign(new RelationshipEntity(), {
          id: r.id as string,
          tenantId: tx.tenant,
          sourceId: r.source_id as string,
          targetId: zone.id,
          type: 'part_of',
          criticality: r.criticality as string,
          createdBy: (r.created_by as string | null) ?? null,
          createdAt: r.created_at as Date,
          updatedAt: now,
        });
        const src = ends.get(rel.sourceId);
        await tx.emit(EventSubject.RelationshipDeleted, {
          relationship: toRelationshipView(rel, src ? toCiRef(src) : { id: rel.sourceId, name: '', class: '', environment: null, criticality: null }, zoneRef),
        });
      }
    }
    const have = new Set(current.map((c) => c.source_id));
    const adds = want
      .filter((x) => !have.has(x))
      .map((source) =>
        Object.assign(new RelationshipEntity(), {
          id: randomUUID(),
          tenantId: tx.tenant,
          sourceId: source,
          targetId: zone.id,
          type: 'part_of',
          criticality: 'medium',
          createdBy: meta.actor?.user_id ?? null,
          createdAt: now,
          updatedAt: now,
        } satisfies RelationshipEntity),
      );
    for (const r of await insertRelationships(tx, adds)) {
      await tx.emit(EventSubject.RelationshipCreated, { relationship: toRelationshipView(r, toCiRef(found.get(r.sourceId)!), zoneRef) });
    }
    if (removed.length || adds.length) {
      await tx.audit({ action: 'zone.components_set', resource_type: 'ci', resource_id: zone.id, before: { components: current.map((c) => c.source_id) }, after: { components: want } });
    }
  }
}

/** An import's row names (items[3], relationships[2]) in the infrastructure request's terms (nodes[3], zones[0].components). */
function renamed(e: unknown, nodeCount: number): unknown {
  if (!(e instanceof AppError) || !e.details?.fields) return e;
  const fields = e.details.fields.map((f) => {
    const m = /^items\[(\d+)\](.*)$/.exec(f.field);
    if (!m) return { ...f, field: f.field.startsWith('relationships') ? 'zones.components' : f.field };
    const i = Number(m[1]);
    const rest = m[2].replace(/^\.name/, '.label').replace(/^\.class/, '.type').replace(/^\.environment/, '.environment_id');
    return { ...f, field: i < nodeCount ? `nodes[${i}]${rest}` : `zones[${i - nodeCount}]${rest.replace('.label', '.name')}` };
  });
  return AppError.validation(fields);
}
