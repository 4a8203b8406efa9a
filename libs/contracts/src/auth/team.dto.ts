import { plainToInstance, Transform, Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsEmail,
  IsIn,
  IsNotEmpty,
  IsObject,
  IsOptional,
  IsString,
  IsUUID,
  MaxLength,
  MinLength,
  registerDecorator,
  ValidateNested,
  ValidationOptions,
} from 'class-validator';
import { Role, ROLES } from '../common/context';
import { IsOptionalNonNull } from '../common/optional';
import { ChangedSinceQueryDto } from '../common/pagination';

const lower = () => Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim().toLowerCase() : value));
const trim = () => Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value));

// ---------------------------------------------------------------- time zones

const IANA_SHAPE = /^[A-Za-z][A-Za-z0-9_+-]*(\/[A-Za-z0-9_+-]+){0,2}$/;

/** An IANA time zone name (`UTC`, `Europe/Paris`, `America/Argentina/Buenos_Aires`), as the runtime's ICU knows them. */
export function isIanaTimeZone(value: unknown): value is string {
  if (typeof value !== 'string' || value.length > 64 || !IANA_SHAPE.test(value)) return false;
  try {
    new Intl.DateTimeFormat('en', { timeZone: value });
    return true;
  } catch {
    return false;
  }
}

/** The canonical spelling of a valid zone (`utc` → `UTC`, `europe/paris` → `Europe/Paris`). */
export function canonicalTimeZone(value: string): string {
  return new Intl.DateTimeFormat('en', { timeZone: value }).resolvedOptions().timeZone;
}

export function IsIanaTimeZone(options?: ValidationOptions): PropertyDecorator {
  return (target: object, propertyName: string | symbol) =>
    registerDecorator({
      name: 'isIanaTimeZone',
      target: target.constructor,
      propertyName: String(propertyName),
      options: { message: '$property must be an IANA time zone name such as UTC or Europe/Paris', ...options },
      validator: { validate: (v: unknown) => isIanaTimeZone(v) },
    });
}

// ---------------------------------------------------------------- team

/** GET /api/team: a member of the tenant. */
export interface TeamMemberView {
  id: string;
  name: string;
  email: string;
  role: Role;
  job_title: string | null;
  status: 'active' | 'disabled';
  joined_at: string;
}

/** Members, oldest first; `updated_since` keeps those whose role or profile changed since. */
export class ListTeamQueryDto extends ChangedSinceQueryDto {}

/** Who the given user ids or e-mails are (an assignee's name beside the id a record stores). */
export class MemberNamesQueryDto {
  @IsArray()
  @ArrayMaxSize(500)
  @IsString({ each: true })
  @MaxLength(320, { each: true })
  keys!: string[];
}

/** key (as asked) -> the member's name (their e-mail when they gave none); unknown keys are absent. */
export type MemberNamesView = Record<string, string>;

export class MemberIdDto {
  @IsUUID()
  id!: string;
}

export class UpdateMemberRoleDto {
  @IsIn(ROLES)
  role!: Role;
}

/** The request/reply body of a role change: the member (from the path) and the new role. */
export class ChangeMemberRoleDto extends UpdateMemberRoleDto {
  @IsUUID()
  id!: string;
}

export interface RemovedMemberView {
  id: string;
  removed: true;
}

// ---------------------------------------------------------------- invitations

export class InviteMemberDto {
  @lower()
  @IsEmail()
  @MaxLength(320)
  email!: string;

  @IsIn(ROLES)
  role!: Role;

  @IsOptionalNonNull()
  @trim()
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  name?: string;
}

export class AcceptInvitationDto {
  @IsString()
  @IsNotEmpty()
  @MaxLength(512)
  token!: string;

  @IsString()
  @MinLength(8)
  @MaxLength(1024)
  password!: string;

  @IsOptionalNonNull()
  @trim()
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  name?: string;
}

