/**
 * Logs read together with the spans of the same trace.
 *
 * - Spans without a status: a service that logs an error in a trace failed in it, so its span there is marked as
 *   failed (`inferSpanErrors`), and the trace analysis finds where the errors start as with recorded statuses.
 * - Lines that stop: a code-level fault (an exception caught and swallowed, a wrong value returned) often writes
 *   no error at all; instead the lines that normally accompany an operation's spans stop appearing while the
 *   operation goes on (`logAbsence`).
 */
import { LogEvidence, LogLevel, LogRecord, RcaCase, SpanRecord } from '../case';
import { ONSET_THRESHOLD, referencePeriod, shortfallScore } from '../metrics/anomaly';
import { isErrorStatus, normalizeOperation } from '../traces/trace-analysis';
import { levelOf, lineLevel } from './log-analysis';
import { TemplateMiner } from './template-miner';

/** A line accompanies an operation when it came at least this often per span of it before the fault. */
export const LINE_ACCOMPANY_RATE = 0.5;
/** Spans of the operation needed before and after the fault to judge that its lines stopped. */
const MIN_SPANS = 5;
/** A log line's time (whole seconds, often) is matched to spans this loosely (seconds). */
const TIME_SLACK = 1;

/** Spans of each trace (of those `only` names, if given), by service: trace id -> service -> span indexes in start order. */
function spansByTrace(spans: readonly SpanRecord[], only?: Set<string>): Map<string, Map<string, number[]>> {
  const out = new Map<string, Map<string, number[]>>();
  for (let i = 0; i < spans.length; i++) {
    const s = spans[i];
    if (only && !only.has(s.trace_id)) continue;
    let byService = out.get(s.trace_id);
    if (!byService) out.set(s.trace_id, (byService = new Map()));
    let list = byService.get(s.service);
    if (!list) byService.set(s.service, (list = []));
    list.push(i);
  }
  for (const byService of out.values()) for (const list of byService.values()) list.sort((a, b) => spans[a].start_unix_nano - spans[b].start_unix_nano || a - b);
  return out;
}

/**
 * When no span carries an error status (the instrumentation records none), marks as failed the span of each
 * service that logged an error in a trace: the innermost of its spans in that trace around the line's time (else
 * its last span that started before it, else its first). Returns the spans (copies where changed) and how many
 * were marked; the input is returned unchanged when a span has an error status or no log line says error.
 */
export function inferSpanErrors(spans: readonly SpanRecord[], logs: readonly LogRecord[]): { spans: readonly SpanRecord[]; inferred: number } {
  if (!spans.length || !logs.length) return { spans, inferred: 0 };
  for (const s of spans) if (isErrorStatus(s.status_code)) return { spans, inferred: 0 };
  const errors = logs.filter((r) => r.trace_id && lineLevel(r) === 'error');
  if (!errors.length) return { spans, inferred: 0 };
  const byTrace = spansByTrace(spans, new Set(errors.map((r) => r.trace_id as string)));
  const marked = new Set<number>();
  for (const r of errors) {
    const mine = byTrace.get(r.trace_id as string)?.get(r.service);
    if (!mine?.length) continue;
    const t = r.timestamp * 1e9;
    const slack = TIME_SLACK * 1e9;
    let pick = -1;
    for (const i of mine) {
      // Later-starting spans around the time are deeper (children start after their parents).
      if (spans[i].start_unix_nano - slack <= t && t <= spans[i].end_unix_nano + slack) pick = i;
    }
    if (pick < 0) for (const i of mine) if (spans[i].start_unix_nano <= t + slack) pick = i;
    marked.add(pick >= 0 ? pick : mine[0]);
  }
  if (!marked.size) return { spans, inferred: 0 };
  return { spans: spans.map((s, i) => (marked.has(i) ? { ...s, status_code: 'ERROR' } : s)), inferred: marked.size };
}

const LEVEL_RANK: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 };

/**
 * `log` evidence with `absent_from`: per service, the template of lines that accompanied an operation's spans
 * before the fault (at least LINE_ACCOMPANY_RATE lines per span of that service's first span in the trace, of
 * that operation) and stopped while the operation went on. Scored as a count shortfall (`shortfallScore`),
 * not weighted by level: a missing info line is the trace of a flow that
 * went another way. `lineTemplates` holds each line's template id (see `scoreLogs`).
 */
