/**
 * Log evidence: every line is mined into a template (see `TemplateMiner`), and each (service, template)
 * becomes a count series whose deviation after the fault time is scored like a metric, weighted by level,
 * with a boost for templates that never appeared before the fault.
 */

import { LogEvidence, LogLevel, LogRecord, RcaCase } from '../case';
import { countShiftScore, eventBucketSeconds, ONSET_THRESHOLD, scoreSeries } from '../metrics/anomaly';
import { TemplateMiner } from './template-miner';

/**
 * How much a template's deviation counts, by level: an error burst says more about a fault than the same
 * burst of info or debug lines, which are often just a busier (or retrying) client.
 */
export const LEVEL_WEIGHT: Record<LogLevel, number> = { error: 1, warn: 0.6, info: 0.3, debug: 0.1 };

/**
 * Multiplier for a warn or error template that never appeared (in that service) before the fault time: a
 * complaint the system has never written is among the strongest hints of what broke. New info and debug lines
 * are not boosted: jobs, deploys and caches write new info lines in normal operation.
 */
export const NEW_TEMPLATE_BOOST = 1.5;

/** Levels by rank (the index is the severity: higher is more severe). */
const LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error'];
const WARN = 2;

/** Names (lower case, without surrounding punctuation) written by common loggers, syslog, glog/logcat letters, java.util.logging, .NET. */
const LEVEL_NAMES = new Map<string, LogLevel>([
  ...['e', 'err', 'error', 'errors', 'eror', 'f', 'fatal', 'critical', 'crit', 'alert', 'emerg', 'emergency', 'severe', 'panic', 'dpanic'].map((n) => [n, 'error'] as const),
  ...['w', 'wrn', 'warn', 'warning', 'warnings'].map((n) => [n, 'warn'] as const),
  ...['i', 'inf', 'info', 'information', 'informational', 'notice'].map((n) => [n, 'info'] as const),
  ...['d', 'dbg', 'debug', 'trc', 'trace', 'v', 'vrb', 'verbose'].map((n) => [n, 'debug'] as const),
]);

/** Prefixes for the longer spellings not in the table (`ERROR_LEVEL`, `Critical!`, `WARNINGS`, `finest`...). */
const LEVEL_PREFIXES: readonly (readonly [string, LogLevel])[] = [
  ['err', 'error'],
  ['fatal', 'error'],
  ['crit', 'error'],
  ['emerg', 'error'],
  ['warn', 'warn'],
  ['info', 'info'],
  ['debug', 'debug'],
  ['trace', 'debug'],
  ['verb', 'debug'],
  ['fine', 'debug'],
];

/**
 * Normalises a level as written by the source (`ERROR`, `err`, `E`, `[WARN]`, `Information`, `finest`...).
 * A number is read as a syslog severity (0-3 error, 4 warn, 5-6 info, 7 debug) and only as that: OpenTelemetry
 * severity numbers (1-24) would clash with it, so a number above 7 is unknown. Unknown and empty levels are info,
 * the level of an unlabelled line.
 */
export function normalizeLevel(level: string): LogLevel {
  return levelOf(level) ?? 'info';
}

/** The level of one line: its level field, else the level its message states, else info. */
export function lineLevel(r: Pick<LogRecord, 'level' | 'message'>): LogLevel {
  return levelOf(r.level) ?? levelFromMessage(String(r.message ?? '')) ?? 'info';
}

/** The level a field names, or undefined when it names none (empty, unknown). */
export function levelOf(level: string | undefined): LogLevel | undefined {
  // String(): a case file read from CSV or JSON may hold a missing or numeric level despite the type.
  const s = String(level ?? '')
    .trim()
    .toLowerCase()
    .replace(/^[^a-z0-9]+|[^a-z0-9]+$/g, '');
  if (!s) return undefined;
  if (/^\d+$/.test(s)) {
    const n = Number(s);
    return n <= 3 ? 'error' : n === 4 ? 'warn' : n === 7 ? 'debug' : n <= 6 ? 'info' : undefined;
  }
  const named = LEVEL_NAMES.get(s);
  if (named) return named;
  for (const [prefix, l] of LEVEL_PREFIXES) if (s.startsWith(prefix)) return l;
  return undefined;
}

