import { LogRecord, SpanRecord } from '../../case';
import { scoreLogs } from '../log-analysis';
import { inferSpanErrors, logAbsence } from '../trace-logs';

const T0 = 10_000;
const FAULT = T0 + 300;

/** One request a second: api's span, and db's span under it; api logs a line for each, and an error when asked. */
function traffic(opts: { lineStopsAt?: number; errorsFrom?: number; status?: string }): { spans: SpanRecord[]; logs: LogRecord[] } {
  const spans: SpanRecord[] = [];
  const logs: LogRecord[] = [];
  for (let k = 0; k < 600; k++) {
    const t = T0 + k;
    const id = `t${k}`;
    const ns = t * 1e9;
    spans.push(
      { trace_id: id, span_id: 'a', service: 'api', operation: 'POST /orders', start_unix_nano: ns, end_unix_nano: ns + 30e6, status_code: opts.status ?? '' },
      { trace_id: id, span_id: 'b', parent_span_id: 'a', service: 'db', operation: 'INSERT orders', start_unix_nano: ns + 5e6, end_unix_nano: ns + 25e6, status_code: opts.status ?? '' },
    );
    if (opts.lineStopsAt === undefined || t < opts.lineStopsAt) logs.push({ timestamp: t, service: 'api', level: 'INFO', message: `order ${k} validated`, trace_id: id });
    if (opts.errorsFrom !== undefined && t >= opts.errorsFrom && k % 2 === 0) logs.push({ timestamp: t, service: 'db', level: 'ERROR', message: `constraint violation on orders (${k})`, trace_id: id });
    if (k % 30 === 0) logs.push({ timestamp: t, service: 'api', level: 'INFO', message: `health check ok` });
  }
  return { spans, logs };
}

const window = { start: T0, end: T0 + 599 };

describe('inferSpanErrors', () => {
  it('marks the span of the service that logged an error in the trace, when spans carry no status', () => {
    const { spans, logs } = traffic({ errorsFrom: FAULT });
    const r = inferSpanErrors(spans, logs);
    expect(r.inferred).toBe(150);
    const failed = r.spans.filter((s) => s.status_code === 'ERROR');
    expect(new Set(failed.map((s) => s.service))).toEqual(new Set(['db']));
    expect(failed.every((s) => s.start_unix_nano >= FAULT * 1e9)).toBe(true);
    // The input is not changed.
    expect(spans.every((s) => s.status_code === '')).toBe(true);
  });

  it('leaves spans alone when the instrumentation records errors', () => {
    const { spans, logs } = traffic({ errorsFrom: FAULT, status: 'OK' });
    spans[0].status_code = 'ERROR';
    expect(inferSpanErrors(spans, logs)).toEqual({ spans, inferred: 0 });
  });
});

describe('logAbsence', () => {
  it('finds a line that came with every span of an operation and stopped while the operation went on', () => {
    const c = { id: 'x', fault_time: FAULT, window, ...traffic({ lineStopsAt: FAULT + 10 }), metrics: [] };
    const { lineTemplates, miner } = scoreLogs(c);
    const [e, ...rest] = logAbsence(c, lineTemplates, miner);
    expect(rest).toEqual([]);
    expect(e).toMatchObject({ type: 'log', service: 'api', absent_from: 'POST /orders', level: 'info', count: 10, per_span: [1, expect.closeTo(10 / 300, 3)] });
    expect(e.template).toMatch(/validated/);
    expect(e.score).toBeGreaterThan(15);
  });

  it('finds nothing when the lines go on, or when the operation stops too', () => {
    const steady = { id: 'y', fault_time: FAULT, window, ...traffic({}), metrics: [] };
    const a = scoreLogs(steady);
    expect(logAbsence(steady, a.lineTemplates, a.miner)).toEqual([]);
    // No span after the fault at all: nothing was due.
    const quiet = traffic({ lineStopsAt: FAULT });
    const stopped = { id: 'z', fault_time: FAULT, window, spans: quiet.spans.filter((s) => s.start_unix_nano < FAULT * 1e9), logs: quiet.logs, metrics: [] };
    const b = scoreLogs(stopped);
    expect(logAbsence(stopped, b.lineTemplates, b.miner)).toEqual([]);
  });
});
