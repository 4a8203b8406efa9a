import { IsRfc3339DateTime } from '../common/time';
import { IsIn, IsObject, IsOptional, IsString, IsUUID, Matches, MaxLength } from 'class-validator';
import { Actor } from '../common/context';

/** The kinds of tenant-plane write the audit log records today; a service may add its own (`<resource>.<verb>`). */
export const AUDIT_ACTIONS = [
  'incident.created',
  'incident.updated',
  'incident.commented',
  'api_token.created',
  'api_token.revoked',
  'api_token.deleted',
  'team.member_invited',
  'team.invitation_accepted',
  'team.invitation_revoked',
  'team.role_changed',
  'team.member_removed',
  'organization.updated',
] as const;
/** `<resource>.<verb>`, in snake_case: `incident.created`, `team.member_removed`, ... */
export type AuditAction = `${string}.${string}`;
export const AUDIT_ACTION_PATTERN = /^[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*$/;

export const AUDIT_ACTOR_TYPES = ['user', 'api_token', 'system'] as const;
export type AuditActorType = (typeof AUDIT_ACTOR_TYPES)[number];

/** Who made a change, as the audit log keeps it. */
export interface AuditActor {
  actor_id: string | null;
  actor_email: string | null;
  actor_type: AuditActorType;
  token_id: string | null;
}

export function auditActorOf(actor: Actor | null): AuditActor {
  const type: AuditActorType = !actor || actor.auth_method === 'system' ? 'system' : actor.auth_method === 'api_token' ? 'api_token' : 'user';
  return { actor_id: actor?.user_id ?? null, actor_email: actor?.email ?? null, actor_type: type, token_id: actor?.token_id ?? null };
}

/**
 * `audit.entry.recorded.v1`: one tenant-plane write, written to the writing service's outbox in
 * the write's transaction (so it exists if and only if the write committed). The auth service
 * keeps them in its append-only audit log. `before`/`after` are API views: never a secret.
 */
export class AuditEntryRecordedV1 implements AuditActor {
  @Matches(AUDIT_ACTION_PATTERN, { message: 'action must be <resource>.<verb> in snake_case' }) @MaxLength(100) action!: AuditAction;
  @IsString() @MaxLength(100) resource_type!: string;
  @IsString() @MaxLength(200) resource_id!: string;
  @IsOptional() @IsUUID() actor_id!: string | null;
  @IsOptional() @IsString() actor_email!: string | null;
  @IsIn(AUDIT_ACTOR_TYPES) actor_type!: AuditActorType;
  @IsOptional() @IsUUID() token_id!: string | null;
  @IsOptional() @IsObject() before!: Record<string, unknown> | null;
  @IsOptional() @IsObject() after!: Record<string, unknown> | null;
  @IsOptional() @Matches(/^[0-9a-f]{32}$/) trace_id!: string | null;
  @IsRfc3339DateTime() occurred_at!: string;
}
