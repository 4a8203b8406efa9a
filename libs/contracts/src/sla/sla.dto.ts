import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsNotEmpty,
  IsNumber,
  IsObject,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import { ChangedSinceQueryDto } from '../common/pagination';
import { IsOptionalNonNull } from '../common/optional';
import { IsCalendarDay } from '../common/time';
import { SLA_PAUSE_STATES, SLA_RECORD_TYPES, SlaPauseState, SlaRecordType } from './sla.model';

/** A year of minutes: the longest target a policy takes. */
export const MAX_SLA_TARGET_MINUTES = 525_600;

export class SlaTargetDto {
  /** Business minutes to the first response; fractions allowed (0.5 = 30 s). */
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0.01)
  @Max(MAX_SLA_TARGET_MINUTES)
  response_minutes!: number;

  /** Business minutes to the resolution; fractions allowed. */
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0.01)
  @Max(MAX_SLA_TARGET_MINUTES)
  resolution_minutes!: number;
}

export class SlaTargetsDto {
  @IsObject() @ValidateNested() @Type(() => SlaTargetDto) critical!: SlaTargetDto;
  @IsObject() @ValidateNested() @Type(() => SlaTargetDto) high!: SlaTargetDto;
  @IsObject() @ValidateNested() @Type(() => SlaTargetDto) medium!: SlaTargetDto;
  @IsObject() @ValidateNested() @Type(() => SlaTargetDto) low!: SlaTargetDto;
}

const HHMM = /^([01]\d|2[0-3]):[0-5]\d$|^24:00$/;

export class SlaCalendarDto {
  /** An IANA time zone (Europe/Paris, America/New_York, UTC). */
  @IsString()
  @IsNotEmpty()
  @MaxLength(64)
  timezone!: string;

  /** Around the clock (the rest is then ignored). Default false. */
  @IsOptionalNonNull()
  @IsBoolean()
  twenty_four_seven?: boolean;

  /** ISO weekdays, 1 = Monday .. 7 = Sunday. Default Monday to Friday. */
  @IsOptionalNonNull()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(7)
  @ArrayUnique()
  @IsInt({ each: true })
  @Min(1, { each: true })
  @Max(7, { each: true })
  working_days?: number[];

  /** HH:MM, local. Default 09:00. */
  @IsOptionalNonNull()
  @Matches(HHMM, { message: 'start_time must be HH:MM' })
  start_time?: string;

  /** HH:MM, local, after start_time (24:00 for midnight). Default 17:00. */
  @IsOptionalNonNull()
  @Matches(HHMM, { message: 'end_time must be HH:MM' })
  end_time?: string;

  /** Local dates without working hours. */
  @IsOptionalNonNull()
  @IsArray()
  @ArrayMaxSize(1000)
  @IsCalendarDay({ each: true })
  holidays?: string[];
}

export class SlaPolicyMatchDto {
  @IsOptionalNonNull()
  @IsArray()
  @ArrayMaxSize(100)
  @IsString({ each: true })
  @MaxLength(200, { each: true })
  services?: string[];

  @IsOptionalNonNull()
  @IsArray()
  @ArrayMaxSize(100)
  @IsString({ each: true })
  @MaxLength(200, { each: true })
  catalog_categories?: string[];
}

class SlaPolicyFieldsDto {
  @IsOptionalNonNull()
  @IsString()
  @MaxLength(2000)
  description?: string;

  @IsOptionalNonNull()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayUnique()
  @IsIn(SLA_RECORD_TYPES, { each: true })
  applies_to?: SlaRecordType[];

  /** Makes this the tenant's default policy (the previous default stops being one). */
  @IsOptionalNonNull()
  @IsBoolean()
  is_default?: boolean;

  @IsOptionalNonNull()
  @IsObject()
  @ValidateNested()
  @Type(() => SlaPolicyMatchDto)
  match?: SlaPolicyMatchDto;

  @IsOptionalNonNull()
  @IsObject()
  @ValidateNested()
  @Type(() => SlaCalendarDto)
  calendar?: SlaCalendarDto;

  @IsOptionalNonNull()
  @IsArray()
  @ArrayUnique()
  @IsIn(SLA_PAUSE_STATES, { each: true })
  pause_on?: SlaPauseState[];

  @IsOptionalNonNull()
  @IsInt()
  @Min(1)
  @Max(99)
  at_risk_percent?: number;
}

export class CreateSlaPolicyDto extends SlaPolicyFieldsDto {
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  name!: string;

  /** Response and resolution targets for each priority. */
  @IsObject()
  @ValidateNested()
  @Type(() => SlaTargetsDto)
  targets!: SlaTargetsDto;
}

export class UpdateSlaPolicyDto extends SlaPolicyFieldsDto {
  @IsOptionalNonNull()
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  name?: string;

  @IsOptionalNonNull()
  @IsObject()
  @ValidateNested()
  @Type(() => SlaTargetsDto)
  targets?: SlaTargetsDto;
}

export class SlaPolicyRefDto {
  @IsUUID()
  id!: string;
}

export class UpdateSlaPolicyCommand extends SlaPolicyRefDto {
  @IsObject()
  @ValidateNested()
  @Type(() => UpdateSlaPolicyDto)
  patch!: UpdateSlaPolicyDto;
}

export class ListSlaPoliciesQueryDto extends ChangedSinceQueryDto {
  @IsOptional()
  @IsIn(SLA_RECORD_TYPES)
  applies_to?: SlaRecordType;
}

/** `?sla=` on incident and service request lists. */
export const SLA_FILTERS = ['breached', 'at_risk'] as const;
export type SlaFilter = (typeof SLA_FILTERS)[number];
