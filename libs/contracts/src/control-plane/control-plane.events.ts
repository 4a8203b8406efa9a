import { IsRfc3339DateTime } from '../common/time';
import { Type } from 'class-transformer';
import { IsIn, IsObject, IsOptional, IsString, IsUUID, ValidateNested } from 'class-validator';
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
  @IsRfc3339DateTime() created_at!: string;
  @IsRfc3339DateTime() updated_at!: string;
  @IsOptional() @IsRfc3339DateTime() suspended_at!: string | null;
}

/** provisioned and updated carry the whole tenant (with its effective limits, for the services' projections). */
export class TenantChangedV1 implements TenantProvisionedData {
  @IsObject() @ValidateNested() @Type(() => TenantEventTenant) tenant!: TenantEventTenant;
}

export class TenantStatusChangedV1 implements TenantStatusChangedData {
  @IsUUID() tenant_id!: string;
  @IsIn(TENANT_STATUSES) status!: TenantStatus;
}
