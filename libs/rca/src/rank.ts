import { ChangeEvidence, Evidence, RankedCandidate, RcaCase, RcaResult, SpanRecord, TopologyEdge } from './case';
import { scoreChanges } from './changes';
import { scoreLogs } from './logs/log-analysis';
import { inferSpanErrors, logAbsence } from './logs/trace-logs';
import { ONSET_THRESHOLD, scoreMetrics } from './metrics/anomaly';
import { describeCandidate } from './summary';
import { analyzeTraces, CLIENT_SPAN_SHARE } from './traces/trace-analysis';
import { TemplateMiner } from './logs/template-miner';

export { CLIENT_SPAN_SHARE };

/**
 * How much each kind of evidence counts. Every kind is first scored in the same robust units
 * (deviation from the reference in median/IQR units); logs are noisier (many templates, bursty
 * counts) so they count a little less.
 */
export const EVIDENCE_WEIGHT = { metric: 1, trace: 1, log: 0.8 } as const;

/** The strongest kind of evidence counts in full, the other kinds (agreeing signals) this much. */
export const CORROBORATION = 0.5;

/**
 * A service whose anomaly is explained by an anomalous service it calls (directly or not), which
 * started no later than its own, loses up to this share of the part of its score the callee could
 * have caused, in proportion to how anomalous the callee is: the callee is the cause,
 * the caller shows the symptom.
 */
export const SYMPTOM_DISCOUNT = 0.9;
/** Onsets this close count as simultaneous when deciding which of two services went first. */
export const ONSET_SLACK_SECONDS = 60;

export interface RankOptions {
  /** A template miner to continue from (its template ids stay stable); a new one otherwise. */
  miner?: TemplateMiner;
}

type SignalKind = 'metric' | 'trace' | 'log';
const SIGNAL_KINDS: readonly SignalKind[] = ['metric', 'trace', 'log'];

interface ServiceScore {
  service: string;
  evidence: Evidence[];
  /** Per kind of signal: its strongest deviation above the noise, compressed and weighted. */
  parts: Record<SignalKind, number>;
  /** Per kind: the part the evidence a callee can cause makes up (see `canPropagate`), at most `parts`. */
  propagates: Record<SignalKind, number>;
  /** The parts summed, raised by a recent change. */
  combined: number;
  onset: number | null;
  /** Set when a service it calls explains its anomaly. */
  explainedBy?: string;
}

/**
 * The service's own resources (cpu, memory, disk, threads, sockets): a callee's fault rarely shows
 * up there, so such evidence is not a symptom of anything downstream.
 */
const RESOURCE = /cpu|mem|heap|\bgc\b|_gc|gc_|disk|swap|thread|file_?desc|\bfds?\b|oom|iops|\bio\b|_io\b|filesystem|\bfs_|socket|net(?:work)?_?(?:rx|tx|in|out|recv|sent|bytes|packets)/i;

/**
 * Whether evidence can be the effect of a fault in a service this one calls: its latency, errors,
 * traffic and log lines can, and so can the own time and errors of its client spans; its own
 * resource usage, its other spans' self time and originating errors, and its changes cannot.
 */
export function canPropagate(e: Evidence): boolean {
  switch (e.type) {
    case 'metric':
      return !RESOURCE.test(e.metric);
    case 'log':
      return !RESOURCE.test(e.template);
    case 'trace':
      // Spans' own time and errors are the service's, except in spans that mostly wait on a callee (client
      // spans): their own time is the network to it, and a fault of the callee (delay, loss) shows there.
      // Transport time to and from the service is its own network's (its peers each see one edge of it).
      if (e.signal === 'transport' || e.signal === 'calls') return false;
      return e.callee_share >= CLIENT_SPAN_SHARE;
    case 'change':
      return false;
  }
}

/** The strongest evidence of a kind (by calibrated strength), among those `keep` accepts. */
function strongest(evidence: Evidence[], kind: SignalKind, str: (e: Evidence) => number, keep: (e: Evidence) => boolean = () => true): Evidence | undefined {
  let best: Evidence | undefined;
  let bestStrength = -1;
  for (const e of evidence) {
    if (e.type !== kind || !keep(e)) continue;
    const x = str(e);
    if (x > bestStrength) {
      best = e;
      bestStrength = x;
    }
  }
  return best;
}