/** `level=error`, `"severity": "WARN"`, `lvl:info` inside a message (logfmt, JSON). */
const LEVEL_FIELD = /\b(?:level|lvl|severity|loglevel|log_level)["']?\s*[:=]\s*["']?([A-Za-z]+)/i;
/** An upper-case level word standing alone (`2024-01-01 10:00:00 ERROR [main] ...`, `[WARN]`), or a glog prefix (`E0612 ...`). */
const LEVEL_WORD = /(?:^|[\s[(|<])(FATAL|CRITICAL|CRIT|ERROR|ERR|WARNING|WARN|INFO|NOTICE|DEBUG|TRACE)(?=[\s\]):|>,]|$)|^([IWEF])\d{4} /;

/**
 * The level a message states itself, for sources whose level field is empty or unknown (container
 * logs collected as plain text often are): a `level=`/`severity:` field, else a level word in
 * capitals, else a glog-style prefix. Undefined when the message states none.
 */
export function levelFromMessage(message: string): LogLevel | undefined {
  const field = LEVEL_FIELD.exec(message);
  if (field) {
    const l = levelOf(field[1]);
    if (l) return l;
  }
  const word = LEVEL_WORD.exec(message);
  return word ? levelOf(word[1] ?? word[2]) : undefined;
}

/** Words that say something went wrong, whatever the level field says. */
const ERROR_WORDS = /\b(?:error|exception|fatal|panic|failed|failure|timed? ?out|refused)\b/i;
/** Exception and error class names (`NullPointerException`, `IOError`): camel case, so case-sensitive. */
const ERROR_CLASS = /[a-z](?:Exception|Error)\b/;

/**
 * Many services log failures at info (or debug) level. A line whose level is info/debug but whose message
 * clearly reports a failure counts as warn, not error: the words alone (`0 failed`, `error=none`) can mislead,
 * so the promotion is deliberately modest. Lines already at warn or error are left alone.
 */
function messageLooksLikeFailure(message: string): boolean {
  return ERROR_WORDS.test(message) || ERROR_CLASS.test(message);
}

/**
 * The buckets of the count series: `step` seconds, aligned on the fault time (so that no bucket mixes lines
 * from before and after it), over the reference period and the window. Only whole buckets are kept: a partial
 * bucket at an edge would look like a drop (or, scaled up, a burst) in every template. Period ends are inclusive,
 * so with whole-second timestamps the second `end` belongs to the period. A line outside every bucket still counts
 * in the rates, counts and `new_template`, only not in the series.
 */
interface Grid {
  step: number;
  /** Bucket start times, ascending: the series' timestamps. */
  times: Float64Array;
  /** Runs of consecutive bucket numbers `k` (bucket start = fault_time + k·step) and their offset in `times`. */
  segments: { kFrom: number; kTo: number; offset: number }[];
}

function bucketGrid(c: Pick<RcaCase, 'fault_time' | 'window' | 'reference'>): Grid {
  const step = eventBucketSeconds(c.window);
  const f = c.fault_time;
  const periods = [c.window, ...(c.reference ? [c.reference] : [])]
    .filter((p) => Number.isFinite(p.start) && Number.isFinite(p.end) && p.end >= p.start)
    .map((p) => ({ start: p.start, end: p.end }))
    .sort((a, b) => a.start - b.start);
  const merged: { start: number; end: number }[] = [];
  for (const p of periods) {
    const last = merged[merged.length - 1];
    // `end + 1`: adjacent inclusive periods (…2999 and 3000…) are one stretch of time.
    if (last && p.start <= last.end + 1) last.end = Math.max(last.end, p.end);
    else merged.push(p);
  }
  const segments: Grid['segments'] = [];
  const times: number[] = [];
  for (const p of merged) {
    const kFrom = Math.ceil((p.start - f) / step);
    const kTo = Math.floor((p.end + 1 - f) / step) - 1;
    if (kTo < kFrom) continue;
    segments.push({ kFrom, kTo, offset: times.length });
    for (let k = kFrom; k <= kTo; k++) times.push(f + k * step);
  }
  return { step, times: Float64Array.from(times), segments };
}

/** Where a line falls in the grid, or -1 when it is in no whole bucket. */
function bucketIndex(g: Grid, t: number, f: number): number {
  const k = Math.floor((t - f) / g.step);
  for (const s of g.segments) if (k >= s.kFrom && k <= s.kTo) return s.offset + k - s.kFrom;
  return -1;
}

/** After this many lines, the message cache is dropped unless this share of them were repeats. */
const REUSE_PROBE = 20_000;
const REUSE_MIN_SHARE = 0.05;

/**
 * Whether a repeated message can take the template it got the first time without being mined again. With wildcards
 * that count as a match (or are ignored), the template a line joined covers it from then on (generalising only adds
 * wildcards), so mining it again would find that template with similarity 1, and change no template. The one
 * exception: another template of the same tree leaf that has since grown to cover the message with more wildcards
 * would win the tie; reusing keeps the message with its first template, which is as valid a grouping and steadier.
 * With `mismatch`, generalising lowers a template's similarity to its own lines, so every line is mined.
 */
function reusesTemplates(miner: TemplateMiner): boolean {
  return miner.options.wildcards !== 'mismatch';
}

/** What is gathered per (service, template) in the single pass over the lines. */
interface Acc {
  service: string;
  templateId: string;
  /** The series, run-length encoded: lines come in time order, so bucket indexes only grow. */
  runIdx: number[];
  runCount: number[];
  /** In-range lines before the fault time (reference or window): none means a new template. */
  before: number;
  /** Lines in the period the reference rate is measured over. */
  refLines: number;
  /** Window lines at or after the fault time. */
  after: number;
  example: string;
  /** Time of the first window line at or after the fault time. */
  firstAfter: number;
  /** Most severe level (index into LEVELS) after the fault time, message included; -1 for none. */
  levelAfter: number;
  /** Most severe level as written over all lines (the message not read: see `pending`). */
  levelAll: number;
  /**
   * Lines before the fault whose message could still raise `levelAll` to warn. Their level matters only for a
   * template with no line after the fault (a drop), so the costly message test waits until that is known.
   */
  pending: number[];
}

/** The level of a template with no line after the fault: the most severe before it, messages read only now. */
function levelBeforeFault(a: Acc, logs: readonly LogRecord[]): number {
  if (a.levelAll < WARN) for (const i of a.pending) if (messageLooksLikeFailure(logs[i].message)) return WARN;
  return a.levelAll;
}

const compareText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
/** Miner ids are `T<n>`: shorter first gives numeric order (`T2` before `T10`), and any other id still sorts deterministically. */
const compareIds = (a: string, b: string): number => a.length - b.length || compareText(a, b);

const perMinute = (lines: number, seconds: number): number => (seconds > 0 ? (lines * 60) / seconds : 0);

/**
 * Scores the logs of a case: each (service, template) is a count series (lines per bucket of
 * `eventBucketSeconds(window)`, empty buckets included, so a template silent before and bursting after shows) scored
 * with `scoreSeries` (one line is one unit: `minScale` 1), times the level weight of its lines after the fault time,
 * times NEW_TEMPLATE_BOOST for a new warn or error template. Lines outside the reference period and the window are ignored (not
 * even mined). A drop (a heartbeat that stopped) counts only as much as `scoreSeries` lets downward deviations.
 *
 * Passing a miner restored with `TemplateMiner.fromJSON` keeps template ids stable across cases; it is updated in
 * place and returned. Lines are mined in time order (a stable sort, so equal timestamps keep their order).
 *
 * A message repeated exactly within the case is mined once (see `reusesTemplates`): about half of real log lines
 * repeat an earlier one (52% over the loghub 2k samples) and mining is nearly all the cost. So the miner's per-template
 * `count`s then grow by distinct messages rather than lines; its templates, ids and tree end up the same.
 */
export function scoreLogs(
  c: Pick<RcaCase, 'fault_time' | 'window' | 'reference' | 'logs'>,
  miner: TemplateMiner = new TemplateMiner(),
): { evidence: LogEvidence[]; miner: TemplateMiner; lineTemplates: (string | undefined)[] } {
  const logs: readonly LogRecord[] = c.logs ?? [];
  const lineTemplates = new Array<string | undefined>(logs.length);
  if (!logs.length) return { evidence: [], miner, lineTemplates };
  const f = c.fault_time;
  const { start: ws, end: we } = c.window;
  const ref = c.reference;
  const rs = ref ? ref.start : NaN;
  const re = ref ? ref.end : NaN;
  const grid = bucketGrid(c);
  // The same choice as `referenceRange`: the reference period when it holds at least 3 buckets, else the window before the fault.
  let refBuckets = 0;
  if (ref) for (const t of grid.times) if (t >= rs && t <= re) refBuckets++;
  const useRef = refBuckets >= 3;

  // In-range lines in time order (equal times in input order); sorted only when the source was not already.
  const order: number[] = [];
  let sorted = true;
  let last = -Infinity;
  for (let i = 0; i < logs.length; i++) {
    const t = logs[i].timestamp;
    if (!((t >= ws && t <= we) || (t >= rs && t <= re))) continue;
    order.push(i);
    if (t < last) sorted = false;
    last = t;
  }
  if (!sorted) {
    // A typed copy of the times: the comparator runs ~n·log n times, and reading records there is slower.
    const ts = new Float64Array(logs.length);
    for (const i of order) ts[i] = logs[i].timestamp;
    order.sort((a, b) => ts[a] - ts[b] || a - b);
  }

  // One pass: the id `add` returns is final (a template keeps its id when it is generalised), so lines can be
  // counted under it at once; only the template's text is read at the end, once it is fully generalised.
  const byService = new Map<string, Map<string, Acc>>();
  const levelCache = new Map<string, number>();
  let seen = reusesTemplates(miner) ? new Map<string, string>() : undefined;
  let hits = 0;
  let lastService: string | undefined;
  let templates: Map<string, Acc> | undefined;
  for (let n = 0; n < order.length; n++) {
    const i = order[n];
    const r = logs[i];
    const t = r.timestamp;
    let id = seen?.get(r.message);
    if (id !== undefined) hits++;
    else {
      id = miner.add(r.message).templateId;
      seen?.set(r.message, id);
    }
    lineTemplates[i] = id;
    // Hashing and keeping every message costs up to a tenth of mining it: not worth it when messages hardly repeat.
    if (n === REUSE_PROBE && hits < REUSE_PROBE * REUSE_MIN_SHARE) seen = undefined;
    if (r.service !== lastService || !templates) {
      lastService = r.service;
      templates = byService.get(r.service);
      if (!templates) byService.set(r.service, (templates = new Map()));
    }
    let a = templates.get(id);
    if (!a) {
      a = { service: r.service, templateId: id, runIdx: [], runCount: [], before: 0, refLines: 0, after: 0, example: '', firstAfter: NaN, levelAfter: -1, levelAll: -1, pending: [] };
      templates.set(id, a);
    }

    const inWin = t >= ws && t <= we;
    const isAfter = inWin && t >= f;
    if (t < f) a.before++;
    if (useRef ? t >= rs && t <= re : inWin && t < f) a.refLines++;
    if (isAfter && a.after++ === 0) {
      a.example = r.message;
      a.firstAfter = t;
    }

    let level = levelCache.get(r.level);
    if (level === undefined) {
      const named = levelOf(r.level);
      levelCache.set(r.level, (level = named ? LEVELS.indexOf(named) : -1));
    }
    // No level field: the message may state one (else it is info).
    if (level < 0) level = LEVELS.indexOf(levelFromMessage(r.message) ?? 'info');
    if (level > a.levelAll) {
      a.levelAll = level;
      if (level >= WARN) a.pending.length = 0;
    }
    // The message test costs several percent of mining a line: run it only when it can change the level reported.
    if (isAfter) {
      if (level < WARN && a.levelAfter < WARN && messageLooksLikeFailure(r.message)) level = WARN;
      if (level > a.levelAfter) a.levelAfter = level;
    } else if (level < WARN && a.levelAll < WARN) a.pending.push(i);

    const b = bucketIndex(grid, t, f);
    if (b >= 0) {
      const runs = a.runIdx.length;
      if (runs && a.runIdx[runs - 1] === b) a.runCount[runs - 1]++;
      else {
        a.runIdx.push(b);
        a.runCount.push(1);
      }
    }
  }

  const refSeconds = useRef ? re - rs : f - ws;
  const winSeconds = we - f;
  // Without a single line in the reference, logging did not cover it: every template would look new.
  let covered = false;
  for (const templates of byService.values()) for (const a of templates.values()) covered ||= a.refLines > 0;
  const values = new Float64Array(grid.times.length);
  const evidence: LogEvidence[] = [];
  for (const [service, templates] of [...byService].sort(([x], [y]) => compareText(x, y))) {
    for (const [id, a] of [...templates].sort(([x], [y]) => compareIds(x, y))) {
      for (let j = 0; j < a.runIdx.length; j++) values[a.runIdx[j]] = a.runCount[j];
      const s = scoreSeries(grid.times, values, c, { minScale: 1 });
      for (const j of a.runIdx) values[j] = 0;
      if (!s) continue;
      const rank = a.after > 0 ? a.levelAfter : levelBeforeFault(a, logs);
      const level = LEVELS[rank];
      const isNew = covered && a.before === 0;
      const boost = isNew && rank >= WARN ? NEW_TEMPLATE_BOOST : 1;
      // Sparse lines never fill a bucket: their total after the fault against the reference rate counts too.
      const shift = covered ? countShiftScore(a.refLines, refSeconds, a.after, winSeconds) : 0;
      const score = Math.max(s.score, shift) * LEVEL_WEIGHT[level] * boost;
      const onset = s.onset ?? (shift >= ONSET_THRESHOLD && a.after > 0 ? a.firstAfter : null);
      if (!(score > 0)) continue;
      evidence.push({
        type: 'log',
        service,
        template_id: id,
        template: miner.template(id)?.template ?? '',
        level,
        score,
        sustained: Math.max(s.sustained, shift) * LEVEL_WEIGHT[level] * boost,
        ...(s.score >= shift ? { bound: s.bound * LEVEL_WEIGHT[level] * boost } : {}),
        onset,
        new_template: isNew,
        reference_rate: perMinute(a.refLines, refSeconds),
        window_rate: perMinute(a.after, winSeconds),
        count: a.after,
        example: a.example,
      });
    }
  }
  return { evidence, miner, lineTemplates };
}
