import { INCIDENT_HOLD_REASONS, IncidentHoldReason } from '../sla/sla.model';
import { SLA_FILTERS, SlaFilter } from '../sla/sla.dto';
import { IsRfc3339DateTime } from '../common/time';
import { Transform, Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsIn,
  IsNotEmpty,
  IsOptional,
  IsObject,
  IsString,
  Matches,
  ValidateNested,
  MaxLength,
} from 'class-validator';
import { ChangedSinceQueryDto, CommaList } from '../common/pagination';
import { IsOptionalNonNull } from '../common/optional';
import {
  CRITICALITIES,
  Criticality,
  INCIDENT_STATUSES,
  IncidentStatus,
  PRIORITIES,
  Priority,
  SEVERITIES,
  Severity,
  URGENCIES,
  Urgency,
} from './incident.model';

const upper = () => Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim().toUpperCase() : value));
const lower = () => Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim().toLowerCase() : value));
/** "major" is the second document's word for an impact; "high"/"medium"/"low" are accepted as impact names too. */
const impact = () =>
  Transform(({ value }: { value: unknown }) => {
    if (typeof value !== 'string') return value;
    const v = value.trim().toLowerCase();
    return ({ high: 'major', medium: 'moderate', low: 'minor' } as Record<string, string>)[v] ?? v;
  });

const TAG = /^[^\s,][^,]{0,99}$/;

class IncidentFieldsDto {
  @IsOptionalNonNull()
  @IsString()
  @MaxLength(20000)
  description?: string;

  @IsOptionalNonNull()
  @upper()
  @IsIn(SEVERITIES)
  severity?: Severity;

  @IsOptionalNonNull()
  @lower()
  @IsIn(PRIORITIES)
  priority?: Priority;

  @IsOptional()
  @impact()
  @IsIn(CRITICALITIES)
  criticality?: Criticality;

  @IsOptional()
  @lower()
  @IsIn(URGENCIES)
  urgency?: Urgency;

  @IsOptional()
  @IsString()
  @MaxLength(320)
  assigned_to?: string | null;

  /** Waiting on a customer, a vendor or a change (null: not on hold). The SLA clock pauses when the policy says so. */
  @IsOptional()
  @IsIn(INCIDENT_HOLD_REASONS)
  hold_reason?: IncidentHoldReason | null;

  @IsOptionalNonNull()
  @IsArray()
  @ArrayMaxSize(100)
  @IsString({ each: true })
  @MaxLength(200, { each: true })
  affected_services?: string[];

  @IsOptionalNonNull()
  @IsArray()
  @ArrayMaxSize(50)
  @Matches(TAG, { each: true, message: 'each tag must be 1-100 characters without commas' })
  tags?: string[];

  /** The configuration items affected: CMDB item ids or names (any case), checked in the tenant's CMDB and kept as ids (unknown, another tenant's or ambiguous: 422). */
  @IsOptionalNonNull()
  @IsArray()
  @ArrayMaxSize(100)
  @IsString({ each: true })
  @MaxLength(200, { each: true })
  ci_ids?: string[];
}

export class CreateIncidentDto extends IncidentFieldsDto {
  @IsString()
  @IsNotEmpty()
  @MaxLength(500)
  title!: string;

  @IsOptionalNonNull()
  @IsString()
  @IsNotEmpty()
  @MaxLength(100)
  source?: string;
}

export class UpdateIncidentDto extends IncidentFieldsDto {
  @IsOptionalNonNull()
  @IsString()
  @IsNotEmpty()
  @MaxLength(500)
  title?: string;

  @IsOptionalNonNull()
  @lower()
  @IsIn(INCIDENT_STATUSES)
  status?: IncidentStatus;

  @IsOptionalNonNull()
  @IsString()
  @MaxLength(20000)
  resolution_notes?: string;

  @IsOptionalNonNull()
  @IsString()
  @MaxLength(320)
  resolved_by?: string;

  /** A note recorded on the timeline with this change. */
  @IsOptionalNonNull()
  @IsString()
  @MaxLength(20000)
  comment?: string;
}

export const INCIDENT_SORTS = [
  'created_at',
  '-created_at',
  'updated_at',
  '-updated_at',
  'priority',
  '-priority',
  'severity',
  '-severity',
  'reference',
  '-reference',
  'status',
  '-status',
] as const;
export type IncidentSort = (typeof INCIDENT_SORTS)[number];

export class ListIncidentsQueryDto extends ChangedSinceQueryDto {
  @IsOptionalNonNull()
  @CommaList()
  @IsIn(INCIDENT_STATUSES, { each: true })
  status?: IncidentStatus[];

  @IsOptionalNonNull()
  @CommaList()
  @Transform(({ value }: { value: unknown }) => (Array.isArray(value) ? value.map((v) => String(v).toUpperCase()) : value))
  @IsIn(SEVERITIES, { each: true })
  severity?: Severity[];

  @IsOptionalNonNull()
  @CommaList()
  @Transform(({ value }: { value: unknown }) => (Array.isArray(value) ? value.map((v) => String(v).toLowerCase()) : value))
  @IsIn(PRIORITIES, { each: true })
  priority?: Priority[];

  @IsOptional()
  @IsString()
  @MaxLength(320)
  assigned_to?: string;

  @IsOptionalNonNull()
  @IsString()
  @MaxLength(100)
  source?: string;

  @IsOptional()
  @IsString()
  @MaxLength(200)
  ci_id?: string;

  @IsOptional()
  @IsString()
  @MaxLength(100)
  tag?: string;

  @IsOptional()
  @IsString()
  @MaxLength(200)
  q?: string;

  @IsOptional()
  @IsRfc3339DateTime()
  created_from?: string;

  @IsOptional()
  @IsRfc3339DateTime()
  created_to?: string;

  /** breached: a timer passed its target; at_risk: a running timer passed its at-risk share (none breached). */
  @IsOptional()
  @IsIn(SLA_FILTERS)
  sla?: SlaFilter;

  @IsOptional()
  @IsIn(INCIDENT_SORTS)
  sort: IncidentSort = '-created_at';
}

export class IncidentRefDto {
  /** A uuid or a reference such as INC-00000001. */
  @IsString()
  @Matches(/^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|INC-\d{1,12})$/i, {
    message: 'id must be a uuid or a reference like INC-00000001',
  })
  id!: string;
}

export class UpdateIncidentCommand extends IncidentRefDto {
  @IsObject()
  @ValidateNested()
  @Type(() => UpdateIncidentDto)
  patch!: UpdateIncidentDto;
}

export class AddCommentDto {
  @IsString()
  @IsNotEmpty()
  @MaxLength(20000)
  body!: string;
}

export class AddCommentCommand extends IncidentRefDto {
  @IsObject()
  @ValidateNested()
  @Type(() => AddCommentDto)
  comment!: AddCommentDto;
}

/** Comments or timeline entries (never edited): `updated_since` keeps those added since. */
export class IncidentPageQueryDto extends ChangedSinceQueryDto {}

export class ListByIncidentQuery extends IncidentRefDto {
  @IsObject()
  @ValidateNested()
  @Type(() => IncidentPageQueryDto)
  page!: IncidentPageQueryDto;
}
