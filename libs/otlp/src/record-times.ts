import { nanosToMicros } from './int64';
import { metricPoints } from './metrics';
import { OtlpRequests, OtlpSignal } from './types';

/**
 * The time of each record of a request, in microseconds (a log record's time, else its observed time, else `now_us`;
 * a span's start; a metric point's time), without building the records' rows: the gateway checks them against the
 * tenant's retention (OTLP's partial success) on every request.
 */
export function recordTimes<S extends OtlpSignal>(signal: S, req: OtlpRequests[S], now_us: number): number[] {
  const out: number[] = [];
  if (signal === 'logs') {
    for (const rl of (req as OtlpRequests['logs']).resourceLogs ?? [])
      for (const sl of rl.scopeLogs ?? []) for (const lr of sl.logRecords ?? []) out.push(nanosToMicros(lr.timeUnixNano) || nanosToMicros(lr.observedTimeUnixNano) || now_us);
  } else if (signal === 'traces') {
    for (const rs of (req as OtlpRequests['traces']).resourceSpans ?? []) for (const ss of rs.scopeSpans ?? []) for (const sp of ss.spans ?? []) out.push(nanosToMicros(sp.startTimeUnixNano));
  } else {
    for (const p of metricPoints(req as OtlpRequests['metrics'])) out.push(p.time_us);
  }
  return out;
}
