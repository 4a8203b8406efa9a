import { IsRfc3339DateTime } from '../common/time';
import { IsOptional, IsString, IsUUID, Matches, MaxLength } from 'class-validator';
import { ChangedSinceQueryDto } from '../common/pagination';
import { AUDIT_ACTION_PATTERN, AuditAction, AuditActorType } from './audit.events';

/** GET /api/audit filters (all optional, combined with AND); newest first. */
export class ListAuditEntriesQueryDto extends ChangedSinceQueryDto {
  @IsOptional() @Matches(AUDIT_ACTION_PATTERN, { message: 'action must be <resource>.<verb> in snake_case, e.g. incident.updated' }) @MaxLength(100) action?: AuditAction;
  @IsOptional() @IsString() @MaxLength(100) resource_type?: string;
  @IsOptional() @IsString() @MaxLength(200) resource_id?: string;
  @IsOptional() @IsUUID() actor_id?: string;
  /** occurred_at >= from */
  @IsOptional() @IsRfc3339DateTime() from?: string;
  /** occurred_at < to */
  @IsOptional() @IsRfc3339DateTime() to?: string;
}

export interface AuditEntryView {
  id: string;
  action: AuditAction;
  resource_type: string;
  resource_id: string;
  actor_id: string | null;
  actor_email: string | null;
  actor_type: AuditActorType;
  token_id: string | null;
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
  trace_id: string | null;
  occurred_at: string;
  recorded_at: string;
}
