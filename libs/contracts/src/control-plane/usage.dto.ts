import { IsObject, IsOptional, Matches } from 'class-validator';
import { IsOptionalNonNull } from '../common/optional';

const DAY = /^\d{4}-\d{2}-\d{2}$/;

export class TenantUsageQueryDto {
  /** First day (UTC, YYYY-MM-DD), default 29 days before `to`. */
  @IsOptional() @Matches(DAY, { message: 'from must be a day, YYYY-MM-DD' }) from?: string;
  /** Last day (UTC, YYYY-MM-DD, inclusive), default today. */
  @IsOptional() @Matches(DAY, { message: 'to must be a day, YYYY-MM-DD' }) to?: string;
}

export class TenantUsageCommand extends TenantUsageQueryDto {
  @Matches(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i) id!: string;
}

/** What a gateway counted since its last flush: requests per tenant, for one UTC day. */
export class RecordUsageDto {
  @Matches(DAY) day!: string;
  @IsOptionalNonNull() @IsObject() requests!: Record<string, number>;
}

/** A service's own counts for a tenant over days. */
export interface ServiceUsageView {
  by_day: Record<string, number>;
  current: number;
}

export interface UsageDayView {
  day: string;
  requests: number;
  incidents_created: number;
  users_created: number;
}

export interface TenantUsageView {
  tenant_id: string;
  from: string;
  to: string;
  days: UsageDayView[];
  totals: { requests: number; incidents_created: number; users_created: number };
  current: { users: number; incidents_this_month: number };
}