export function logAbsence(
  c: Pick<RcaCase, 'fault_time' | 'window' | 'reference' | 'logs' | 'spans'>,
  lineTemplates: readonly (string | undefined)[],
  miner: TemplateMiner,
): LogEvidence[] {
  const spans = c.spans ?? [];
  const logs = c.logs ?? [];
  if (!spans.length || !logs.length) return [];
  const ref = referencePeriod(c);
  const phase = (seconds: number): 0 | 1 | -1 => (seconds >= ref.start && seconds <= ref.end && seconds < c.fault_time ? 0 : seconds >= c.fault_time && seconds <= c.window.end ? 1 : -1);
  // Numbers for traces and services: the joins below run on numeric keys (string keys cost more than the work).
  const traceIds = new Map<string, number>();
  const serviceIds = new Map<string, number>();
  const idOf = (m: Map<string, number>, k: string): number => {
    let id = m.get(k);
    if (id === undefined) m.set(k, (id = m.size));
    return id;
  };
  const spanTrace = new Int32Array(spans.length);
  const spanService = new Int32Array(spans.length);
  for (let i = 0; i < spans.length; i++) {
    spanTrace[i] = idOf(traceIds, spans[i].trace_id);
    spanService[i] = idOf(serviceIds, spans[i].service);
  }
  const nServices = serviceIds.size;
  // The service's first span in each trace stands for what the service did in it.
  const entry = new Map<number, number>();
  for (let i = 0; i < spans.length; i++) {
    const key = spanTrace[i] * nServices + spanService[i];
    const j = entry.get(key);
    if (j === undefined || spans[i].start_unix_nano < spans[j].start_unix_nano) entry.set(key, i);
  }
  // Operations of entry spans: (service, normalised name) -> id.
  const opIds = new Map<string, number>();
  const opService: string[] = [];
  const opName: string[] = [];
  const names = new Map<string, string>();
  const opOf = new Int32Array(spans.length).fill(-1);
  const opSpans: [number, number][] = [];
  // Per operation: the first time after the fault one of its spans ran (its lines were due from then on).
  const firstAfter: number[] = [];
  for (const i of entry.values()) {
    const raw = spans[i].operation;
    let name = names.get(raw);
    if (name === undefined) names.set(raw, (name = normalizeOperation(raw)));
    const key = `${spans[i].service}\u0000${name}`;
    let op = opIds.get(key);
    if (op === undefined) {
      opIds.set(key, (op = opService.length));
      opService.push(spans[i].service);
      opName.push(name);
      opSpans.push([0, 0]);
      firstAfter.push(Infinity);
    }
    opOf[i] = op;
    const t = spans[i].start_unix_nano / 1e9;
    const p = phase(t);
    if (p === -1) continue;
    opSpans[op][p]++;
    if (p === 1 && t < firstAfter[op]) firstAfter[op] = t;
  }
  interface Lines {
    op: number;
    template: string;
    counts: [number, number];
    level: LogLevel;
    example: string;
  }
  const templateIds = new Map<string, number>();
  const lines = new Map<number, Lines>();
  const levels = new Map<string, LogLevel | undefined>();
  for (let i = 0; i < logs.length; i++) {
    const r = logs[i];
    const template = lineTemplates[i];
    if (!r.trace_id || template === undefined) continue;
    const p = phase(r.timestamp);
    if (p === -1) continue;
    const trace = traceIds.get(r.trace_id);
    const service = serviceIds.get(r.service);
    if (trace === undefined || service === undefined) continue;
    const span = entry.get(trace * nServices + service);
    if (span === undefined) continue;
    const op = opOf[span];
    // Every operation is known by now: (template, operation) numbers one-to-one.
    const key = idOf(templateIds, template) * opService.length + op;
    let l = lines.get(key);
    if (!l) lines.set(key, (l = { op, template, counts: [0, 0], level: 'debug', example: '' }));
    l.counts[p]++;
    let level = levels.get(r.level);
    if (!levels.has(r.level)) levels.set(r.level, (level = levelOf(r.level)));
    const lvl = level ?? lineLevel(r);
    if (LEVEL_RANK[lvl] > LEVEL_RANK[l.level]) l.level = lvl;
    if (p === 0 && !l.example) l.example = r.message;
  }
  const refMinutes = Math.max(1e-9, (Math.min(ref.end, c.fault_time) - ref.start) / 60);
  const winMinutes = Math.max(1e-9, (c.window.end - c.fault_time) / 60);
  const out: LogEvidence[] = [];
  for (const l of lines.values()) {
    const [nb, na] = opSpans[l.op];
    if (nb < MIN_SPANS || na < MIN_SPANS) continue;
    const rate = l.counts[0] / nb;
    if (rate < LINE_ACCOMPANY_RATE) continue;
    const expected = rate * na;
    const seen = l.counts[1];
    if (seen >= expected / 2) continue;
    const score = shortfallScore(expected, seen);
    if (score < ONSET_THRESHOLD) continue;
    out.push({
      type: 'log',
      service: opService[l.op],
      template_id: l.template,
      template: miner.template(l.template)?.template ?? '',
      level: l.level,
      score,
      sustained: score,
      onset: Math.floor(Number.isFinite(firstAfter[l.op]) ? firstAfter[l.op] : c.fault_time),
      new_template: false,
      reference_rate: l.counts[0] / refMinutes,
      window_rate: seen / winMinutes,
      count: seen,
      example: l.example,
      absent_from: opName[l.op],
      per_span: [Math.round(rate * 1000) / 1000, Math.round((seen / na) * 1000) / 1000],
    });
  }
  return out.sort((a, b) => (a.service < b.service ? -1 : a.service > b.service ? 1 : 0) || (a.absent_from as string).localeCompare(b.absent_from as string) || a.template_id.localeCompare(b.template_id));
}
