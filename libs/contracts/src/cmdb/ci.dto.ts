import { Transform, Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsNotEmpty,
  IsNumber,
  IsObject,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateBy,
  ValidateNested,
  ValidationOptions,
} from 'class-validator';
import { IsOptionalNonNull } from '../common/optional';
import { ChangedSinceQueryDto, CommaList } from '../common/pagination';
import {
  CI_CLASS_PATTERN,
  CI_CRITICALITIES,
  CI_IDENTIFYING_ATTRIBUTES,
  CI_LIFECYCLE_STATUSES,
  CI_SORTS,
  CiCriticality,
  CiLifecycleStatus,
  CiSort,
  RELATIONSHIP_TYPES,
  RelationshipType,
} from './ci.model';

const lower = () => Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim().toLowerCase() : value));
const lowerList = () => Transform(({ value }: { value: unknown }) => (Array.isArray(value) ? value.map((v) => String(v).toLowerCase()) : value));

export const MAX_CI_ATTRIBUTES = 200;

/**
 * An item's free attributes: an object of at most 200 keys (each at most 100 characters); the identifying
 * ones (`k8s_uid`, `serial`, `hostname`), when given, are non-empty strings of at most 255 characters.
 */
export const IsCiAttributes = (options?: ValidationOptions) =>
  ValidateBy(
    {
      name: 'isCiAttributes',
      validator: {
        validate: (value: unknown) => {
          if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
          const keys = Object.keys(value);
          if (keys.length > MAX_CI_ATTRIBUTES || keys.some((k) => !k.length || k.length > 100)) return false;
          return CI_IDENTIFYING_ATTRIBUTES.every((k) => {
            const v = (value as Record<string, unknown>)[k];
            return v === undefined || v === null || (typeof v === 'string' && v.trim().length > 0 && v.length <= 255);
          });
        },
        defaultMessage: () =>
          `attributes must be an object of at most ${MAX_CI_ATTRIBUTES} keys (each 1-100 characters); ${CI_IDENTIFYING_ATTRIBUTES.join(', ')} must be non-empty strings of at most 255 characters`,
      },
    },
    options,
  );

export class CiPositionDto {
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(-1e9)
  @Max(1e9)
  x!: number;

  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(-1e9)
  @Max(1e9)
  y!: number;
}

const CLASS_MESSAGE = 'class must be lower case letters, digits and underscores, starting with a letter (2-63 characters)';

class CiFieldsDto {
  @IsOptional()
  @IsString()
  @MaxLength(100)
  environment?: string | null;

  /** A user (e-mail) or a team name. */
  @IsOptional()
  @IsString()
  @MaxLength(320)
  owner?: string | null;

  @IsOptionalNonNull()
  @lower()
  @IsIn(CI_LIFECYCLE_STATUSES)
  lifecycle_status?: CiLifecycleStatus;

  @IsOptional()
  @lower()
  @IsIn(CI_CRITICALITIES)
  criticality?: CiCriticality | null;

  @IsOptionalNonNull()
  @IsObject()
  @IsCiAttributes()
  attributes?: Record<string, unknown>;

  /** The infrastructure view's title (metadata.customTitle). */
  @IsOptional()
  @IsString()
  @MaxLength(255)
  title?: string | null;

  @IsOptional()
  @ValidateNested()
  @Type(() => CiPositionDto)
  position?: CiPositionDto;
}

/** Creates a configuration item. Another live item with the same identity (see CI_IDENTIFYING_ATTRIBUTES) is a 409. */
export class CreateCiDto extends CiFieldsDto {
  @IsString()
  @IsNotEmpty()
  @MaxLength(255)
  name!: string;

  /** Its class: built in (server, database, service, ...) or one the tenant added. */
  @IsString()
  @lower()
  @Matches(CI_CLASS_PATTERN, { message: CLASS_MESSAGE })
  class!: string;
}

/** Changes an item: only the fields given; `attributes` replaces the whole object (null values remove keys with merge_attributes). */
export class UpdateCiDto extends CiFieldsDto {
  @IsOptionalNonNull()
  @IsString()
  @IsNotEmpty()
  @MaxLength(255)
  name?: string;

