import { RankedCandidate, RcaCase, RcaResult } from './case';
import { scoreMetrics } from './metrics/anomaly';

const fmt = (n: number) => (Math.abs(n) >= 100 ? n.toFixed(0) : n.toPrecision(3));

/**
 * Ranks the services of a case by the evidence against them (for now: the strongest metric
 * anomaly of each service, BARO-style robust scores), most likely root cause first, with a short
 * plain-language summary built from the evidence.
 */
export function rankRootCauses(c: RcaCase): RcaResult {
  const evidence = scoreMetrics(c);
  const byService = new Map<string, typeof evidence>();
  for (const e of evidence) byService.set(e.service, [...(byService.get(e.service) ?? []), e]);
  const candidates: RankedCandidate[] = [...byService.entries()].map(([service, ev]) => {
    const sorted = [...ev].sort((a, b) => b.score - a.score || a.metric.localeCompare(b.metric));
    return { service, score: sorted[0].score, confidence: 0, evidence: sorted.slice(0, 5) };
  });
  candidates.sort((a, b) => b.score - a.score || a.service.localeCompare(b.service));
  const total = candidates.reduce((a, x) => a + x.score, 0) || 1;
  for (const x of candidates) x.confidence = Number((x.score / total).toFixed(4));
  const top = candidates[0];
  const summary = top
    ? `Most likely root cause: ${top.service} — ${top.evidence[0].metric} went from about ${fmt(top.evidence[0].reference_median)} to ${fmt(top.evidence[0].peak_value)} ` +
      `(${fmt(top.score)}× its normal spread${top.evidence[0].onset !== null ? `, from ${new Date(top.evidence[0].onset * 1000).toISOString()}` : ''}).` +
      (candidates[1] ? ` Next: ${candidates.slice(1, 3).map((x) => x.service).join(', ')}.` : '')
    : 'No anomaly found in the telemetry of this case.';
  return { case_id: c.id, candidates, summary };
}
