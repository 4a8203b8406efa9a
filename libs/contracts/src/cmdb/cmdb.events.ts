import { Type } from 'class-transformer';
import { IsIn, IsInt, IsNumber, IsObject, IsOptional, IsString, IsUUID, Min, ValidateNested } from 'class-validator';
import { IsRfc3339DateTime } from '../common/time';
import {
  CI_CRITICALITIES,
  CI_LIFECYCLE_STATUSES,
  CiCriticality,
  CiFieldChange,
  CiLifecycleStatus,
  CiPositionView,
  CiRefView,
  CiView,
  RELATIONSHIP_TYPES,
  RelationshipType,
  RelationshipView,
} from './ci.model';

export class CmdbEventPosition implements CiPositionView {
  @IsNumber() x!: number;
  @IsNumber() y!: number;
}

/** The item as carried by events: a class (validated by consumers, mirrored in proto/) implementing the API's view. */
export class CmdbEventCi implements CiView {
  @IsUUID() id!: string;
  @IsString() name!: string;
  @IsString() class!: string;
  @IsOptional() @IsString() environment!: string | null;
  @IsOptional() @IsString() owner!: string | null;
  @IsIn(CI_LIFECYCLE_STATUSES) lifecycle_status!: CiLifecycleStatus;
  @IsOptional() @IsIn(CI_CRITICALITIES) criticality!: CiCriticality | null;
  @IsObject() attributes!: Record<string, unknown>;
  @IsOptional() @IsString() title!: string | null;
  @IsOptional() @ValidateNested() @Type(() => CmdbEventPosition) position!: CmdbEventPosition | null;
  @IsInt() @Min(0) relationship_count!: number;
  @IsOptional() @IsUUID() created_by!: string | null;
  @IsRfc3339DateTime() created_at!: string;
  @IsRfc3339DateTime() updated_at!: string;
  @IsOptional() @IsRfc3339DateTime() deleted_at!: string | null;
  @IsInt() @Min(1) version!: number;
}

export interface CiChangedData {
  ci: CiView;
  changes: Record<string, CiFieldChange>;
}

/**
 * `cmdb.ci.created.v1`, `cmdb.ci.updated.v1`, `cmdb.ci.deleted.v1`: the item after the write and what changed (empty
 * for a created item: `ci` holds all of it; the item's history keeps its first values).
 */
export class CiChangedV1 implements CiChangedData {
  @IsObject() @ValidateNested() @Type(() => CmdbEventCi) ci!: CmdbEventCi;
  /** field name → { from, to } (attributes per key, as `attributes.<key>`) */
  @IsObject() changes!: Record<string, CiFieldChange>;
}

export class CmdbEventCiRef implements CiRefView {
  @IsUUID() id!: string;
  @IsString() name!: string;
  @IsString() class!: string;
  @IsOptional() @IsString() environment!: string | null;
  @IsOptional() @IsIn(CI_CRITICALITIES) criticality!: CiCriticality | null;
}

export class CmdbEventRelationship implements RelationshipView {
  @IsUUID() id!: string;
  @IsUUID() source_id!: string;
  @IsUUID() target_id!: string;
  @IsIn(RELATIONSHIP_TYPES) type!: RelationshipType;
  @IsIn(CI_CRITICALITIES) criticality!: CiCriticality;
  @IsObject() @ValidateNested() @Type(() => CmdbEventCiRef) source!: CmdbEventCiRef;
  @IsObject() @ValidateNested() @Type(() => CmdbEventCiRef) target!: CmdbEventCiRef;
  @IsOptional() @IsUUID() created_by!: string | null;
  @IsRfc3339DateTime() created_at!: string;
  @IsRfc3339DateTime() updated_at!: string;
}

export interface RelationshipChangedData {
  relationship: RelationshipView;
}

/** `cmdb.relationship.created.v1`, `cmdb.relationship.updated.v1`, `cmdb.relationship.deleted.v1`. */
export class RelationshipChangedV1 implements RelationshipChangedData {
  @IsObject() @ValidateNested() @Type(() => CmdbEventRelationship) relationship!: CmdbEventRelationship;
}
