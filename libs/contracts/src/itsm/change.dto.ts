import { Transform, Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsNotEmpty,
  IsObject,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import { IsOptionalNonNull } from '../common/optional';
import { ChangedSinceQueryDto, CommaList } from '../common/pagination';
import { IsRfc3339DateTime } from '../common/time';
import {
  CHANGE_APPROVAL_ACTIONS,
  CHANGE_APPROVAL_STATUSES,
  CHANGE_PRIORITIES,
  CHANGE_RISK_LEVELS,
  CHANGE_STATUSES,
  CHANGE_TYPES,
  ChangeApprovalAction,
  ChangeApprovalStatus,
  ChangePriority,
  ChangeRiskLevel,
  ChangeStatus,
  ChangeType,
} from './change.model';

const lower = () => Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim().toLowerCase() : value));
/** `normal` is the second document's word for a medium priority. */
const priority = () =>
  Transform(({ value }: { value: unknown }) => {
    if (typeof value !== 'string') return value;
    const v = value.trim().toLowerCase();
    return v === 'normal' ? 'medium' : v;
  });
const lowerList = () => Transform(({ value }: { value: unknown }) => (Array.isArray(value) ? value.map((v) => String(v).toLowerCase()) : value));

/** The second names a request may use for a change's fields (after camelCase is mapped to snake_case). */
export const CHANGE_FIELD_ALIASES = { change_type: 'type', rollback_plan: 'backout_plan' } as const;

class ChangeFieldsDto {
  @IsOptionalNonNull()
  @IsString()
  @MaxLength(20000)
  description?: string;

  @IsOptionalNonNull()
  @priority()
  @IsIn(CHANGE_PRIORITIES)
  priority?: ChangePriority;

  @IsOptionalNonNull()
  @lower()
  @IsIn(CHANGE_RISK_LEVELS)
  risk_level?: ChangeRiskLevel;

  /** Who asked for the change (an e-mail address or a user id); the creator when not given. */
  @IsOptional()
  @IsString()
  @MaxLength(320)
  requested_by?: string | null;

  @IsOptional()
  @IsString()
  @MaxLength(320)
  assigned_to?: string | null;

  /** The configuration items the change touches: CMDB item ids or names, checked in the tenant's CMDB and kept as ids (unknown, another tenant's or ambiguous: 422). */
  @IsOptionalNonNull()
  @IsArray()
  @ArrayMaxSize(100)
  @IsString({ each: true })
  @MaxLength(200, { each: true })
  ci_ids?: string[];

  @IsOptional()
  @IsRfc3339DateTime()
  requested_start?: string | null;

  @IsOptional()
  @IsRfc3339DateTime()
  requested_end?: string | null;

  /** The planned window (the requested one when not given). */
  @IsOptional()
  @IsRfc3339DateTime()
  scheduled_start?: string | null;

  @IsOptional()
  @IsRfc3339DateTime()
  scheduled_end?: string | null;

  @IsOptional()
  @IsString()
  @MaxLength(50000)
  implementation_plan?: string | null;

  /** Also accepted as `rollback_plan` (first document) and `backoutPlan` (second). */
  @IsOptional()
  @IsString()
  @MaxLength(50000)
  backout_plan?: string | null;

  @IsOptional()
  @IsString()
  @MaxLength(50000)
  test_plan?: string | null;
}

/** Creates a change (`changeType`/`type`, `riskLevel`/`risk_level`, ... in either document's names). */
export class CreateChangeDto extends ChangeFieldsDto {
  @IsString()
  @IsNotEmpty()
  @MaxLength(500)
  title!: string;

  /** Also accepted as `change_type` / `changeType`. Default `normal`. */
  @IsOptionalNonNull()
  @lower()
  @IsIn(CHANGE_TYPES)
  type?: ChangeType;

  /**
   * `draft` keeps it out of approval until submitted; default: `pending_approval` (a standard
   * change is pre-approved: `approved`).
   */
  @IsOptionalNonNull()
  @lower()
  @IsIn(['draft', 'pending_approval'])
  status?: 'draft' | 'pending_approval';
}