  @IsOptionalNonNull()
  @IsString()
  @lower()
  @Matches(CI_CLASS_PATTERN, { message: CLASS_MESSAGE })
  class?: string;

  /** Merge the given attributes into the item's (a null value removes a key) instead of replacing them. */
  @IsOptionalNonNull()
  @IsBoolean()
  merge_attributes?: boolean;
}

export class UpdateCiRequestDto {
  @IsUUID()
  id!: string;

  @ValidateNested()
  @Type(() => UpdateCiDto)
  patch!: UpdateCiDto;
}

export class CiRefDto {
  @IsUUID()
  id!: string;
}

export class CiListQueryDto extends ChangedSinceQueryDto {
  @IsOptionalNonNull()
  @CommaList()
  @lowerList()
  @Matches(CI_CLASS_PATTERN, { each: true })
  class?: string[];

  @IsOptionalNonNull()
  @CommaList()
  @IsString({ each: true })
  @MaxLength(100, { each: true })
  environment?: string[];

  @IsOptional()
  @IsString()
  @MaxLength(320)
  owner?: string;

  @IsOptionalNonNull()
  @CommaList()
  @lowerList()
  @IsIn(CI_LIFECYCLE_STATUSES, { each: true })
  lifecycle_status?: CiLifecycleStatus[];

  @IsOptionalNonNull()
  @CommaList()
  @lowerList()
  @IsIn(CI_CRITICALITIES, { each: true })
  criticality?: CiCriticality[];

  /** Words of the name or title. */
  @IsOptional()
  @IsString()
  @MaxLength(200)
  q?: string;

  /** Attribute equality: `attr.os=Ubuntu 22.04` in the query string (each `attr.<key>` one condition). */
  @IsOptionalNonNull()
  @IsObject()
  @IsCiAttributes()
  attr?: Record<string, string>;

  /** Also deleted items. */
  @IsOptional()
  @Transform(({ value }: { value: unknown }) => (value === 'true' || value === true ? true : value === 'false' || value === false ? false : value))
  @IsBoolean()
  include_deleted?: boolean;

  @IsOptional()
  @IsIn(CI_SORTS)
  sort: CiSort = 'name';
}

/** An item's history, newest first; updated_since keeps the entries recorded at or after it. */
export class CiHistoryQueryDto extends ChangedSinceQueryDto {
  @IsUUID()
  id!: string;
}

export class CreateCiClassDto {
  @IsString()
  @lower()
  @Matches(CI_CLASS_PATTERN, { message: 'name must be lower case letters, digits and underscores, starting with a letter (2-63 characters)' })
  name!: string;

  @IsOptionalNonNull()
  @IsString()
  @MaxLength(2000)
  description?: string;

  /** Items of the class group others (drawn as zones of the infrastructure view). */
  @IsOptionalNonNull()
  @IsBoolean()
  zone?: boolean;
}

export class CiClassRefDto {
  @IsString()
  @lower()
  @Matches(CI_CLASS_PATTERN)
  name!: string;
}

// ---------------------------------------------------------------- relationships

export class CreateRelationshipDto {
  /** The dependent end (affected when the target fails). */
  @IsUUID()
  source_id!: string;

  @IsUUID()
  target_id!: string;

  @IsString()
  @lower()
  @IsIn(RELATIONSHIP_TYPES)
  type!: RelationshipType;

  /** How much the source suffers when the target fails (default medium). */
  @IsOptionalNonNull()
  @lower()
  @IsIn(CI_CRITICALITIES)
  criticality?: CiCriticality;
}

export class UpdateRelationshipDto {
  @IsString()
  @lower()
  @IsIn(CI_CRITICALITIES)
  criticality!: CiCriticality;
}

export class UpdateRelationshipRequestDto {
  @IsUUID()
  id!: string;

  @ValidateNested()
  @Type(() => UpdateRelationshipDto)
  patch!: UpdateRelationshipDto;
}

export class RelationshipRefDto {
  @IsUUID()
  id!: string;
}

/** Oldest first; updated_since keeps those created or changed at or after it. */
export class RelationshipListQueryDto extends ChangedSinceQueryDto {
  /** Relationships with this item at either end. */
  @IsOptional()
  @IsUUID()
  ci_id?: string;

