import { INCIDENT_HOLD_REASONS, IncidentHoldReason, RecordSlaView } from '../sla/sla.model';
import { IsRfc3339DateTime } from '../common/time';
import { Type } from 'class-transformer';
import { IsArray, IsIn, IsInt, IsObject, IsOptional, IsString, IsUUID, Matches, Min, ValidateNested } from 'class-validator';
import {
  CRITICALITIES,
  Criticality,
  INCIDENT_STATUSES,
  IncidentCreatedData,
  IncidentStatus,
  IncidentStatusChangedData,
  IncidentUpdatedData,
  IncidentView,
  PRIORITIES,
  Priority,
  SEVERITIES,
  Severity,
  URGENCIES,
  Urgency,
  FieldChange,
  CommentView,
  IncidentCommentedData,
} from './incident.model';

/**
 * The incident as carried by events: a class (validated by consumers, mirrored as a JSON schema
 * in proto/) that must implement the API's IncidentView, so the two cannot drift apart.
 */
export class IncidentEventIncident implements IncidentView {
  @IsUUID() id!: string;
  @Matches(/^INC-\d{8,}$/) reference!: string;
  @IsString() title!: string;
  @IsString() description!: string;
  @IsIn(INCIDENT_STATUSES) status!: IncidentStatus;
  @IsIn(SEVERITIES) severity!: Severity;
  @IsIn(PRIORITIES) priority!: Priority;
  @IsOptional() @IsIn(CRITICALITIES) criticality!: Criticality | null;
  @IsOptional() @IsIn(URGENCIES) urgency!: Urgency | null;
  @IsString() source!: string;
  @IsOptional() @IsString() assigned_to!: string | null;
  @IsArray() @IsString({ each: true }) affected_services!: string[];
  @IsArray() @IsString({ each: true }) tags!: string[];
  @IsArray() @IsString({ each: true }) ci_ids!: string[];
  @IsOptional() @IsString() resolution_notes!: string | null;
  @IsOptional() @IsString() resolved_by!: string | null;
  @IsOptional() @IsUUID() created_by!: string | null;
  @IsRfc3339DateTime() created_at!: string;
  @IsRfc3339DateTime() updated_at!: string;
  @IsOptional() @IsRfc3339DateTime() triggered_at!: string | null;
  @IsOptional() @IsRfc3339DateTime() opened_at!: string | null;
  @IsOptional() @IsRfc3339DateTime() acknowledged_at!: string | null;
  @IsOptional() @IsRfc3339DateTime() investigating_at!: string | null;
  @IsOptional() @IsRfc3339DateTime() resolved_at!: string | null;
  @IsOptional() @IsRfc3339DateTime() closed_at!: string | null;
  @IsOptional() @IsRfc3339DateTime() reopened_at!: string | null;
  /** Added to v1 compatibly (optional for events published before it). */
  @IsOptional() @IsInt() @Min(1) version!: number;
  /** Added to v1 compatibly. */
  @IsOptional() @IsUUID() problem_id!: string | null;
  /** Added to v1 compatibly. */
  @IsOptional() @IsIn(INCIDENT_HOLD_REASONS) hold_reason!: IncidentHoldReason | null;
  /** Added to v1 compatibly. */
  @IsOptional() @IsObject() labels!: Record<string, string>;
  /** Added to v1 compatibly. */
  @IsOptional() @IsInt() @Min(0) alert_count!: number;
  /** Added to v1 compatibly. */
  @IsOptional() @IsRfc3339DateTime() last_alert_at!: string | null;
  /** Added to v1 compatibly: the SLA as it stood when the event was written. */
  @IsOptional() @IsObject() sla!: RecordSlaView | null;
}

export class IncidentCreatedV1 implements IncidentCreatedData {
  @IsObject() @ValidateNested() @Type(() => IncidentEventIncident) incident!: IncidentEventIncident;
}

export class IncidentUpdatedV1 implements IncidentUpdatedData {
  @IsObject() @ValidateNested() @Type(() => IncidentEventIncident) incident!: IncidentEventIncident;
  /** field name → { from, to } */
  @IsObject() changes!: Record<string, FieldChange>;
}

export class IncidentStatusChangedV1 implements IncidentStatusChangedData {
  @IsUUID() incident_id!: string;
  @Matches(/^INC-\d{8,}$/) reference!: string;
  @IsIn(INCIDENT_STATUSES) from!: IncidentStatus;
  @IsIn(INCIDENT_STATUSES) to!: IncidentStatus;
  @IsObject() @ValidateNested() @Type(() => IncidentEventIncident) incident!: IncidentEventIncident;
}

export class IncidentEventComment implements CommentView {
  @IsUUID() id!: string;
  @IsUUID() incident_id!: string;
  @IsString() body!: string;
  @IsOptional() @IsUUID() author_id!: string | null;
  @IsOptional() @IsString() author_email!: string | null;
  @IsRfc3339DateTime() created_at!: string;
}

export class IncidentCommentedV1 implements IncidentCommentedData {
  @IsUUID() incident_id!: string;
  @Matches(/^INC-\d{8,}$/) reference!: string;
  @IsObject() @ValidateNested() @Type(() => IncidentEventComment) comment!: IncidentEventComment;
}