export class UpdateChangeDto extends ChangeFieldsDto {
  @IsOptionalNonNull()
  @IsString()
  @IsNotEmpty()
  @MaxLength(500)
  title?: string;

  @IsOptionalNonNull()
  @lower()
  @IsIn(CHANGE_TYPES)
  type?: ChangeType;

  /** A move of the state machine (approved and rejected are decided by `/approval`). */
  @IsOptionalNonNull()
  @lower()
  @IsIn(CHANGE_STATUSES)
  status?: ChangeStatus;

  @IsOptional()
  @IsRfc3339DateTime()
  actual_start?: string | null;

  @IsOptional()
  @IsRfc3339DateTime()
  actual_end?: string | null;

  /** Required when the change fails: whether the backout plan was carried out. */
  @IsOptionalNonNull()
  @IsBoolean()
  backout_performed?: boolean;

  @IsOptionalNonNull()
  @IsString()
  @MaxLength(20000)
  closure_notes?: string;

  /** The post-implementation review (an emergency change needs one before it is closed). */
  @IsOptionalNonNull()
  @IsString()
  @IsNotEmpty()
  @MaxLength(20000)
  review_notes?: string;

  /** A note recorded on the timeline with this change. */
  @IsOptionalNonNull()
  @IsString()
  @MaxLength(20000)
  comment?: string;
}

export class ChangeApprovalDto {
  @lower()
  @IsIn(CHANGE_APPROVAL_ACTIONS)
  action!: ChangeApprovalAction;

  @IsOptionalNonNull()
  @IsString()
  @MaxLength(20000)
  comments?: string;

  /** An admin approving a change despite its conflicts says why (recorded with the approval). */
  @IsOptionalNonNull()
  @IsString()
  @IsNotEmpty()
  @MaxLength(2000)
  override_reason?: string;
}

class FreezeWindowFieldsDto {
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  reason?: string | null;

  /** The configuration items it covers (CMDB ids or names, kept as ids); empty or absent: all of them. */
  @IsOptionalNonNull()
  @IsArray()
  @ArrayMaxSize(500)
  @IsString({ each: true })
  @MaxLength(200, { each: true })
  ci_ids?: string[];
}

export class CreateFreezeWindowDto extends FreezeWindowFieldsDto {
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  name!: string;

  @IsRfc3339DateTime()
  start!: string;

  @IsRfc3339DateTime()
  end!: string;
}

export class UpdateFreezeWindowDto extends FreezeWindowFieldsDto {
  @IsOptionalNonNull()
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  name?: string;

  @IsOptionalNonNull()
  @IsRfc3339DateTime()
  start?: string;

  @IsOptionalNonNull()
  @IsRfc3339DateTime()
  end?: string;
}

export class FreezeWindowRefDto {
  @IsUUID()
  id!: string;
}

export class UpdateFreezeWindowCommand extends FreezeWindowRefDto {
  @IsObject()
  @ValidateNested()
  @Type(() => UpdateFreezeWindowDto)
  patch!: UpdateFreezeWindowDto;
}

/** Freeze windows that end at or after `from` and start at or before `to`, earliest first. */
export class ListFreezeWindowsQueryDto extends ChangedSinceQueryDto {
  @IsOptional()
  @IsRfc3339DateTime()
  from?: string;

  @IsOptional()
  @IsRfc3339DateTime()
  to?: string;
}

/** The calendar of a range (at most 366 days). */
export class ChangeCalendarQueryDto {
  @IsRfc3339DateTime()
  from!: string;

  @IsRfc3339DateTime()
  to!: string;
}

export const CHANGE_SORTS = [
  'created_at',
  '-created_at',
  'updated_at',
  '-updated_at',
  'scheduled_start',
  '-scheduled_start',
  'priority',
  '-priority',
  'risk_level',
  '-risk_level',
  'reference',
  '-reference',
] as const;
export type ChangeSort = (typeof CHANGE_SORTS)[number];