  @IsOptional()
  @IsUUID()
  source_id?: string;

  @IsOptional()
  @IsUUID()
  target_id?: string;

  @IsOptionalNonNull()
  @CommaList()
  @lowerList()
  @IsIn(RELATIONSHIP_TYPES, { each: true })
  type?: RelationshipType[];
}

// ---------------------------------------------------------------- impact

export const MAX_IMPACT_DEPTH = 10;
export const DEFAULT_IMPACT_DEPTH = 6;
export const MAX_IMPACT_ROOTS = 100;
/** Items answered unless max_items says otherwise (the walk covers the whole radius either way; `total` counts it). */
export const DEFAULT_IMPACT_ITEMS = 100;
export const MAX_IMPACT_ITEMS = 5000;

export class ImpactQueryDto {
  /** One or several items (repeated or comma-separated), e.g. what an incident's ci_ids touch. */
  @CommaList()
  @IsArray()
  @ArrayMinSize(1, { message: 'ci_id is required' })
  @ArrayMaxSize(MAX_IMPACT_ROOTS)
  @IsUUID('all', { each: true })
  ci_id!: string[];

  /** upstream (default): what depends on them, the blast radius; downstream: what they depend on. */
  @IsOptional()
  @lower()
  @IsIn(['upstream', 'downstream'])
  direction: 'upstream' | 'downstream' = 'upstream';

  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_IMPACT_DEPTH)
  depth: number = DEFAULT_IMPACT_DEPTH;

  /** At most this many items answered (nearest first); `total` counts them all. */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_IMPACT_ITEMS)
  max_items: number = DEFAULT_IMPACT_ITEMS;
}

// ---------------------------------------------------------------- links with incidents and changes

/** Items named by id or by name (an incident's or a change's ci_ids). */
export class ResolveCisDto {
  @IsArray()
  @ArrayMaxSize(500)
  @IsString({ each: true })
  @MaxLength(255, { each: true })
  refs!: string[];
}

/** Items by id (whose incidents or changes are asked). */
export class CiIdsDto {
  @IsArray()
  @ArrayMaxSize(5000)
  @IsUUID('all', { each: true })
  ci_ids!: string[];
}

// ---------------------------------------------------------------- bulk import

export const MAX_IMPORT_ITEMS = 5000;
export const MAX_IMPORT_RELATIONSHIPS = 20000;

/** An item of an import: created, or the item it identifies updated. `ref` names it for the import's relationships. */
export class ImportCiDto extends CreateCiDto {
  @IsOptionalNonNull()
  @IsString()
  @IsNotEmpty()
  @MaxLength(255)
  ref?: string;
}

/** An end of an imported relationship: an item's id, or the `ref` of an item of the same import. */
export class ImportEndDto {
  @IsOptionalNonNull()
  @IsUUID()
  id?: string;

  @IsOptionalNonNull()
  @IsString()
  @IsNotEmpty()
  @MaxLength(255)
  ref?: string;
}

export class ImportRelationshipDto {
  @ValidateNested()
  @Type(() => ImportEndDto)
  source!: ImportEndDto;

  @ValidateNested()
  @Type(() => ImportEndDto)
  target!: ImportEndDto;

  @IsString()
  @lower()
  @IsIn(RELATIONSHIP_TYPES)
  type!: RelationshipType;

  @IsOptionalNonNull()
  @lower()
  @IsIn(CI_CRITICALITIES)
  criticality?: CiCriticality;
}

/** Items and relationships written together or not at all. */
export class ImportCisDto {
  @IsArray()
  @ArrayMaxSize(MAX_IMPORT_ITEMS)
  @ValidateNested({ each: true })
  @Type(() => ImportCiDto)
  items: ImportCiDto[] = [];

  @IsOptionalNonNull()
  @IsArray()
  @ArrayMaxSize(MAX_IMPORT_RELATIONSHIPS)
  @ValidateNested({ each: true })
  @Type(() => ImportRelationshipDto)
  relationships?: ImportRelationshipDto[];

  /** Check everything (fields, classes, identities, references) and report what would happen, writing nothing. */
  @IsOptional()
  @IsBoolean()
  dry_run?: boolean;
}

