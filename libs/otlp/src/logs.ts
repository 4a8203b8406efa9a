import { anyValue, attributes, Attributes, attrText, hexId, resourceInfo } from './attributes';
import { nanosToMicros } from './int64';
import { ExportLogsServiceRequest } from './types';

/** A log record's severity family (OpenTelemetry SeverityNumber ranges). */
export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal' | 'unspecified';

/** One log record, normalized (times in microseconds since the epoch, ids in lowercase hex). */
export interface LogRow {
  /** When the event happened; the observed time when unset, else the receive time. */
  time_us: number;
  /** When a collector first saw it; the receive time when unset. */
  observed_time_us: number;
  severity_number: number;
  severity_text: string;
  level: LogLevel;
  /** A string body as is, any other as JSON (bytes as base64, see `attrText`); '' when absent. */
  body: string;
  attributes: Attributes;
  /** The resource's attributes (shared by the rows of one resource: do not mutate). */
  resource: Attributes;
  service: string;
  /** The instrumentation scope's name, or ''. */
  scope: string;
  event_name: string;
  trace_id: string | null;
  span_id: string | null;
  flags: number;
}

const LEVELS: LogLevel[] = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'];

const TEXT_LEVELS: Record<string, LogLevel> = {
  trace: 'trace',
  debug: 'debug',
  info: 'info',
  information: 'info',
  notice: 'info',
  warn: 'warn',
  warning: 'warn',
  error: 'error',
  err: 'error',
  fatal: 'fatal',
  critical: 'fatal',
  crit: 'fatal',
  alert: 'fatal',
  emerg: 'fatal',
  emergency: 'fatal',
  panic: 'fatal',
};

/**
 * The level of a severity: from the number's range (1-4 trace ... 21-24 fatal), else (0) from
 * the text, case-insensitively (`WARN`, `Warning`, `INFO2`, syslog names).
 */
export function logLevel(severityNumber: number, severityText: string): LogLevel {
  if (severityNumber >= 1 && severityNumber <= 24) return LEVELS[(severityNumber - 1) >> 2];
  if (severityNumber !== 0 || severityText === '') return 'unspecified';
  return TEXT_LEVELS[severityText.toLowerCase().replace(/[0-9]+$/, '')] ?? 'unspecified';
}

/** The rows of a logs export request, in request order. `now_us` stands in for missing timestamps. */
export function logRows(req: ExportLogsServiceRequest, now_us: number = Date.now() * 1000): LogRow[] {
  const rows: LogRow[] = [];
  for (const rl of req.resourceLogs ?? []) {
    const res = resourceInfo(rl.resource);
    for (const sl of rl.scopeLogs ?? []) {
      const scope = sl.scope?.name ?? '';
      for (const lr of sl.logRecords ?? []) {
        const observed = nanosToMicros(lr.observedTimeUnixNano) || now_us;
        const severityNumber = lr.severityNumber ?? 0;
        const severityText = lr.severityText ?? '';
        const body = lr.body ? anyValue(lr.body) : null;
        rows.push({
          time_us: nanosToMicros(lr.timeUnixNano) || observed,
          observed_time_us: observed,
          severity_number: severityNumber,
          severity_text: severityText,
          level: logLevel(severityNumber, severityText),
          body: attrText(body),
          attributes: attributes(lr.attributes),
          resource: res.attributes,
          service: res.service,
          scope,
          event_name: lr.eventName ?? '',
          trace_id: hexId(lr.traceId),
          span_id: hexId(lr.spanId),
          flags: lr.flags ?? 0,
        });
      }
    }
  }
  return rows;
}