/**
 * Whether a callee's evidence is of a kind its callers feel: its latency, errors and traffic, the time and errors
 * of its spans, slow calls into it, its warnings and errors. Its own resources (a busy CPU that does not slow
 * it), its info lines and its changes reach no caller by themselves.
 */
export function reachesCallers(e: Evidence): boolean {
  switch (e.type) {
    case 'metric':
      return !RESOURCE.test(e.metric);
    case 'trace':
      return true;
    case 'log':
      return (e.level === 'error' || e.level === 'warn') && !RESOURCE.test(e.template);
    case 'change':
      return false;
  }
}

/** The metric family of a name: digits dropped (p90/p95/p99 of one histogram, eth0/eth1 of one host are one family). */
export function metricFamily(metric: string): string {
  return metric.replace(/\d+/g, '#');
}
/**
 * A service's metric part: per metric family its strongest metric, the strongest family in full and each next
 * one at CORROBORATION times the one before: a fault moves several kinds of metric of its service (CPU, memory,
 * latency), an artefact one family.
 */
function familyStrength(evidence: Evidence[], str: (e: Evidence) => number, keep: (e: Evidence) => boolean): number {
  const best = new Map<string, number>();
  for (const e of evidence) {
    if (e.type !== 'metric' || !keep(e)) continue;
    const family = metricFamily(e.metric);
    best.set(family, Math.max(best.get(family) ?? 0, str(e)));
  }
  const xs = [...best.values()].sort((a, b) => b - a);
  let total = 0;
  let w = 1;
  for (const x of xs) {
    total += w * x;
    w *= CORROBORATION;
  }
  return total;
}

/** A metric needs to be kept by at least this many services for what most of them show to count as common. */
export const COMMON_MODE_MIN_SERVICES = 4;

/**
 * Metric strengths with what the metric shows in most services taken out: when the p99 of nearly every service
 * jumps at once (the load balancer, the node, the front end starving, or a histogram artefact), that jump says
 * nothing about which one is the cause; the part of one service's jump above the median service's does.
 */
export function specificStrengths(evidence: Evidence[]): Map<Evidence, number> {
  const byMetric = new Map<string, { e: Evidence; x: number }[]>();
  for (const e of evidence) {
    if (e.type !== 'metric') continue;
    let list = byMetric.get(e.metric);
    if (!list) byMetric.set(e.metric, (list = []));
    list.push({ e, x: strength(e) });
  }
  const out = new Map<Evidence, number>();
  for (const list of byMetric.values()) {
    if (new Set(list.map((i) => i.e.service)).size < COMMON_MODE_MIN_SERVICES) continue;
    const sorted = list.map((i) => i.x).sort((a, b) => a - b);
    const common = sorted[Math.floor((sorted.length - 1) / 2)];
    if (common > 0) for (const i of list) out.set(i.e, Math.max(0, i.x - common));
  }
  return out;
}

/** A service's part of one kind, from the evidence `keep` accepts: its strongest, weighted; for metrics its families (see `familyStrength`). */
function kindPart(evidence: Evidence[], kind: SignalKind, str: (e: Evidence) => number, keep: (e: Evidence) => boolean = () => true): number {
  if (kind === 'metric') return EVIDENCE_WEIGHT.metric * familyStrength(evidence, str, keep);
  const top = strongest(evidence, kind, str, keep);
  return top ? EVIDENCE_WEIGHT[kind] * str(top) : 0;
}

/** A service's combined score without the evidence `drop` names (see the symptom discount). */
function explainingScore(s: ServiceScore, str: (e: Evidence) => number, drop: (e: Evidence) => boolean): number {
  return combine(SIGNAL_KINDS.map((k) => kindPart(s.evidence, k, str, (e) => !drop(e))));
}

/** The strongest part in full, the others at CORROBORATION. */
function combine(parts: number[]): number {
  if (!parts.length) return 0;
  const strongest = Math.max(...parts);
  return strongest + CORROBORATION * (parts.reduce((a, x) => a + x, 0) - strongest);
}

/** A deviation below the onset threshold is noise: only the part above it counts, compressed so no single signal swamps the others. */
const compress = (z: number) => Math.log1p(Math.max(0, z - ONSET_THRESHOLD));

/** How much of an evidence's strength comes from its sustained deviation (the rest from its peak; see `sustainedRank`). */
export const PERSISTENCE = 0.5;

