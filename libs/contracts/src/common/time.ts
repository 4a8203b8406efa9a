import { ValidateBy, ValidationOptions } from 'class-validator';

/**
 * RFC 3339 date-time (the profile of ISO 8601 the API speaks): `2026-11-30T08:15:00Z`,
 * `2026-11-30T08:15:00.123+01:00`. ISO 8601's other forms (week dates `2026-W01-1`, ordinal
 * dates `2026-001`, dates without a time or an offset) are refused, as are impossible dates.
 */
const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?([Zz]|[+-](\d{2}):(\d{2}))$/;
const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

function realDay(y: number, m: number, d: number): boolean {
  if (y < 1 || m < 1 || m > 12 || d < 1) return false;
  return d <= new Date(Date.UTC(y, m, 0)).getUTCDate();
}

export function isRfc3339DateTime(value: unknown): value is string {
  if (typeof value !== 'string') return false;
  const m = RFC3339.exec(value);
  if (!m) return false;
  const [, y, mo, d, h, mi, s, , , oh, om] = m;
  if (!realDay(Number(y), Number(mo), Number(d))) return false;
  if (Number(h) > 23 || Number(mi) > 59 || Number(s) > 59) return false;
  if (oh !== undefined && (Number(oh) > 23 || Number(om) > 59)) return false;
  return true;
}

export function isCalendarDay(value: unknown): value is string {
  if (typeof value !== 'string') return false;
  const m = DAY.exec(value);
  return !!m && realDay(Number(m[1]), Number(m[2]), Number(m[3]));
}

/** The constraint names, for the OpenAPI generator (format date-time and date). */
export const RFC3339_CONSTRAINT = 'isRfc3339DateTime';
export const CALENDAR_DAY_CONSTRAINT = 'isCalendarDay';

export const IsRfc3339DateTime = (options?: ValidationOptions) =>
  ValidateBy(
    {
      name: RFC3339_CONSTRAINT,
      validator: {
        validate: (v: unknown) => isRfc3339DateTime(v),
        defaultMessage: (a) => `${a?.property ?? 'value'} must be an RFC 3339 date-time, e.g. 2026-11-30T08:15:00Z`,
      },
    },
    options,
  );

export const IsCalendarDay = (options?: ValidationOptions) =>
  ValidateBy(
    {
      name: CALENDAR_DAY_CONSTRAINT,
      validator: {
        validate: (v: unknown) => isCalendarDay(v),
        defaultMessage: (a) => `${a?.property ?? 'value'} must be a day, YYYY-MM-DD`,
      },
    },
    options,
  );

/** How the OpenAPI and event-schema generators describe these constraints (class-validator-jsonschema converters). */
export const TIME_SCHEMA_CONVERTERS = {
  [RFC3339_CONSTRAINT]: { type: 'string' as const, format: 'date-time', description: 'RFC 3339 date-time, e.g. 2026-11-30T08:15:00Z' },
  [CALENDAR_DAY_CONSTRAINT]: { type: 'string' as const, format: 'date', description: 'A day, YYYY-MM-DD' },
  // A configuration item's attributes (cmdb/ci.dto.ts IsCiAttributes): an object, not a nested class.
  isCiAttributes: {
    type: 'object' as const,
    additionalProperties: true,
    description: 'At most 200 keys; k8s_uid, serial and hostname (which identify the item) are non-empty strings',
  },
  // An alert's labels and annotations (incidents/alert.dto.ts IsStringMap).
  isStringMap: {
    type: 'object' as const,
    additionalProperties: { type: 'string' as const },
    description: 'An object of string values (keys 1-200 characters)',
  },
  // The alert settings' severity mapping (incidents/alert.dto.ts): label value -> P1..P4.
  isSeverityMap: {
    type: 'object' as const,
    additionalProperties: { type: 'string' as const, enum: ['P1', 'P2', 'P3', 'P4'] },
    description: 'Label value -> severity (P1..P4); at most 100',
  },
  // Telemetry queries' attribute conditions (telemetry/telemetry.dto.ts): given as <name>.<key>=<value> parameters.
  isAttributeFilter: {
    type: 'object' as const,
    additionalProperties: { type: 'string' as const },
    description: 'Given as <name>.<key>=<value> query parameters (e.g. attr.http.route=/cart): at most 20, values compared as text',
  },
};
