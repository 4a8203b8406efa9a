import { Type } from 'class-transformer';
import { IsArray, IsBoolean, IsIn, IsInt, IsObject, IsOptional, IsString, IsUUID, Matches, Max, Min, ValidateNested } from 'class-validator';
import type { FieldChange } from '../incidents/incident.model';
import { IsRfc3339DateTime } from '../common/time';
import {
  CHANGE_APPROVAL_ACTIONS,
  CHANGE_APPROVAL_STATUSES,
  CHANGE_PRIORITIES,
  CHANGE_RISK_LEVELS,
  CHANGE_STATUSES,
  CHANGE_TYPES,
  ChangeApprovalAction,
  ChangeApprovalRuleView,
  ChangeApprovalStatus,
  ChangeApprovalView,
  ChangeConflictView,
  ChangeCreatedData,
  ChangeDecidedData,
  ChangePriority,
  ChangeRiskLevel,
  ChangeStatus,
  ChangeStatusChangedData,
  ChangeType,
  ChangeUpdatedData,
  ChangeView,
} from './change.model';

const REF = /^CHG-\d{8,}$/;

export class ChangeEventApprovalRule implements ChangeApprovalRuleView {
  @IsInt() @Min(0) approvals!: number;
  @IsInt() @Min(0) manager_approvals!: number;
}

export class ChangeEventApproval implements ChangeApprovalView {
  @IsOptional() @IsUUID() approver_id!: string | null;
  @IsOptional() @IsString() approver_email!: string | null;
  @IsString() approver_role!: string;
  @IsBoolean() manager!: boolean;
  @IsIn(CHANGE_APPROVAL_ACTIONS) action!: ChangeApprovalAction;
  @IsOptional() @IsString() comments!: string | null;
  /** Added to v1 compatibly. */
  @IsOptional() @IsString() override_reason!: string | null;
  @IsRfc3339DateTime() created_at!: string;
}

export class ChangeEventConflict implements ChangeConflictView {
  @IsIn(['change', 'freeze']) kind!: 'change' | 'freeze';
  @IsUUID() id!: string;
  @IsOptional() @IsString() reference!: string | null;
  @IsString() title!: string;
  @IsRfc3339DateTime() start!: string;
  @IsRfc3339DateTime() end!: string;
  @IsArray() @IsString({ each: true }) ci_ids!: string[];
}

/** The change as carried by events: a class (validated by consumers, mirrored in proto/) implementing the API's view. */
export class ChangeEventChange implements ChangeView {
  @IsUUID() id!: string;
  @Matches(REF) reference!: string;
  @IsString() title!: string;
  @IsString() description!: string;
  @IsIn(CHANGE_TYPES) type!: ChangeType;
  @IsIn(CHANGE_TYPES) change_type!: ChangeType;
  @IsIn(CHANGE_STATUSES) status!: ChangeStatus;
  @IsIn(CHANGE_PRIORITIES) priority!: ChangePriority;
  @IsIn(CHANGE_RISK_LEVELS) risk_level!: ChangeRiskLevel;
  @IsIn(CHANGE_APPROVAL_STATUSES) approval_status!: ChangeApprovalStatus;
  @IsInt() @Min(0) @Max(100) risk_score!: number;
  @IsIn(CHANGE_RISK_LEVELS) computed_risk_level!: ChangeRiskLevel;
  @IsArray() @ValidateNested({ each: true }) @Type(() => ChangeEventConflict) conflicts!: ChangeEventConflict[];
  @IsObject() @ValidateNested() @Type(() => ChangeEventApprovalRule) approval_rule!: ChangeEventApprovalRule;
  @IsArray() @ValidateNested({ each: true }) @Type(() => ChangeEventApproval) approvals!: ChangeEventApproval[];
  @IsOptional() @IsString() requested_by!: string | null;
  @IsOptional() @IsString() assigned_to!: string | null;
  @IsArray() @IsString({ each: true }) ci_ids!: string[];
  @IsOptional() @IsRfc3339DateTime() requested_start!: string | null;
  @IsOptional() @IsRfc3339DateTime() requested_end!: string | null;
  @IsOptional() @IsRfc3339DateTime() scheduled_start!: string | null;
  @IsOptional() @IsRfc3339DateTime() scheduled_end!: string | null;
  @IsOptional() @IsRfc3339DateTime() actual_start!: string | null;
  @IsOptional() @IsRfc3339DateTime() actual_end!: string | null;
  @IsOptional() @IsString() implementation_plan!: string | null;
  @IsOptional() @IsString() backout_plan!: string | null;
  @IsOptional() @IsString() rollback_plan!: string | null;
  @IsOptional() @IsString() test_plan!: string | null;
  @IsOptional() @IsBoolean() backout_performed!: boolean | null;
  @IsOptional() @IsString() closure_notes!: string | null;
  @IsBoolean() review_required!: boolean;
  @IsOptional() @IsString() review_notes!: string | null;
  @IsOptional() @IsString() reviewed_by!: string | null;
  @IsOptional() @IsRfc3339DateTime() reviewed_at!: string | null;
  @IsOptional() @IsUUID() created_by!: string | null;
  @IsRfc3339DateTime() created_at!: string;
  @IsRfc3339DateTime() updated_at!: string;
  @IsOptional() @IsRfc3339DateTime() approved_at!: string | null;
  @IsOptional() @IsRfc3339DateTime() closed_at!: string | null;
  @IsInt() @Min(1) version!: number;
}

export class ChangeCreatedV1 implements ChangeCreatedData {
  @IsObject() @ValidateNested() @Type(() => ChangeEventChange) change!: ChangeEventChange;
}

export class ChangeUpdatedV1 implements ChangeUpdatedData {
  @IsObject() @ValidateNested() @Type(() => ChangeEventChange) change!: ChangeEventChange;
  /** field name → { from, to } */
  @IsObject() changes!: Record<string, FieldChange>;
}

export class ChangeStatusChangedV1 implements ChangeStatusChangedData {
  @IsUUID() change_id!: string;
  @Matches(REF) reference!: string;
  @IsIn(CHANGE_STATUSES) from!: ChangeStatus;
  @IsIn(CHANGE_STATUSES) to!: ChangeStatus;
  @IsObject() @ValidateNested() @Type(() => ChangeEventChange) change!: ChangeEventChange;
}

/** `itsm.change.approved.v1` (the policy is met) and `itsm.change.rejected.v1`. */
export class ChangeDecidedV1 implements ChangeDecidedData {
  @IsUUID() change_id!: string;
  @Matches(REF) reference!: string;
  @IsObject() @ValidateNested() @Type(() => ChangeEventApproval) approval!: ChangeEventApproval;
  @IsObject() @ValidateNested() @Type(() => ChangeEventChange) change!: ChangeEventChange;
}