/**
 * The strength of one piece of evidence: its peak deviation and the deviation it sustains (see `sustainedRank`),
 * each above the noise and compressed, half and half. A lone spike counts half as much as a shift that holds.
 */
export function strength(e: Evidence): number {
  if (e.type === 'change') return compress(e.score);
  const bound = e.bound ?? Infinity;
  return (1 - PERSISTENCE) * compress(Math.min(bound, e.score)) + PERSISTENCE * compress(Math.min(bound, e.sustained ?? e.score));
}

function byScore(a: Evidence, b: Evidence): number {
  return b.score - a.score || evidenceKey(a).localeCompare(evidenceKey(b));
}

function evidenceKey(e: Evidence): string {
  switch (e.type) {
    case 'metric':
      return `metric:${e.metric}`;
    case 'log':
      return `log:${e.template_id}:${e.absent_from ?? ''}`;
    case 'trace':
      return `trace:${e.operation}:${e.signal}`;
    case 'change':
      return `change:${e.timestamp}:${e.description}`;
  }
}

/** Services reachable from each service along the edges (source calls target). */
function downstream(edges: TopologyEdge[]): Map<string, Set<string>> {
  const out = new Map<string, string[]>();
  for (const e of edges) if (e.source !== e.target) out.set(e.source, [...(out.get(e.source) ?? []), e.target]);
  const reach = new Map<string, Set<string>>();
  for (const start of out.keys()) {
    const seen = new Set<string>();
    const stack = [...(out.get(start) ?? [])];
    while (stack.length) {
      const s = stack.pop() as string;
      if (s === start || seen.has(s)) continue;
      seen.add(s);
      stack.push(...(out.get(s) ?? []));
    }
    reach.set(start, seen);
  }
  return reach;
}

/**
 * Edges learned from anomalous log lines that name another service (`upstream payment returned
 * 500`, `dial tcp carts-db:27017: connection refused`): the writer depends on the service named.
 * This finds callees that write no spans.
 */
export function mentionEdges(evidence: Evidence[], services: string[]): TopologyEdge[] {
  const names = services.filter((n) => n.length >= 3).sort((a, b) => b.length - a.length || a.localeCompare(b));
  if (names.length < 2) return [];
  const re = new RegExp(`(?<![\\w.-])(${names.map((n) => n.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|')})(?![\\w-])`, 'g');
  const seen = new Set<string>();
  const out: TopologyEdge[] = [];
  for (const e of evidence) {
    if (e.type !== 'log' || e.score < ONSET_THRESHOLD || !e.example) continue;
    for (const m of e.example.matchAll(re)) {
      const key = `${e.service}\u0000${m[1]}`;
      if (m[1] === e.service || seen.has(key)) continue;
      seen.add(key);
      out.push({ source: e.service, target: m[1], type: 'log-mention' });
    }
  }
  return out.sort((a, b) => a.source.localeCompare(b.source) || a.target.localeCompare(b.target));
}

/**
 * Ranks the services of a case, most likely root cause first. Each service's metrics, logs and
 * spans are scored against the reference in robust units; per kind its strongest deviation counts
 * (above the noise threshold, log-compressed), summed over kinds so that agreeing signals add up.
 * A change to the service shortly before its onset raises it. Then the topology (given, learned
 * from the spans' parent links and from log lines naming services) turns symptoms down: a service
 * whose callee is anomalous too, and went first, loses up to SYMPTOM_DISCOUNT of the part of its
 * score the callee could have caused, in proportion to how anomalous that callee is.
 */
