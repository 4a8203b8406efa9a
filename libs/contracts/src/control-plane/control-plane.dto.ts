import { Transform, Type } from 'class-transformer';
import { IsEmail, IsIn, IsInt, IsNotEmpty, IsObject, IsOptional, IsString, Matches, Max, MaxLength, Min, MinLength, ValidateNested } from 'class-validator';
import { IsOptionalNonNull } from '../common/optional';
import { ChangedSinceQueryDto } from '../common/pagination';
import type { OwnerInvitationView } from '../auth/auth.dto';

const lower = () => Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim().toLowerCase() : value));
const SLUG = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

export const TENANT_STATUSES = ['provisioning', 'active', 'suspended', 'deleting', 'deleted'] as const;
export type TenantStatus = (typeof TENANT_STATUSES)[number];

/** What a plan limits. A missing limit (or null) is unlimited. */
const MAX_LIMIT = 1e15; // well inside PostgreSQL's bigint and JavaScript's exact integers

export class PlanLimitsDto {
  @IsOptional() @IsInt() @Min(0) @Max(MAX_LIMIT) users?: number | null;
  @IsOptional() @IsInt() @Min(0) @Max(MAX_LIMIT) incidents_per_month?: number | null;
  @IsOptional() @IsInt() @Min(0) @Max(MAX_LIMIT) api_requests_per_minute?: number | null;
  @IsOptional() @IsInt() @Min(0) @Max(MAX_LIMIT) ai_scans_per_user_per_day?: number | null;
  @IsOptional() @IsInt() @Min(0) @Max(MAX_LIMIT) telemetry_bytes_per_day?: number | null;
  /** How many days logs and traces are kept (null: the telemetry service's TELEMETRY_RETENTION_DAYS). */
  @IsOptional() @IsInt() @Min(1) @Max(3650) telemetry_retention_days?: number | null;
}
export type PlanLimits = { [K in keyof PlanLimitsDto]-?: number | null };

export class CpLoginDto {
  @lower() @IsEmail() @MaxLength(320) email!: string;
  @IsString() @IsNotEmpty() @MaxLength(1024) password!: string;
}

export class CreatePlanDto {
  @Matches(SLUG, { message: 'name must be lowercase letters, digits and dashes' }) name!: string;
  @IsOptionalNonNull() @IsString() @MaxLength(500) description?: string;
  @IsObject() @ValidateNested() @Type(() => PlanLimitsDto) limits!: PlanLimitsDto;
}

export class UpdatePlanDto {
  @IsOptionalNonNull() @IsString() @MaxLength(500) description?: string;
  @IsOptionalNonNull() @IsObject() @ValidateNested() @Type(() => PlanLimitsDto) limits?: PlanLimitsDto;
}

export class CreateTenantDto {
  @IsString() @IsNotEmpty() @MaxLength(200) name!: string;
  @IsOptionalNonNull() @Matches(SLUG, { message: 'slug must be lowercase letters, digits and dashes' }) slug?: string;
  @IsOptionalNonNull() @Matches(SLUG) plan?: string;
  @lower() @IsEmail() owner_email!: string;
  /** Without it the owner is invited: the answer carries the invitation token (once). */
  @IsOptionalNonNull() @IsString() @MinLength(8) @MaxLength(1024) owner_password?: string;
  @IsOptionalNonNull() @IsString() @MaxLength(200) owner_name?: string;
}

export class UpdateTenantDto {
  @IsOptionalNonNull() @IsString() @IsNotEmpty() @MaxLength(200) name?: string;
  @IsOptionalNonNull() @Matches(SLUG) plan?: string;
  @IsOptionalNonNull() @IsObject() settings?: Record<string, unknown>;
  /** Per-tenant overrides of the plan's limits (null removes an override). */
  @IsOptionalNonNull() @IsObject() @ValidateNested() @Type(() => PlanLimitsDto) limits?: PlanLimitsDto;
}

/** GET /cp/api/plans: by name, with the page and updated_since. */
export class ListPlansQueryDto extends ChangedSinceQueryDto {}

export class ListTenantsQueryDto extends ChangedSinceQueryDto {
  @IsOptional() @IsIn(TENANT_STATUSES) status?: TenantStatus;
  @IsOptional() @Matches(SLUG) plan?: string;
  @IsOptional() @IsString() @MaxLength(200) q?: string;
}

export class TenantIdDto {
  @Matches(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i, { message: 'id must be a uuid' }) id!: string;
}

export class UpdateTenantCommand extends TenantIdDto {
  @IsObject() @ValidateNested() @Type(() => UpdateTenantDto) patch!: UpdateTenantDto;
}

export class PlanNameDto {
  @Matches(SLUG) name!: string;
}

export class UpdatePlanCommand extends PlanNameDto {
  @IsObject() @ValidateNested() @Type(() => UpdatePlanDto) patch!: UpdatePlanDto;
}

export class ListAuditQueryDto extends ChangedSinceQueryDto {
  @IsOptional() @IsString() @MaxLength(100) action?: string;
  @IsOptional() @IsString() @MaxLength(100) target_id?: string;
}

export class SetTenantStatusDto {
  @Matches(/^[0-9a-f-]{36}$/i) tenant_id!: string;
  @IsIn(['active', 'suspended']) status!: 'active' | 'suspended';
}

export interface PlanView {
  name: string;
  description: string;
  limits: PlanLimits;
  created_at: string;
  updated_at: string;
}

export interface TenantView {
  id: string;
  name: string;
  slug: string;
  status: TenantStatus;
  plan: string;
  /** The plan's limits with this tenant's overrides applied. */
  limits: PlanLimits;
  overrides: Partial<PlanLimits>;
  settings: Record<string, unknown>;
  owner_email: string;
  created_at: string;
  updated_at: string;
  suspended_at: string | null;
}

export interface CpTokenView {
  token: string;
  token_type: 'Bearer';
  expires_in: number;
  operator: { id: string; email: string; name: string };
}

export interface CpAuditView {
  id: string;
  operator_id: string | null;
  operator_email: string | null;
  action: string;
  target_type: string;
  target_id: string | null;
  before: unknown;
  after: unknown;
  trace_id: string | null;
  created_at: string;
}

/** The tenants shut out of the tenant plane (suspended, being deleted, deleted within a day), with their status. */
export interface TenantStatusesView {
  suspended: string[];
  statuses: Record<string, TenantStatus>;
}

export interface TenantProvisionedData {
  tenant: TenantView;
}
export interface TenantStatusChangedData {
  tenant_id: string;
  status: TenantStatus;
}

/** A deleted tenant: what each service purged (rows per table). */
export interface DeletedTenantView {
  id: string;
  deleted: true;
  purged: Record<string, Record<string, number>>;
}

/** A tenant as created: with the owner's invitation when no password was given (its token shown once). */
export interface CreatedTenantView extends TenantView {
  owner_invitation: OwnerInvitationView | null;
}