/** Over request/reply: the accept body and the x-tenant-id the caller claimed, if any. */
export class AcceptInvitationRequestDto extends AcceptInvitationDto {
  @IsOptional()
  @IsString()
  @MaxLength(64)
  claimed_tenant_id?: string;
}

export type InvitationStatus = 'pending' | 'accepted' | 'revoked' | 'expired';

export interface InvitationView {
  id: string;
  email: string;
  name: string | null;
  role: Role;
  status: InvitationStatus;
  invited_by: string | null;
  expires_at: string;
  created_at: string;
  accepted_at: string | null;
  revoked_at: string | null;
}

/** The answer to an invitation: the token is in this answer only (only its SHA-256 is stored). */
export interface CreatedInvitationView {
  invitation: InvitationView;
  token: string;
  /** Where the invitee sends `{token, password, name?}` (POST, no credential needed). */
  accept_url: string;
}

/** Pending invitations, newest first; `updated_since` keeps those sent since. */
export class ListInvitationsQueryDto extends ChangedSinceQueryDto {}

// ---------------------------------------------------------------- organization

export class NotificationPreferencesDto {
  @IsOptionalNonNull()
  @IsBoolean()
  email?: boolean;

  @IsOptionalNonNull()
  @IsBoolean()
  slack?: boolean;
}

const camelToSnake = (k: string) => k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/**
 * The keys of an object in snake_case (`notificationPreferences` → `notification_preferences`).
 * Two spellings of one key with different values cannot be resolved: `conflicts` names them.
 */
export function snakeKeys(obj: Record<string, unknown>): { value: Record<string, unknown>; conflicts: string[] } {
  const value: Record<string, unknown> = {};
  const conflicts: string[] = [];
  for (const [k, v] of Object.entries(obj)) {
    const key = camelToSnake(k);
    if (key in value && JSON.stringify(value[key]) !== JSON.stringify(v)) conflicts.push(key);
    value[key] = v;
  }
  return { value, conflicts };
}

const isPlainObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

export class OrganizationSettingsDto {
  @IsOptionalNonNull()
  @IsIanaTimeZone()
  timezone?: string;

  @IsOptionalNonNull()
  @IsObject()
  @ValidateNested()
  @Type(() => NotificationPreferencesDto)
  notification_preferences?: NotificationPreferencesDto;

  /** Set when the body named one setting twice (camelCase and snake_case) with different values. */
  @IsOptional()
  @IsIn([undefined], { message: 'settings name the same field twice (camelCase and snake_case) with different values: $value' })
  conflicting_keys?: string;
}

/**
 * PUT /api/organization. The gateway maps top-level camelCase keys only; the settings' nested
 * keys (`notificationPreferences`) are mapped here, so both documents' spellings work.
 */
export class UpdateOrganizationDto {
  @IsOptionalNonNull()
  @trim()
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  name?: string;

  @IsOptionalNonNull()
  @Transform(({ obj }: { obj: Record<string, unknown> }) => {
    const raw = obj.settings;
    if (!isPlainObject(raw)) return raw;
    const { value, conflicts } = snakeKeys(raw);
    const prefs = value.notification_preferences;
    if (isPlainObject(prefs)) {
      const inner = snakeKeys(prefs);
      value.notification_preferences = inner.value;
      conflicts.push(...inner.conflicts.map((c) => `notification_preferences.${c}`));
    }
    const settings = plainToInstance(OrganizationSettingsDto, value, { exposeDefaultValues: true });
    if (conflicts.length) settings.conflicting_keys = conflicts.join(', ');
    return settings;
  })
  @IsObject()
  @ValidateNested()
  settings?: OrganizationSettingsDto;
}

export interface OrganizationSettingsView {
  timezone?: string;
  notification_preferences?: { email?: boolean; slack?: boolean };
  [key: string]: unknown;
}

export interface OrganizationView {
  id: string;
  name: string;
  slug: string;
  status: 'active' | 'suspended';
  settings: OrganizationSettingsView;
  created_at: string;
  updated_at: string;
}
