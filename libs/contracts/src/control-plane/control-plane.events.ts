import { Type } from 'class-transformer';
import { IsIn, IsISO8601, IsObject, IsOptional, IsString, IsUUID, ValidateNested } from 'class-validator';
import { PlanLimits, TENANT_STATUSES, TenantProvisionedData, TenantStatus, TenantStatusChangedData, TenantView } from './control-plane.dto';

export class TenantEventTenant implements TenantView {
  @IsUUID() id!: string;
  @IsString() name!: string;
  @IsString() slug!: string;
  @IsIn(TENANT_STATUSES) status!: TenantStatus;
  @IsString() plan!: string;
  @IsObject() limits!: PlanLimits;
  @IsObject() overrides!: Partial<PlanLimits>;
  @IsObject() settings!: Record<string, unknown>;
  @IsString() owner_email!: string;
  @IsISO8601() created_at!: string;
  @IsISO8601() updated_at!: string;
  @IsOptional() @IsISO8601() suspended_at!: string | null;
}

/** provisioned and updated carry the whole tenant (with its effective limits, for the services' projections). */
export class TenantChangedV1 implements TenantProvisionedData {
  @IsObject() @ValidateNested() @Type(() => TenantEventTenant) tenant!: TenantEventTenant;
}

export class TenantStatusChangedV1 implements TenantStatusChangedData {
  @IsUUID() tenant_id!: string;
  @IsIn(TENANT_STATUSES) status!: TenantStatus;
}
