import { ChangeEvidence, Evidence, RankedCandidate, RcaCase, RcaResult, TopologyEdge } from './case';
import { scoreChanges } from './changes';
import { scoreLogs } from './logs/log-analysis';
import { ONSET_THRESHOLD, scoreMetrics } from './metrics/anomaly';
import { describeCandidate } from './summary';
import { learnTopology, scoreTraces } from './traces/trace-analysis';
import { TemplateMiner } from './logs/template-miner';

/**
 * How much each kind of evidence counts. Every kind is first scored in the same robust units
 * (deviation from the reference in median/IQR units); logs are noisier (many templates, bursty
 * counts) so they count a little less.
 */
export const EVIDENCE_WEIGHT = { metric: 1, trace: 1, log: 0.8 } as const;

/**
 * A service whose anomaly is explained by an anomalous service it calls (directly or not), which
 * started no later than its own, loses up to this share of its score: the callee is the cause,
 * the caller shows the symptom.
 */
export const SYMPTOM_DISCOUNT = 0.5;
/** Onsets this close count as simultaneous when deciding which of two services went first. */
export const ONSET_SLACK_SECONDS = 60;

export interface RankOptions {
  /** A template miner to continue from (its template ids stay stable); a new one otherwise. */
  miner?: TemplateMiner;
}

interface ServiceScore {
  service: string;
  evidence: Evidence[];
  combined: number;
  onset: number | null;
  /** Set when a service it calls explains its anomaly. */
  explainedBy?: string;
}

/** A deviation below the onset threshold is noise: only the part above it counts, compressed so no single signal swamps the others. */
const compress = (z: number) => Math.log1p(Math.max(0, z - ONSET_THRESHOLD));

function byScore(a: Evidence, b: Evidence): number {
  return b.score - a.score || evidenceKey(a).localeCompare(evidenceKey(b));
}

function evidenceKey(e: Evidence): string {
  switch (e.type) {
    case 'metric':
      return `metric:${e.metric}`;
    case 'log':
      return `log:${e.template_id}`;
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
 * Ranks the services of a case, most likely root cause first. Each service's metrics, logs and
 * spans are scored against the reference in robust units; per kind its strongest deviation counts
 * (above the noise threshold, log-compressed), summed over kinds so that agreeing signals add up.
 * A change to the service shortly before its onset raises it. Then the topology (given, and
 * learned from the spans' parent links) turns symptoms down: a service whose callee is anomalous
 * too, and went first, is discounted in proportion to how anomalous that callee is.
 */
export function rankRootCauses(c: RcaCase, opts: RankOptions = {}): RcaResult {
  const evidence: Evidence[] = [...scoreMetrics(c), ...scoreTraces(c), ...(c.logs?.length ? scoreLogs(c, opts.miner).evidence : [])];
  const services = new Map<string, ServiceScore>();
  const entry = (service: string) => {
    let s = services.get(service);
    if (!s) services.set(service, (s = { service, evidence: [], combined: 0, onset: null }));
    return s;
  };
  for (const e of evidence) entry(e.service).evidence.push(e);

  for (const s of services.values()) {
    s.evidence.sort(byScore);
    let best = 0;
    for (const kind of ['metric', 'trace', 'log'] as const) {
      const top = s.evidence.find((e) => e.type === kind);
      if (top) s.combined += EVIDENCE_WEIGHT[kind] * compress(top.score);
      best = Math.max(best, top?.score ?? 0);
    }
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

  const edges = [...(c.topology ?? []), ...(c.spans?.length ? learnTopology(c.spans) : [])];
  const reach = downstream(edges);
  const base = new Map([...services.values()].map((s) => [s.service, s.combined]));
  const finals = new Map<string, number>();
  for (const s of services.values()) {
    let ratio = 0;
    for (const d of reach.get(s.service) ?? []) {
      const ds = services.get(d);
      const dScore = base.get(d) ?? 0;
      if (!ds || ds.onset === null || dScore <= 1e-3 * ONSET_THRESHOLD || s.combined <= 0) continue;
      if (s.onset !== null && ds.onset > s.onset + ONSET_SLACK_SECONDS) continue;
      const r = Math.min(1, dScore / s.combined);
      if (r > ratio || (r === ratio && s.explainedBy !== undefined && d < s.explainedBy)) {
        ratio = r;
        s.explainedBy = d;
      }
    }
    finals.set(s.service, s.combined * (1 - SYMPTOM_DISCOUNT * ratio));
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
  const total = candidates.reduce((a, x) => a + x.score, 0) || 1;
  for (const x of candidates) x.score = round(x.score);
  for (const x of candidates) x.confidence = round(x.score / total);
  return { case_id: c.id, candidates, summary: anomalous ? summarize(candidates) : 'No anomaly found in the telemetry of this case.' };
}

const round = (x: number) => Math.round(x * 1e4) / 1e4;

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
    `Most likely root cause: ${top.service} (${Math.round(top.confidence * 100)}% of the evidence). ${describeCandidate(top)}`,
    symptoms.length ? `${symptoms.join(', ')} ${symptoms.length === 1 ? 'calls' : 'call'} it and ${symptoms.length === 1 ? 'shows' : 'show'} the effect.` : '',
    next.length ? `Next: ${next.join(', ')}.` : '',
  ]
    .filter(Boolean)
    .join(' ');
}
