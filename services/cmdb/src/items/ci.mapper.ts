import { CiCriticality, CiLifecycleStatus, CiRefView, CiView, RelationshipType, RelationshipView } from '@opsplane/contracts';
import { CiEntity, RelationshipEntity } from './ci.entity';

/** An item as the API answers it. */
export function toCiView(e: CiEntity, relationshipCount = 0): CiView {
  return {
    id: e.id,
    name: e.name,
    class: e.class,
    environment: e.environment,
    owner: e.owner,
    lifecycle_status: e.lifecycleStatus as CiLifecycleStatus,
    criticality: e.criticality as CiCriticality | null,
    attributes: e.attributes,
    title: e.title,
    position: e.positionX === null || e.positionY === null ? null : { x: e.positionX, y: e.positionY },
    relationship_count: relationshipCount,
    created_by: e.createdBy,
    created_at: e.createdAt.toISOString(),
    updated_at: e.updatedAt.toISOString(),
    deleted_at: e.deletedAt ? e.deletedAt.toISOString() : null,
    version: e.version,
  };
}

export function toCiRef(e: Pick<CiEntity, 'id' | 'name' | 'class' | 'environment' | 'criticality'>): CiRefView {
  return { id: e.id, name: e.name, class: e.class, environment: e.environment, criticality: e.criticality as CiCriticality | null };
}

export function toRelationshipView(r: RelationshipEntity, source: CiRefView, target: CiRefView): RelationshipView {
  return {
    id: r.id,
    source_id: r.sourceId,
    target_id: r.targetId,
    type: r.type as RelationshipType,
    criticality: r.criticality as CiCriticality,
    source,
    target,
    created_by: r.createdBy,
    created_at: r.createdAt.toISOString(),
    updated_at: r.updatedAt.toISOString(),
  };
}
