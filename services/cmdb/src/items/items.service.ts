import { Inject, Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import {
  BUILTIN_CI_CLASSES,
  CiClassView,
  CiHistoryEntryView,
  CiHistoryQueryDto,
  CiImportReportView,
  CiListQueryDto,
  ciIdentityKeys,
  CiView,
  CreateCiClassDto,
  CreateCiDto,
  EventSubject,
  ImportCisDto,
  RequestMeta,
  ResolvedCisView,
  UpdateCiDto,
  ZONE_CI_CLASSES,
} from '@opsplane/contracts';
import { asTenantId, assertIfMatch, idempotentCreate, TenantTx } from '@opsplane/db';
import { AppError, ErrorCode, Page } from '@opsplane/errors';
import { RUNTIME, ServiceRuntime } from '@opsplane/runtime';
import { CiEntity, RelationshipEntity } from './ci.entity';
import { applyCiPatch, attributeChanges, CiChanges, CiIdentity, identityOf, importPatch, isBuiltinClass, newCi } from './ci.domain';
import { CmdbErrors } from './items.exception';
import { toCiRef, toCiView, toRelationshipView } from './ci.mapper';
import {
  classInUse,
  deleteClass,
  deleteRelationships,
  findCisByIdOrName,
  findCi,
  findCis,
  HistoryRow,
  identify,
  insertCis,
  insertClass,
  insertHistory,
  insertRelationships,
  listCis,
  listClassRows,
  listHistory,
  relationshipCounts,
  updateCi,
} from './items.repository';

const sqlStateOf = (e: unknown) => (e as { driverError?: { code?: string } })?.driverError?.code ?? (e as { code?: string })?.code;

/** A unique index refused the write: another live item has this identity (a concurrent write got there first). */
function clashOr(e: unknown, what: string): never {
  if (sqlStateOf(e) === '23505') throw new AppError(ErrorCode.CONFLICT, `${what}: another live item has the same identity (class, name and environment; k8s_uid; serial; or hostname)`);
  throw e;
}

/** A new item's fields as history changes (from nothing). */
function creationChanges(v: CiView): CiChanges {
  const out: CiChanges = {};
  for (const k of ['name', 'class', 'environment', 'owner', 'lifecycle_status', 'criticality', 'title', 'position'] as const) {
    if (v[k] !== null && v[k] !== undefined) out[k] = { from: null, to: v[k] };
  }
  return { ...out, ...attributeChanges({}, v.attributes) };
}

/** Which of an item's identities an existing item holds (for the 409's message). */
function clashingKey(id: CiIdentity, e: CiEntity): string {
  const other = identityOf(e);
  if (id.k8sUid && id.k8sUid === other.k8sUid) return `k8s_uid ${id.k8sUid}`;
  if (id.serial && id.serial === other.serial && e.class) return `serial ${id.serial}`;
  if (id.hostname && id.hostname === other.hostname) return `hostname ${id.hostname}`;
  return `${e.class} ${e.name}${e.environment ? ` (${e.environment})` : ''}`;
}

/** Live items by each of their identities, for finding the one an identity names (most trusted key first). */
class IdentityIndex {
  private readonly byKey = new Map<string, CiEntity>();

  constructor(existing: CiEntity[]) {
    for (const e of existing) {
      const i = identityOf(e);
      if (i.k8sUid) this.byKey.set(`k8s:${i.k8sUid}`, e);
      if (i.serial) this.byKey.set(`serial:${e.class}:${i.serial}`, e);
      if (i.hostname) this.byKey.set(`host:${e.class}:${i.hostname}`, e);
      this.byKey.set(`nat:${i.natural}`, e);
    }
  }

  match(cls: string, id: CiIdentity): CiEntity | undefined {
    return (
      (id.k8sUid ? this.byKey.get(`k8s:${id.k8sUid}`) : undefined) ??
      (id.serial ? this.byKey.get(`serial:${cls}:${id.serial}`) : undefined) ??
      (id.hostname ? this.byKey.get(`host:${cls}:${id.hostname}`) : undefined) ??
      this.byKey.get(`nat:${id.natural}`)
    );
  }
}

/** The existing item an identity names, most trusted key first. */
function matchOf(cls: string, id: CiIdentity, existing: CiEntity[]): CiEntity | undefined {
  return new IdentityIndex(existing).match(cls, id);
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** An import writing at least this many rows refreshes the planner's statistics (see analyzeSoon). */
const ANALYZE_AFTER_ROWS = 1000;
const ANALYZE_EVERY_MS = 30_000;

function historyRow(meta: RequestMeta, ciId: string, action: string, changes: CiChanges, at: Date): HistoryRow {
  return { ciId, at, action, actorId: meta.actor?.user_id ?? null, actorEmail: meta.actor?.email ?? null, changes };
}

/** Refuses classes the tenant may not use (neither built in nor its own), naming each field. */
async function assertClasses(tx: TenantTx, wanted: { field: string; cls: string }[]): Promise<void> {
  const unknown = wanted.filter((w) => !isBuiltinClass(w.cls));
  if (!unknown.length) return;
  const own = new Set((await listClassRows(tx)).map((c) => c.name));
  const bad = unknown.filter((w) => !own.has(w.cls));
  if (bad.length) {
    throw AppError.validation(
      bad.slice(0, 20).map((b) => ({ field: b.field, message: `unknown class "${b.cls}": use a built-in class (GET /api/cmdb/classes) or add it with POST /api/cmdb/classes` })),
    );
  }
}

/** Thrown to roll a dry run's unit of work back. */
const DRY_RUN = Symbol('dry run');

@Injectable()
export class ItemsService implements OnModuleDestroy {
  constructor(@Inject(RUNTIME) private readonly rt: ServiceRuntime) {}

  /** The classes the tenant may use: built in, and its own. */
  async classes(tx: TenantTx): Promise<CiClassView[]> {
    const own = await listClassRows(tx);
    return [
      ...BUILTIN_CI_CLASSES.map((name) => ({ name, description: '', builtin: true, zone: (ZONE_CI_CLASSES as readonly string[]).includes(name) })),
      ...own.map((c) => ({ name: c.name, description: c.description, builtin: false, zone: c.zone })),
    ];
  }

  /** Refuses a write that would give an item the identity another live item holds (409 naming it). */
  private async assertUnique(tx: TenantTx, e: CiEntity): Promise<void> {
    const id = identityOf(e);
    const clash = (await identify(tx, [{ cls: e.class, identity: id }])).find((x) => x.id !== e.id && matchOf(e.class, id, [x]));
    if (clash) throw CmdbErrors.duplicate(clashingKey(id, clash), clash.id);
  }

  private async view(tx: TenantTx, e: CiEntity): Promise<CiView> {
    return toCiView(e, (await relationshipCounts(tx, [e.id])).get(e.id) ?? 0);
  }

  /** Creates an item (safe to retry with an Idempotency-Key); another live item with its identity is a 409. */
  async create(meta: RequestMeta, dto: CreateCiDto): Promise<CiView> {
    const tenant = asTenantId(meta.tenant_id);
    return idempotentCreate(this.rt.tenantDb, tenant, meta.idempotency_key, 'cmdb.ci.create', dto, (record) =>
      this.rt.tenantDb.run({ tenant, actor: meta.actor }, async (tx) => {
        await assertClasses(tx, [{ field: 'class', cls: dto.class }]);
        const now = new Date();
        const e = newCi({ id: randomUUID(), tenantId: tenant, dto, createdBy: meta.actor?.user_id ?? null, now });
        await this.assertUnique(tx, e);
        await insertCis(tx, [e]).catch((err) => clashOr(err, 'This item'));
        const view = toCiView(e, 0);
        const changes = creationChanges(view);
        await insertHistory(tx, [historyRow(meta, e.id, 'created', changes, now)]);
        await tx.emit(EventSubject.CiCreated, { ci: view, changes: {} });
        await tx.audit({ action: 'ci.created', resource_type: 'ci', resource_id: view.id, after: view });
        await record(tx, view);
        return view;
      }),
    );
  }

  /** Items named by id or by name (any case), in the caller's tenant: each ref's item, or none, or the items a name is ambiguous between. */
  async resolve(meta: RequestMeta, refs: string[]): Promise<ResolvedCisView> {
    const ids = refs.filter((r) => UUID.test(r));
    const rows = refs.length ? await this.rt.tenantDb.run(asTenantId(meta.tenant_id), (tx) => findCisByIdOrName(tx, ids, refs)) : [];
    return {
      items: refs.map((ref) => {
        if (rows.some((r) => r.id === ref.toLowerCase())) return { ref, id: ref.toLowerCase(), candidates: [] };
        const named = rows.filter((r) => r.name.toLowerCase() === ref.toLowerCase()).map((r) => r.id);
        return { ref, id: named.length === 1 ? named[0] : null, candidates: named.length > 1 ? named : [] };
      }),
    };
  }

  async get(meta: RequestMeta, id: string): Promise<CiView> {
    return this.rt.tenantDb.run(asTenantId(meta.tenant_id), async (tx) => {
      const e = await findCi(tx, id);
      if (!e) throw CmdbErrors.notFound(id);
      return this.view(tx, e);
    });
  }

  async list(meta: RequestMeta, q: CiListQueryDto): Promise<Page<CiView>> {
    return this.rt.tenantDb.run(asTenantId(meta.tenant_id), async (tx) => {
      const { rows, total } = await listCis(tx, q);
      const counts = await relationshipCounts(
        tx,
        rows.map((r) => r.id),
      );
      return { items: rows.map((r) => toCiView(r, counts.get(r.id) ?? 0)), total, limit: q.limit, offset: q.offset };
    });
  }

  /** Changes an item (If-Match against its version); its history, event and audit entry in the same unit of work. */
  async update(meta: RequestMeta, id: string, patch: UpdateCiDto): Promise<CiView> {
    return this.rt.tenantDb.run({ tenant: asTenantId(meta.tenant_id), actor: meta.actor }, (tx) => this.updateIn(tx, meta, id, patch));
  }

  /** The update, in the caller's unit of work (`accept` may refuse the item as found, e.g. a node that is a zone). */
  async updateIn(tx: TenantTx, meta: RequestMeta, id: string, patch: UpdateCiDto, accept: (e: CiEntity) => boolean = () => true): Promise<CiView> {
    const e = await findCi(tx, id, { lock: true });
    if (!e || !accept(e)) throw CmdbErrors.notFound(id);
    assertIfMatch(meta.if_match, e.version, 'Configuration item');
    if (patch.class !== undefined) await assertClasses(tx, [{ field: 'class', cls: patch.class }]);
    const before = toCiView(e, 0);
    const changes = applyCiPatch(e, patch);
    if (!Object.keys(changes).length) return this.view(tx, e);
    await this.assertUnique(tx, e);
    const now = new Date();
    e.version += 1;
    e.updatedAt = now;
    await updateCi(tx, e).catch((err) => clashOr(err, 'This change'));
    await insertHistory(tx, [historyRow(meta, e.id, 'updated', changes, now)]);
    const view = await this.view(tx, e);
    await tx.emit(EventSubject.CiUpdated, { ci: view, changes });
    await tx.audit({ action: 'ci.updated', resource_type: 'ci', resource_id: id, before, after: view });
    return view;
  }

  /** Deletes an item softly (kept with its history; its relationships are removed, each with its event). */
  async remove(meta: RequestMeta, id: string): Promise<{ deleted: true }> {
    return this.rt.tenantDb.run({ tenant: asTenantId(meta.tenant_id), actor: meta.actor }, (tx) => this.removeIn(tx, meta, id));
  }

  /** The delete, in the caller's unit of work (`accept` as for updateIn). */
  async removeIn(tx: TenantTx, meta: RequestMeta, id: string, accept: (e: CiEntity) => boolean = () => true): Promise<{ deleted: true }> {
    const e = await findCi(tx, id, { lock: true });
    if (!e || !accept(e)) throw CmdbErrors.notFound(id);
    assertIfMatch(meta.if_match, e.version, 'Configuration item');
    const before = await this.view(tx, e);
    const gone = await deleteRelationships(tx, { ciId: id });
    await this.emitRelationshipsDeleted(tx, gone);
    const now = new Date();
    e.deletedAt = now;
    e.updatedAt = now;
    e.version += 1;
    await updateCi(tx, e);
    const changes = { deleted_at: { from: null, to: now.toISOString() } };
    await insertHistory(tx, [historyRow(meta, id, 'deleted', { ...changes, ...(gone.length ? { relationships_removed: { from: gone.length, to: 0 } } : {}) }, now)]);
    await tx.emit(EventSubject.CiDeleted, { ci: toCiView(e, 0), changes });
    await tx.audit({ action: 'ci.deleted', resource_type: 'ci', resource_id: id, before });
    return { deleted: true as const };
  }

  /** Brings a deleted item back (without its relationships); 409 when another live item took its identity meanwhile. */
  async restore(meta: RequestMeta, id: string): Promise<CiView> {
    return this.rt.tenantDb.run({ tenant: asTenantId(meta.tenant_id), actor: meta.actor }, async (tx) => {
      const e = await findCi(tx, id, { includeDeleted: true, lock: true });
      if (!e) throw CmdbErrors.notFound(id);
      if (!e.deletedAt) return this.view(tx, e);
      const clash = (await identify(tx, [{ cls: e.class, identity: identityOf(e) }])).find((x) => x.id !== e.id && matchOf(e.class, identityOf(e), [x]));
      if (clash) throw CmdbErrors.restoreClash(clash.id);
      const now = new Date();
      const changes = { deleted_at: { from: e.deletedAt.toISOString(), to: null } };
      e.deletedAt = null;
      e.updatedAt = now;
      e.version += 1;
      await updateCi(tx, e).catch((err) => clashOr(err, 'This item'));
      await insertHistory(tx, [historyRow(meta, id, 'restored', changes, now)]);
      const view = toCiView(e, 0);
      await tx.emit(EventSubject.CiUpdated, { ci: view, changes });
      await tx.audit({ action: 'ci.restored', resource_type: 'ci', resource_id: id, after: view });
      return view;
    });
  }

  async historyOf(meta: RequestMeta, q: CiHistoryQueryDto): Promise<Page<CiHistoryEntryView>> {
    return this.rt.tenantDb.run(asTenantId(meta.tenant_id), async (tx) => {
      if (!(await findCi(tx, q.id, { includeDeleted: true }))) throw CmdbErrors.notFound(q.id);
      const { rows, total } = await listHistory(tx, q.id, q);
      return {
        items: rows.map((r) => ({ at: r.at.toISOString(), action: r.action as CiHistoryEntryView['action'], actor_id: r.actorId, actor_email: r.actorEmail, changes: r.changes })),
        total,
        limit: q.limit,
        offset: q.offset,
      };
    });
  }

  async emitRelationshipsDeleted(tx: TenantTx, gone: RelationshipEntity[]): Promise<void> {
    if (!gone.length) return;
    const ends = await findCis(tx, [...new Set(gone.flatMap((r) => [r.sourceId, r.targetId]))]);
    const deleted = await findCisAny(tx, gone, ends);
    for (const r of gone) {
      await tx.emit(EventSubject.RelationshipDeleted, { relationship: toRelationshipView(r, deleted(r.sourceId), deleted(r.targetId)) });
    }
  }

  /**
   * Items and relationships written together or not at all. Each item is matched to the live item it identifies
   * (k8s_uid, then serial, then hostname, then class + name + environment): that item is updated with the fields
   * given (attributes merged) or left alone when nothing differs; otherwise it is created. Relationships name their
   * ends by id or by an item's `ref`; an existing relationship is left as it is. A bad row names itself (items[3].class).
   */
  async import(meta: RequestMeta, dto: ImportCisDto): Promise<CiImportReportView> {
    const scope = { tenant: asTenantId(meta.tenant_id), actor: meta.actor };
    if (!dto.dry_run) {
      const report = await this.rt.tenantDb.run(scope, (tx) => this.importIn(tx, meta, dto));
      if (report.created + report.updated + report.relationships_created >= ANALYZE_AFTER_ROWS) this.analyzeSoon();
      return report;
    }
    // A dry run does all the work in its unit of work and rolls it back: the same checks, nothing kept.
    let report: CiImportReportView | undefined;
    await this.rt.tenantDb
      .run(scope, async (tx) => {
        report = await this.importIn(tx, meta, dto);
        throw DRY_RUN;
      })
      .catch((e: unknown) => {
        if (e !== DRY_RUN) throw e;
      });
    return { ...report!, items: report!.items.map((it) => (it.result === 'created' ? { ...it, id: null } : it)), dry_run: true };
  }

  private readonly log = new Logger('CmdbImport');
  private analyzing = false;
  private analyzeTimer?: NodeJS.Timeout;
  private lastAnalyze = 0;

  /**
   * After a large import, fresh planner statistics for the items and relationships (in the background, one at a
   * time, at most every ANALYZE_EVERY_MS per replica): a tenant that just loaded 100k items otherwise has its items
   * read by id through a scan of the tenant until autovacuum comes by (if it is on).
   */
  onModuleDestroy(): void {
    clearTimeout(this.analyzeTimer);
  }

  private analyzeSoon(): void {
    if (this.analyzeTimer) return;
    const wait = this.analyzing ? ANALYZE_EVERY_MS : this.lastAnalyze + ANALYZE_EVERY_MS - Date.now();
    if (wait > 0) {
      // The last import of a series gets its statistics too, once the interval has passed.
      this.analyzeTimer = setTimeout(() => {
        this.analyzeTimer = undefined;
        this.analyzeSoon();
      }, wait);
      this.analyzeTimer.unref();
      return;
    }
    this.analyzing = true;
    this.lastAnalyze = Date.now();
    void this.rt.dataSource
      .query(`SELECT "${this.rt.schema}".analyze_after_import()`)
      .catch((e: unknown) => this.log.warn(`statistics after an import: ${String(e)}`))
      .finally(() => (this.analyzing = false));
  }

  /** The import, in the caller's unit of work. */
  importIn(tx: TenantTx, meta: RequestMeta, dto: ImportCisDto): Promise<CiImportReportView> {
    return importItems(tx, meta, dto);
  }

  // ---------------------------------------------------------------- classes

  async listClasses(meta: RequestMeta): Promise<Page<CiClassView>> {
    return this.rt.tenantDb.run(asTenantId(meta.tenant_id), async (tx) => {
      const all = await this.classes(tx);
      return { items: all, total: all.length, limit: all.length, offset: 0 };
    });
  }

  async createClass(meta: RequestMeta, dto: CreateCiClassDto): Promise<CiClassView> {
    return this.rt.tenantDb.run({ tenant: asTenantId(meta.tenant_id), actor: meta.actor }, async (tx) => {
      if (isBuiltinClass(dto.name) || !(await insertClass(tx, { name: dto.name, description: dto.description ?? '', zone: dto.zone ?? false }))) throw CmdbErrors.classExists(dto.name);
      const view: CiClassView = { name: dto.name, description: dto.description ?? '', builtin: false, zone: dto.zone ?? false };
      await tx.audit({ action: 'ci_class.created', resource_type: 'ci_class', resource_id: dto.name, after: view });
      return view;
    });
  }

  async deleteClass(meta: RequestMeta, name: string): Promise<{ deleted: true }> {
    return this.rt.tenantDb.run({ tenant: asTenantId(meta.tenant_id), actor: meta.actor }, async (tx) => {
      const used = await classInUse(tx, name);
      if (used) throw CmdbErrors.classInUse(name, used);
      if (!(await deleteClass(tx, name))) throw CmdbErrors.classNotFound(name);
      await tx.audit({ action: 'ci_class.deleted', resource_type: 'ci_class', resource_id: name });
      return { deleted: true as const };
    });
  }
}

/** The import, in the caller's unit of work (`ItemsService.importIn`; also what discovery writes through). */
export async function importItems(tx: TenantTx, meta: RequestMeta, dto: ImportCisDto): Promise<CiImportReportView> {
  const tenant = tx.tenant;
  const items = dto.items;
  await assertClasses(
    tx,
    items.map((it, i) => ({ field: `items[${i}].class`, cls: it.class })),
  );
  // References and identities are unique within the import.
  const refs = new Map<string, number>();
  const seen = new Map<string, number>();
  const identities = items.map((it) => identityOf(it));
  items.forEach((it, i) => {
    if (it.ref !== undefined) {
      if (refs.has(it.ref)) throw CmdbErrors.field(`items[${i}].ref`, `ref "${it.ref}" is used by items[${refs.get(it.ref)}] too`);
      refs.set(it.ref, i);
    }
    for (const { key } of ciIdentityKeys(it)) {
      if (seen.has(key)) throw CmdbErrors.field(`items[${i}]`, `identifies the same item as items[${seen.get(key)}]`);
      seen.set(key, i);
    }
  });
  const existing = await identify(
    tx,
    items.map((it, i) => ({ cls: it.class, identity: identities[i] })),
  );
  const index = new IdentityIndex(existing);
  const now = new Date();
  const report: CiImportReportView = { created: 0, updated: 0, unchanged: 0, relationships_created: 0, relationships_unchanged: 0, items: [], dry_run: false };
  const created: CiEntity[] = [];
  const history: HistoryRow[] = [];
  const events: { subject: EventSubject.CiCreated | EventSubject.CiUpdated; view: CiView; changes: CiChanges }[] = [];
  const idOf: string[] = [];
  const claimed = new Map<string, number>();
  for (const [i, it] of items.entries()) {
    const match = index.match(it.class, identities[i]);
    if (match && claimed.has(match.id)) throw CmdbErrors.field(`items[${i}]`, `identifies item ${match.id}, as items[${claimed.get(match.id)}] does`);
    if (!match) {
      const e = newCi({ id: randomUUID(), tenantId: tenant, dto: it, createdBy: meta.actor?.user_id ?? null, now });
      created.push(e);
      idOf.push(e.id);
      report.created += 1;
      report.items.push({ id: e.id, result: 'created' });
      const view = toCiView(e, 0);
      const changes = creationChanges(view);
      history.push(historyRow(meta, e.id, 'created', changes, now));
      events.push({ subject: EventSubject.CiCreated, view, changes: {} });
      continue;
    }
    claimed.set(match.id, i);
    idOf.push(match.id);
    const changes = applyCiPatch(match, importPatch(it));
    if (!Object.keys(changes).length) {
      report.unchanged += 1;
      report.items.push({ id: match.id, result: 'unchanged' });
      continue;
    }
    match.version += 1;
    match.updatedAt = now;
    await updateCi(tx, match).catch((err) => clashOr(err, `items[${i}]`));
    report.updated += 1;
    report.items.push({ id: match.id, result: 'updated' });
    history.push(historyRow(meta, match.id, 'updated', changes, now));
    events.push({ subject: EventSubject.CiUpdated, view: toCiView(match, 0), changes });
  }
  await insertCis(tx, created).catch((err) => clashOr(err, 'An imported item'));

  // Relationships: ends by id (live items of this tenant) or by ref.
  const rels = dto.relationships ?? [];
  const byId = await findCis(tx, [...new Set(rels.flatMap((r) => [r.source.id, r.target.id]).filter((x): x is string => !!x))]);
  const endOf = (i: number, side: 'source' | 'target'): string => {
    const end = rels[i][side];
    if ((end.id === undefined) === (end.ref === undefined)) throw CmdbErrors.field(`relationships[${i}].${side}`, 'give either id or ref');
    if (end.ref !== undefined) {
      const at = refs.get(end.ref);
      if (at === undefined) throw CmdbErrors.field(`relationships[${i}].${side}.ref`, `no item of this import has ref "${end.ref}"`);
      return idOf[at];
    }
    if (!byId.has(end.id!)) throw CmdbErrors.field(`relationships[${i}].${side}.id`, `item ${end.id} not found`);
    return end.id!;
  };
  const edges = rels.map((r, i) => {
    const e = Object.assign(new RelationshipEntity(), {
      id: randomUUID(),
      tenantId: tenant,
      sourceId: endOf(i, 'source'),
      targetId: endOf(i, 'target'),
      type: r.type,
      criticality: r.criticality ?? 'medium',
      createdBy: meta.actor?.user_id ?? null,
      createdAt: now,
      updatedAt: now,
    } satisfies RelationshipEntity);
    if (e.sourceId === e.targetId) throw CmdbErrors.field(`relationships[${i}]`, 'an item cannot be related to itself');
    return e;
  });
  const distinct = [...new Map(edges.map((e) => [`${e.sourceId}/${e.targetId}/${e.type}`, e])).values()];
  const added = await insertRelationships(tx, distinct);
  report.relationships_created = added.length;
  report.relationships_unchanged = edges.length - added.length;

  await insertHistory(tx, history);
  const all = new Map([...created.map((c) => [c.id, c] as const), ...existing.map((c) => [c.id, c] as const)]);
  const more = await findCis(tx, [...new Set(added.flatMap((r) => [r.sourceId, r.targetId]))].filter((id) => !all.has(id)));
  const ref = (id: string) => toCiRef(all.get(id) ?? more.get(id)!);
  for (const ev of events) await tx.emit(ev.subject, { ci: ev.view, changes: ev.changes });
  for (const r of added) await tx.emit(EventSubject.RelationshipCreated, { relationship: toRelationshipView(r, ref(r.sourceId), ref(r.targetId)) });
  const counts = { created: report.created, updated: report.updated, unchanged: report.unchanged, relationships_created: report.relationships_created };
  await tx.audit({ action: 'ci.imported', resource_type: 'ci_import', resource_id: randomUUID(), after: counts });
  return report;
}

/** The ends of removed relationships, live or (the item being deleted) not. */
async function findCisAny(tx: TenantTx, gone: RelationshipEntity[], live: Map<string, CiEntity>) {
  const missing = [...new Set(gone.flatMap((r) => [r.sourceId, r.targetId]))].filter((id) => !live.has(id));
  const others = new Map<string, CiEntity>();
  for (const id of missing) {
    const e = await findCi(tx, id, { includeDeleted: true });
    if (e) others.set(id, e);
  }
  return (id: string) => toCiRef(live.get(id) ?? others.get(id)!);
}