export class ListChangesQueryDto extends ChangedSinceQueryDto {
  @IsOptionalNonNull()
  @CommaList()
  @lowerList()
  @IsIn(CHANGE_STATUSES, { each: true })
  status?: ChangeStatus[];

  @IsOptionalNonNull()
  @CommaList()
  @lowerList()
  @IsIn(CHANGE_TYPES, { each: true })
  type?: ChangeType[];

  @IsOptionalNonNull()
  @CommaList()
  @lowerList()
  @IsIn(CHANGE_RISK_LEVELS, { each: true })
  risk_level?: ChangeRiskLevel[];

  @IsOptionalNonNull()
  @CommaList()
  @lowerList()
  @IsIn(CHANGE_APPROVAL_STATUSES, { each: true })
  approval_status?: ChangeApprovalStatus[];

  @IsOptional()
  @IsString()
  @MaxLength(320)
  assigned_to?: string;

  @IsOptional()
  @IsString()
  @MaxLength(200)
  ci_id?: string;

  /** Changes whose window (scheduled, else requested) ends at or after this. */
  @IsOptional()
  @IsRfc3339DateTime()
  from?: string;

  /** Changes whose window starts at or before this. */
  @IsOptional()
  @IsRfc3339DateTime()
  to?: string;

  /** Words of the title or description. */
  @IsOptional()
  @IsString()
  @MaxLength(200)
  q?: string;

  @IsOptional()
  @IsIn(CHANGE_SORTS)
  sort: ChangeSort = '-created_at';
}

export class ChangeRefDto {
  /** A uuid or a reference such as CHG-00000001. */
  @IsString()
  @Matches(/^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|CHG-\d{1,12})$/i, {
    message: 'id must be a uuid or a reference like CHG-00000001',
  })
  id!: string;
}

export class UpdateChangeCommand extends ChangeRefDto {
  @IsObject()
  @ValidateNested()
  @Type(() => UpdateChangeDto)
  patch!: UpdateChangeDto;
}

export class ChangeApprovalCommand extends ChangeRefDto {
  @IsObject()
  @ValidateNested()
  @Type(() => ChangeApprovalDto)
  decision!: ChangeApprovalDto;
}

/** Timeline entries (never edited): `updated_since` keeps those added since. */
export class ChangePageQueryDto extends ChangedSinceQueryDto {}

export class ListByChangeQuery extends ChangeRefDto {
  @IsObject()
  @ValidateNested()
  @Type(() => ChangePageQueryDto)
  page!: ChangePageQueryDto;
}

export class ChangeApprovalRuleDto {
  @IsInt()
  @Min(0)
  @Max(10)
  approvals!: number;

  /** Of the approvals, how many must come from change managers (admins, owners, the CAB). */
  @IsInt()
  @Min(0)
  @Max(10)
  manager_approvals!: number;
}

class NormalChangeRulesDto {
  @IsObject() @ValidateNested() @Type(() => ChangeApprovalRuleDto) low!: ChangeApprovalRuleDto;
  @IsObject() @ValidateNested() @Type(() => ChangeApprovalRuleDto) medium!: ChangeApprovalRuleDto;
  @IsObject() @ValidateNested() @Type(() => ChangeApprovalRuleDto) high!: ChangeApprovalRuleDto;
  @IsObject() @ValidateNested() @Type(() => ChangeApprovalRuleDto) critical!: ChangeApprovalRuleDto;
}

/** Replaces the tenant's change approval policy (admins). */
export class ChangeApprovalPolicyDto {
  @IsObject()
  @ValidateNested()
  @Type(() => NormalChangeRulesDto)
  normal!: NormalChangeRulesDto;

  @IsObject()
  @ValidateNested()
  @Type(() => ChangeApprovalRuleDto)
  emergency!: ChangeApprovalRuleDto;

  @IsOptionalNonNull()
  @IsArray()
  @ArrayMaxSize(200)
  @IsUUID('all', { each: true })
  cab?: string[];
}
