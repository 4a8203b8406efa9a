import { IsObject, IsOptional, Matches } from 'class-validator';
import { IsCalendarDay } from '../common/time';
import { IsOptionalNonNull } from '../common/optional';

export class TenantUsageQueryDto {
  /** First day (UTC, YYYY-MM-DD), default 29 days before `to`. */
  @IsOptional() @IsCalendarDay() from?: string;
  /** Last day (UTC, YYYY-MM-DD, inclusive), default today. */
  @IsOptional() @IsCalendarDay() to?: string;
}

export class TenantUsageCommand extends TenantUsageQueryDto {
  @Matches(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i) id!: string;
}

/** What a gateway counted since its last flush: requests per tenant, for one UTC day. */
export class RecordUsageDto {
  @IsCalendarDay() day!: string;
  @IsOptionalNonNull() @IsObject() requests!: Record<string, number>;
}

/** A service's own counts for a tenant over days. */
export interface ServiceUsageView {
  by_day: Record<string, number>;
  current: number;
}

/** One UTC day: the requests the gateways counted and each service's figure (`incidents_created`, `users_created`, ...). */
export interface UsageDayView {
  day: string;
  requests: number;
  [figure: string]: number | string;
}

export interface TenantUsageView {
  tenant_id: string;
  from: string;
  to: string;
  days: UsageDayView[];
  /** The sum of each figure over the days. */
  totals: Record<string, number>;
  /** Each service's figure for now (`users`, `incidents_this_month`, ...). */
  current: Record<string, number>;
}
