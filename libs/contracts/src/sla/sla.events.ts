import { Type } from 'class-transformer';
import { IsArray, IsBoolean, IsIn, IsInt, IsNumber, IsObject, IsOptional, IsString, IsUUID, Min, ValidateNested } from 'class-validator';
import { IsRfc3339DateTime } from '../common/time';
import { PRIORITIES, Priority } from '../incidents/incident.model';
import {
  SLA_RECORD_TYPES,
  SLA_TIMER_KINDS,
  SlaCalendarView,
  SlaPauseState,
  SlaPolicyEventData,
  SlaPolicyMatchView,
  SlaPolicyView,
  SlaRecordType,
  SlaTargetView,
  SlaTimerEventData,
  SlaTimerKind,
} from './sla.model';

/** The policy as carried by events (services that run timers keep a copy). */
export class SlaEventPolicy implements SlaPolicyView {
  @IsUUID() id!: string;
  @IsString() name!: string;
  @IsString() description!: string;
  @IsArray() @IsIn(SLA_RECORD_TYPES, { each: true }) applies_to!: SlaRecordType[];
  @IsBoolean() is_default!: boolean;
  @IsObject() match!: SlaPolicyMatchView;
  @IsObject() targets!: Record<Priority, SlaTargetView>;
  @IsObject() calendar!: SlaCalendarView;
  @IsArray() @IsString({ each: true }) pause_on!: SlaPauseState[];
  @IsInt() at_risk_percent!: number;
  @IsOptional() @IsUUID() created_by!: string | null;
  @IsRfc3339DateTime() created_at!: string;
  @IsRfc3339DateTime() updated_at!: string;
  @IsInt() @Min(1) version!: number;
}

/** `sla.policy.created|updated|deleted.v1`. */
export class SlaPolicyEventV1 implements SlaPolicyEventData {
  @IsObject() @ValidateNested() @Type(() => SlaEventPolicy) policy!: SlaEventPolicy;
  @IsBoolean() deleted!: boolean;
}

/** `sla.timer.at_risk.v1` and `sla.timer.breached.v1`: once per timer each. */
export class SlaTimerEventV1 implements SlaTimerEventData {
  @IsIn(SLA_RECORD_TYPES) record_type!: SlaRecordType;
  @IsUUID() record_id!: string;
  @IsString() reference!: string;
  @IsIn(SLA_TIMER_KINDS) timer!: SlaTimerKind;
  @IsUUID() policy_id!: string;
  @IsString() policy_name!: string;
  @IsIn(PRIORITIES) priority!: Priority;
  @IsNumber() target_minutes!: number;
  @IsOptional() @IsRfc3339DateTime() due_at!: string | null;
  @IsOptional() @IsRfc3339DateTime() at_risk_at!: string | null;
}
