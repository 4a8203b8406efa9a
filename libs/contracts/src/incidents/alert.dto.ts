import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsNotEmpty,
  IsObject,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateBy,
  ValidateIf,
  ValidateNested,
  ValidationOptions,
} from 'class-validator';
import { IsOptionalNonNull } from '../common/optional';
import { IsRfc3339DateTime } from '../common/time';
import { ALERT_STATUSES, AlertStatus } from './alert.model';
import { SEVERITIES, Severity } from './incident.model';

/** At most this many alerts in one delivery (Alertmanager's max_alerts can keep a group under it). */
export const MAX_ALERTS_PER_DELIVERY = 1000;

/** An object of strings (labels, annotations): at most `maxKeys` keys of 1..200 characters, values of at most `maxValue`. */
export const IsStringMap = (o: { maxKeys: number; maxValue: number }, options?: ValidationOptions) =>
  ValidateBy(
    {
      name: 'isStringMap',
      validator: {
        validate: (value: unknown) => {
          if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
          const entries = Object.entries(value as Record<string, unknown>);
          return entries.length <= o.maxKeys && entries.every(([k, v]) => k.length > 0 && k.length <= 200 && typeof v === 'string' && v.length <= o.maxValue);
        },
        defaultMessage: (a) => `${a?.property ?? 'value'} must be an object of at most ${o.maxKeys} string values (keys 1-200 characters, values at most ${o.maxValue})`,
      },
    },
    options,
  );

const labels = () => IsStringMap({ maxKeys: 100, maxValue: 2000 });
const annotations = () => IsStringMap({ maxKeys: 100, maxValue: 20000 });

/** One alert of Alertmanager's webhook payload (its own field names). */
export class AlertmanagerAlertDto {
  @IsIn(ALERT_STATUSES)
  status!: AlertStatus;

  @IsObject()
  @labels()
  labels!: Record<string, string>;

  @IsOptionalNonNull()
  @IsObject()
  @annotations()
  annotations?: Record<string, string>;

  @IsOptionalNonNull()
  @IsRfc3339DateTime()
  startsAt?: string;

  /** `0001-01-01T00:00:00Z` while firing. */
  @IsOptionalNonNull()
  @IsRfc3339DateTime()
  endsAt?: string;

  @IsOptionalNonNull()
  @IsString()
  @MaxLength(2000)
  generatorURL?: string;

  /** Alertmanager's fingerprint of the labels; derived from the labels when absent. */
  @IsOptionalNonNull()
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  fingerprint?: string;
}

/**
 * An alert delivery: Prometheus Alertmanager's webhook payload (version 4, its own field names: `alerts` present), or
 * the plain form (`dedup_key`, no `alerts`). Firing alerts open one incident per fingerprint (`triggered`), repeats are
 * counted on it, resolved ones are noted on it (and resolve it when the tenant's alert settings say so).
 */
export class AlertIntakeDto {
  /** Alertmanager: `firing` when any alert of the group fires. Plain form: the alert's status. */
  @IsIn(ALERT_STATUSES)
  status!: AlertStatus;

  /** Alertmanager: the alerts of the group (required unless the plain form's dedup_key is given). */
  @ValidateIf((o: AlertIntakeDto) => o.dedup_key === undefined || o.alerts !== undefined)
  @IsArray()
  @ArrayMaxSize(MAX_ALERTS_PER_DELIVERY)
  @ValidateNested({ each: true })
  @Type(() => AlertmanagerAlertDto)
  alerts?: AlertmanagerAlertDto[];

  /** Alertmanager: the payload version ("4"). */
  @IsOptional()
  @IsString()
  @MaxLength(20)
  version?: string;

  @IsOptional()
  @IsString()
  @MaxLength(2000)
  groupKey?: string;

  /** Alerts Alertmanager left out of the delivery (max_alerts). */
  @IsOptional()
  @IsInt()
  @Min(0)
  truncatedAlerts?: number;

  @IsOptional()
  @IsString()
  @MaxLength(200)
  receiver?: string;

  @IsOptional()
  @IsObject()
  @labels()
  groupLabels?: Record<string, string>;

  @IsOptional()
  @IsObject()
  @labels()
  commonLabels?: Record<string, string>;

  @IsOptional()
  @IsObject()
  @annotations()
  commonAnnotations?: Record<string, string>;

  @IsOptional()
  @IsString()
  @MaxLength(2000)
  externalURL?: string;

  /** Plain form: the alert's identity; deliveries with the same key go to the same incident (required without `alerts`). */
  @ValidateIf((o: AlertIntakeDto) => o.alerts === undefined)
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  dedup_key?: string;

  /** Plain form: the incident's title (else annotations.summary, labels.alertname, the dedup_key). */
  @IsOptionalNonNull()
  @IsString()
  @IsNotEmpty()
  @MaxLength(500)
  title?: string;

  /** Plain form: P1..P4, or a word of the tenant's severity mapping (critical, warning, ...); else the severity label's. */
  @IsOptionalNonNull()
  @IsString()
  @MaxLength(100)
  severity?: string;

  /** Plain form: the alert's labels (kept on the incident; they give its severity and items as Alertmanager's do). */
  @IsOptionalNonNull()
  @IsObject()
  @labels()
  labels?: Record<string, string>;

  /** Plain form: summary (the title) and description. */
  @IsOptionalNonNull()
  @IsObject()
  @annotations()
  annotations?: Record<string, string>;

  /** Plain form: the incident's source (default `api`). */
  @IsOptionalNonNull()
  @IsString()
  @IsNotEmpty()
  @MaxLength(100)
  source?: string;
}

/** Replaces the tenant's alert settings (admins); a field left out takes its default. */
export class AlertSettingsDto {
  @IsOptionalNonNull()
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  severity_label?: string;

  /** Label value → P1..P4 (values are matched in lower case). */
  @IsOptionalNonNull()
  @IsObject()
  @ValidateBy({
    name: 'isSeverityMap',
    validator: {
      validate: (value: unknown) =>
        value !== null &&
        typeof value === 'object' &&
        !Array.isArray(value) &&
        Object.entries(value as Record<string, unknown>).length <= 100 &&
        Object.entries(value as Record<string, unknown>).every(([k, v]) => k.length > 0 && k.length <= 200 && (SEVERITIES as readonly unknown[]).includes(v)),
      defaultMessage: () => 'severity_map must map at most 100 label values (1-200 characters) to P1, P2, P3 or P4',
    },
  })
  severity_map?: Record<string, Severity>;

  @IsOptionalNonNull()
  @IsIn(SEVERITIES)
  default_severity?: Severity;

  @IsOptionalNonNull()
  @IsArray()
  @ArrayMaxSize(20)
  @IsString({ each: true })
  @Matches(/^\S{1,200}$/, { each: true, message: 'each CI label must be a label name (1-200 characters, no spaces)' })
  ci_labels?: string[];

  @IsOptionalNonNull()
  @IsBoolean()
  auto_resolve?: boolean;

  @IsOptionalNonNull()
  @IsInt()
  @Min(0)
  @Max(10080)
  reopen_window_minutes?: number;
}