export function rankRootCauses(c: RcaCase, opts: RankOptions = {}): RcaResult {
  // Spans without a status: the errors their services logged in the same trace stand for one.
  const inferred = c.spans?.length && c.logs?.length ? inferSpanErrors(c.spans, c.logs) : undefined;
  const traces = analyzeTraces(inferred?.inferred ? { ...c, spans: inferred.spans as SpanRecord[] } : c);
  const logs = c.logs?.length ? scoreLogs(c, opts.miner) : undefined;
  const evidence: Evidence[] = [...scoreMetrics(c), ...traces.evidence, ...(logs ? [...logs.evidence, ...logAbsence(c, logs.lineTemplates, logs.miner)] : [])];
  const services = new Map<string, ServiceScore>();
  const entry = (service: string) => {
    let s = services.get(service);
    if (!s) {
      s = { service, evidence: [], parts: { metric: 0, trace: 0, log: 0 }, propagates: { metric: 0, trace: 0, log: 0 }, combined: 0, onset: null };
      services.set(service, s);
    }
    return s;
  };
  for (const e of evidence) entry(e.service).evidence.push(e);
  const specific = specificStrengths(evidence);
  const str = (e: Evidence) => specific.get(e) ?? strength(e);

  for (const s of services.values()) {
    s.evidence.sort(byScore);
    let best = 0;
    for (const kind of SIGNAL_KINDS) {
      const top = strongest(s.evidence, kind, str);
      if (!top) continue;
      s.parts[kind] = kindPart(s.evidence, kind, str);
      s.propagates[kind] = Math.min(s.parts[kind], kindPart(s.evidence, kind, str, canPropagate));
      best = Math.max(best, top.score);
    }
    s.combined = combine(SIGNAL_KINDS.map((k) => s.parts[k]));
    // Below the threshold everywhere: keep the order of the raw deviations as a tie-break.
    s.combined += 1e-3 * Math.min(best, ONSET_THRESHOLD);
    for (const e of s.evidence) {
      if (e.type !== 'change' && e.onset !== null && e.score >= ONSET_THRESHOLD && (s.onset === null || e.onset < s.onset)) s.onset = e.onset;
    }
  }

  const changes: ChangeEvidence[] = scoreChanges(c, new Map([...services.values()].map((s) => [s.service, s.onset])));
  for (const ch of changes) {
    const s = entry(ch.service);
    s.evidence.push(ch);
    // A recent change multiplies what the service shows, and alone is weak evidence.
    s.combined = s.combined * (1 + ch.score) + 0.5 * ch.score;
  }

  const edges = [...(c.topology ?? []), ...traces.edges, ...mentionEdges(evidence, [...services.keys()])];
  const reach = downstream(edges);
  // Which services have telemetry of each kind (a callee without spans hides inside its callers' spans).
  const has: Record<SignalKind, Set<string>> = {
    metric: new Set(c.metrics.map((x) => x.service)),
    trace: new Set((c.spans ?? []).map((x) => x.service)),
    log: new Set((c.logs ?? []).map((x) => x.service)),
  };
  /** How much of its score a service loses to the callee that best explains it, and which; a callee's explaining power scaled by `credit` (1 - its own discount). */
  const discountOf = (s: ServiceScore, credit: (service: string) => number): { discount: number; by?: string } => {
    let discount = 0;
    let by: string | undefined;
    const total = SIGNAL_KINDS.reduce((a, k) => a + s.parts[k], 0);
    const ownTransport = strongest(s.evidence, 'trace', str, (e) => e.type === 'trace' && e.signal === 'transport');
    for (const d of reach.get(s.service) ?? []) {
      const ds = services.get(d);
      if (!ds || ds.onset === null || ds.combined <= 1e-3 * ONSET_THRESHOLD || total <= 0) continue;
      if (s.onset !== null && ds.onset > s.onset + ONSET_SLACK_SECONDS) continue;
      // Slow calls between the two are evidence against whichever end is more central to the slow calls: they
      // do not explain the caller's anomaly when the caller is (the caller's own slowness delays its calls too).
      const shared = (e: Evidence) => e.type === 'trace' && e.signal === 'transport' && e.peer === s.service && ownTransport !== undefined && str(ownTransport) >= str(e);
      // A callee that is itself mostly a symptom of one of its own callees explains that much less.
      const explaining = explainingScore(ds, str, (e) => !reachesCallers(e) || shared(e)) * credit(d);
      if (explaining <= 1e-3 * ONSET_THRESHOLD) continue;
      // The callee is at the centre of slow calls from this service: this service's own time in spans that wrap
      // those calls (server spans around calls, when there are no client spans) can be that transport time.
      const viaEdge = ds.evidence.some((e) => e.type === 'trace' && e.signal === 'transport' && e.peer === s.service && !shared(e) && e.score >= ONSET_THRESHOLD);
      const comparableParts: number[] = [];
      let explainable = 0;
      for (const k of SIGNAL_KINDS) {
        const missing = !has[k].has(d);
        // Compared where the callee shows something: a callee's network fault shows in its caller's spans, not its own.
        if (ds.parts[k] > 0) comparableParts.push(s.parts[k]);
        // A callee without spans hides its time and errors inside its callers' spans; its other effects are
        // latency, errors and log lines, not the caller's own resources.
        explainable += k === 'trace' && (missing || viaEdge) ? s.parts[k] : s.propagates[k];
      }
      // Where the caller shows nothing of the kinds the callee does (a callee's network fault shows in its caller's
      // spans, not its own), the callee is weighed against what of the caller it could explain: a callee barely
      // out of its noise explains nothing much.
      const comparable = combine(comparableParts) || explainable;
      const ratio = comparable > 0 ? Math.min(1, explaining / comparable) : 1;
      const x = SYMPTOM_DISCOUNT * ratio * (explainable / total);
      if (x > discount || (x === discount && x > 0 && by !== undefined && d < by)) {
        discount = x;
        by = d;
      }
    }
    return { discount, by };
  };
  // Twice: the second time, each callee's explaining power is what the first left of it.
  const first = new Map([...services.values()].map((s) => [s.service, discountOf(s, () => 1).discount]));
  const finals = new Map<string, number>();
  for (const s of services.values()) {
    const { discount, by } = discountOf(s, (d) => 1 - (first.get(d) ?? 0));
    if (by !== undefined) s.explainedBy = by;
    finals.set(s.service, s.combined * (1 - discount));
  }

  const anomalous = [...services.values()].some((s) => s.evidence.some((e) => e.type === 'change' || e.score >= ONSET_THRESHOLD));
  const candidates: RankedCandidate[] = [...services.values()].map((s) => ({
    service: s.service,
    score: finals.get(s.service) ?? 0,
    confidence: 0,
    evidence: pickEvidence(s.evidence),
    ...(s.explainedBy ? { explained_by: s.explainedBy } : {}),
  }));
  candidates.sort((a, b) => b.score - a.score || a.service.localeCompare(b.service));
  const conf = confidences(candidates.map((x) => x.score));
  candidates.forEach((x, i) => {
    x.confidence = round(conf[i]);
    x.score = round(x.score);
  });
  return { case_id: c.id, candidates, summary: anomalous ? summarize(candidates) : 'No anomaly found in the telemetry of this case.' };
}