// ---------------------------------------------------------------- the infrastructure view (second document)

export class InfraNodeMetadataDto {
  /** The component's kind (its item's class); wins over the node's type. */
  @IsOptionalNonNull()
  @IsString()
  @lower()
  @Matches(CI_CLASS_PATTERN, { message: CLASS_MESSAGE })
  type?: string;

  /** customTitle */
  @IsOptional()
  @IsString()
  @MaxLength(255)
  custom_title?: string | null;
}

class InfraNodeFieldsDto {
  @IsOptionalNonNull()
  @ValidateNested()
  @Type(() => InfraNodeMetadataDto)
  metadata?: InfraNodeMetadataDto;

  @IsOptional()
  @ValidateNested()
  @Type(() => CiPositionDto)
  position?: CiPositionDto;

  /** environmentId */
  @IsOptional()
  @IsString()
  @MaxLength(100)
  environment_id?: string | null;
}

export class CreateInfraNodeDto extends InfraNodeFieldsDto {
  /** The node's kind: its item's class (metadata.type, when given, wins). */
  @IsString()
  @lower()
  @Matches(CI_CLASS_PATTERN, { message: CLASS_MESSAGE })
  type!: string;

  /** Its item's name. */
  @IsString()
  @IsNotEmpty()
  @MaxLength(255)
  label!: string;
}

export class UpdateInfraNodeDto extends InfraNodeFieldsDto {
  @IsOptionalNonNull()
  @IsString()
  @lower()
  @Matches(CI_CLASS_PATTERN, { message: CLASS_MESSAGE })
  type?: string;

  @IsOptionalNonNull()
  @IsString()
  @IsNotEmpty()
  @MaxLength(255)
  label?: string;
}

export class CreateInfraZoneDto {
  @IsString()
  @IsNotEmpty()
  @MaxLength(255)
  name!: string;

  /** A zone class (zone, vpc, region, network, or the tenant's own zone classes); zone when absent. */
  @IsOptionalNonNull()
  @IsString()
  @lower()
  @Matches(CI_CLASS_PATTERN, { message: CLASS_MESSAGE })
  type?: string;

  /** The items part of it. */
  @IsOptionalNonNull()
  @IsArray()
  @ArrayMaxSize(5000)
  @IsUUID('all', { each: true })
  components?: string[];
}

export class UpdateInfraZoneDto {
  @IsOptionalNonNull()
  @IsString()
  @IsNotEmpty()
  @MaxLength(255)
  name?: string;

  @IsOptionalNonNull()
  @IsString()
  @lower()
  @Matches(CI_CLASS_PATTERN, { message: CLASS_MESSAGE })
  type?: string;

  /** The items part of it, all of them (replaces the list). */
  @IsOptionalNonNull()
  @IsArray()
  @ArrayMaxSize(5000)
  @IsUUID('all', { each: true })
  components?: string[];
}

/** Nodes and zones created together or not at all. */
export class CreateInfraDto {
  @IsOptionalNonNull()
  @IsArray()
  @ArrayMaxSize(1000)
  @ValidateNested({ each: true })
  @Type(() => CreateInfraNodeDto)
  nodes?: CreateInfraNodeDto[];

  @IsOptionalNonNull()
  @IsArray()
  @ArrayMaxSize(200)
  @ValidateNested({ each: true })
  @Type(() => CreateInfraZoneDto)
  zones?: CreateInfraZoneDto[];
}

export class UpdateInfraNodeRequestDto {
  @IsUUID()
  id!: string;

  @ValidateNested()
  @Type(() => UpdateInfraNodeDto)
  patch!: UpdateInfraNodeDto;
}

export class UpdateInfraZoneRequestDto {
  @IsUUID()
  id!: string;

  @ValidateNested()
  @Type(() => UpdateInfraZoneDto)
  patch!: UpdateInfraZoneDto;
}

export class InfraQueryDto {
  @IsOptionalNonNull()
  @CommaList()
  @IsString({ each: true })
  @MaxLength(100, { each: true })
  environment?: string[];

  /** At most this many nodes (by label); total_nodes counts them all. */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(5000)
  max_nodes: number = 1000;
}
