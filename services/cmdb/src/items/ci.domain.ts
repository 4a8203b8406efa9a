import { BUILTIN_CI_CLASSES, CiFieldChange, CreateCiDto, UpdateCiDto } from '@opsplane/contracts';
import { CiEntity } from './ci.entity';

/**
 * The configuration item's rules, without I/O: what a new item holds, what a patch changes (field by field,
 * attributes key by key, for the history), and how an item is identified. The service loads, calls these, and
 * records the outcome (row, history, events, audit) in one unit of work.
 */

export type CiChanges = Record<string, CiFieldChange>;

const clean = (s: string | null | undefined) => (s === undefined ? undefined : s === null ? null : s.trim() || null);

export function newCi(o: { id: string; tenantId: string; dto: CreateCiDto; createdBy: string | null; now: Date }): CiEntity {
  const { dto, now } = o;
  return Object.assign(new CiEntity(), {
    id: o.id,
    tenantId: o.tenantId,
    name: dto.name.trim(),
    class: dto.class,
    environment: clean(dto.environment) ?? null,
    owner: clean(dto.owner) ?? null,
    lifecycleStatus: dto.lifecycle_status ?? 'active',
    criticality: dto.criticality ?? null,
    attributes: withoutNulls(dto.attributes ?? {}),
    title: clean(dto.title) ?? null,
    positionX: dto.position?.x ?? null,
    positionY: dto.position?.y ?? null,
    createdBy: o.createdBy,
    createdAt: now,
    updatedAt: now,
    deletedAt: null,
    version: 1,
  } satisfies CiEntity);
}

function withoutNulls(a: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(a).filter(([, v]) => v !== null && v !== undefined));
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** The attribute keys that differ between two objects, as `attributes.<key>` changes. */
export function attributeChanges(before: Record<string, unknown>, after: Record<string, unknown>): CiChanges {
  const out: CiChanges = {};
  for (const k of new Set([...Object.keys(before), ...Object.keys(after)])) {
    if (!same(before[k], after[k])) out[`attributes.${k}`] = { from: before[k] ?? null, to: after[k] ?? null };
  }
  return out;
}

/**
 * Applies a patch to `e` in place; answers what changed (empty: nothing). `attributes` replaces the object, or
 * with `merge_attributes` is merged into it (a null value removes a key). Version and updated_at are the caller's.
 */
export function applyCiPatch(e: CiEntity, patch: UpdateCiDto): CiChanges {
  const changes: CiChanges = {};
  const set = <K extends keyof CiEntity>(key: K, field: string, value: CiEntity[K]) => {
    if (same(e[key], value)) return;
    changes[field] = { from: e[key], to: value };
    e[key] = value;
  };
  if (patch.name !== undefined) set('name', 'name', patch.name.trim());
  if (patch.class !== undefined) set('class', 'class', patch.class);
  if (patch.environment !== undefined) set('environment', 'environment', clean(patch.environment) ?? null);
  if (patch.owner !== undefined) set('owner', 'owner', clean(patch.owner) ?? null);
  if (patch.lifecycle_status !== undefined) set('lifecycleStatus', 'lifecycle_status', patch.lifecycle_status);
  if (patch.criticality !== undefined) set('criticality', 'criticality', patch.criticality ?? null);
  if (patch.title !== undefined) set('title', 'title', clean(patch.title) ?? null);
  if (patch.position !== undefined) {
    const before = e.positionX === null || e.positionY === null ? null : { x: e.positionX, y: e.positionY };
    const after = patch.position ? { x: patch.position.x, y: patch.position.y } : null;
    if (!same(before, after)) {
      changes.position = { from: before, to: after };
      e.positionX = after?.x ?? null;
      e.positionY = after?.y ?? null;
    }
  }
  if (patch.attributes !== undefined) {
    const next = patch.merge_attributes ? withoutNulls({ ...e.attributes, ...patch.attributes }) : withoutNulls(patch.attributes);
    Object.assign(changes, attributeChanges(e.attributes, next));
    e.attributes = next;
  }
  return changes;
}

/** What an import's item would change on the item it identifies (its fields as a full replacement, attributes merged). */
export function importPatch(dto: CreateCiDto): UpdateCiDto {
  return {
    name: dto.name,
    class: dto.class,
    ...(dto.environment !== undefined ? { environment: dto.environment } : {}),
    ...(dto.owner !== undefined ? { owner: dto.owner } : {}),
    ...(dto.lifecycle_status !== undefined ? { lifecycle_status: dto.lifecycle_status } : {}),
    ...(dto.criticality !== undefined ? { criticality: dto.criticality } : {}),
    ...(dto.title !== undefined ? { title: dto.title } : {}),
    ...(dto.position !== undefined ? { position: dto.position } : {}),
    ...(dto.attributes !== undefined ? { attributes: dto.attributes, merge_attributes: true } : {}),
  };
}

/** Identification lives in the contracts (the import CLI applies the same rule before sending). */
export type { CiIdentity } from '@opsplane/contracts';
export { ciIdentityOf as identityOf, ciNaturalKey as naturalKey } from '@opsplane/contracts';

export const isBuiltinClass = (c: string) => (BUILTIN_CI_CLASSES as readonly string[]).includes(c);