const round = (x: number) => Math.round(x * 1e4) / 1e4;

/** Score units per e-fold of odds between two candidates in `confidences`. */
export const CONFIDENCE_TEMPERATURE = 1;
/** The score of "none of them" in `confidences`: a case where no candidate scores well above it has no confident answer. */
export const NONE_SCORE = 1;

/**
 * Each candidate's probability of being the root cause: a softmax of the scores (which are sums of
 * log-compressed deviations, so a unit of score is a factor of odds), with "none of them" as one more
 * candidate scoring NONE_SCORE. Checked on every evaluation set with one temperature (`rca-eval` reports how
 * often the top candidate is right above 0.5, 0.7 and 0.9).
 */
export function confidences(scores: number[]): number[] {
  const top = Math.max(NONE_SCORE, ...scores);
  const w = scores.map((s) => Math.exp((s - top) / CONFIDENCE_TEMPERATURE));
  const total = w.reduce((a, x) => a + x, 0) + Math.exp((NONE_SCORE - top) / CONFIDENCE_TEMPERATURE);
  return w.map((x) => x / total);
}

/** The strongest few pieces of each kind (a candidate's evidence stays readable). */
function pickEvidence(all: Evidence[]): Evidence[] {
  const limit = { metric: 5, trace: 3, log: 3, change: 3 };
  const taken = { metric: 0, trace: 0, log: 0, change: 0 };
  return all.filter((e) => e.score > 0 && taken[e.type]++ < limit[e.type]);
}

function summarize(candidates: RankedCandidate[]): string {
  const top = candidates[0];
  const symptoms = candidates.filter((x) => x.explained_by === top.service).map((x) => x.service);
  const next = candidates.slice(1, 3).filter((x) => x.score > 0).map((x) => x.service);
  return [
    `Most likely root cause: ${top.service} (confidence ${Math.round(top.confidence * 100)}%). ${describeCandidate(top)}`,
    symptoms.length ? `${symptoms.join(', ')} ${symptoms.length === 1 ? 'calls' : 'call'} it and ${symptoms.length === 1 ? 'shows' : 'show'} the effect.` : '',
    next.length ? `Next: ${next.join(', ')}.` : '',
  ]
    .filter(Boolean)
    .join(' ');
}
