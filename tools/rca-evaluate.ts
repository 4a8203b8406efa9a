import { caseDirs, Evidence, loadCase, RankedCandidate, rankRootCauses } from '@opsplane/rca';

/** One case's outcome, with what a reader needs to see why it was missed. */
export interface RcaCaseResult {
  id: string;
  truth: string;
  kind?: string;
  /** The true service's place in the ranking (1 = first), null when it is not among the candidates. */
  rank: number | null;
  top5: string[];
  /** The top candidate's confidence (0..1). */
  confidence: number;
  /** The top candidate's strongest evidence, and the true service's (as one line each). */
  top_evidence: string | null;
  truth_evidence: string | null;
  /** The service the true one was said to show the effect of, if it was. */
  truth_explained_by?: string;
  ms: number;
}

/** How often the top candidate is right when its confidence is above a threshold. */
export interface ConfidenceBand {
  above: number;
  cases: number;
  /** Share of those cases whose top candidate is the true service (null with no case above). */
  top_right: number | null;
}

export interface RcaEvaluation {
  cases: number;
  ac: Record<'1' | '2' | '3' | '4' | '5', number>;
  avg5: number;
  by_kind: Record<string, { cases: number; ac1: number; ac3: number; avg5: number }>;
  confidence: ConfidenceBand[];
  ms_per_case: number;
  results: RcaCaseResult[];
}

const CONFIDENCE_THRESHOLDS = [0.5, 0.7, 0.9];

const num = (x: number) => (Math.abs(x) >= 100 || Number.isInteger(x) ? String(Math.round(x)) : x.toPrecision(3));

/** One line of evidence: its kind, what it is about, its score and the values behind it. */
export function describeEvidence(e: Evidence): string {
  switch (e.type) {
    case 'metric':
      return `metric ${e.metric} score ${num(e.score)} (reference median ${num(e.reference_median)}, peak ${num(e.peak_value)})`;
    case 'log':
      if (e.absent_from !== undefined) return `log ${e.level} template "${e.template.slice(0, 80)}" stopped in ${e.absent_from} spans score ${num(e.score)} (${num(e.per_span?.[0] ?? 0)} → ${num(e.per_span?.[1] ?? 0)} per span)`;
      return `log ${e.level} ${e.new_template ? 'new ' : ''}template "${e.template.slice(0, 80)}" score ${num(e.score)} (${num(e.reference_rate)} → ${num(e.window_rate)} a minute)`;
    case 'trace':
      return `trace ${e.signal} ${e.operation} score ${num(e.score)} (reference ${num(e.reference_value)}, peak ${num(e.peak_value)})`;
    case 'change':
      return `change "${e.description.slice(0, 80)}" score ${num(e.score)} (${num(e.minutes_before_onset)} min before onset)`;
  }
}

const strongest = (c: RankedCandidate | undefined) => (c && c.evidence.length ? describeEvidence(c.evidence.reduce((a, b) => (b.score > a.score ? b : a))) : null);

/** AC@k (share of cases whose true service is in the top k), Avg@5, and the confidence's calibration over a folder of cases. */
export function evaluateRca(root: string, progress?: (done: number, total: number) => void): RcaEvaluation {
  const dirs = caseDirs(root);
  const results: RcaCaseResult[] = [];
  dirs.forEach((dir, i) => {
    const { rcaCase, label } = loadCase(dir);
    if (!label) throw new Error(`${dir}: case.json has no label to score against`);
    const t0 = process.hrtime.bigint();
    const r = rankRootCauses(rcaCase);
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    const order = r.candidates.map((c) => c.service);
    const pos = order.indexOf(label.service);
    const truth = pos < 0 ? undefined : r.candidates[pos];
    results.push({
      id: rcaCase.id,
      truth: label.service,
      kind: label.kind,
      rank: pos < 0 ? null : pos + 1,
      top5: order.slice(0, 5),
      confidence: r.candidates[0]?.confidence ?? 0,
      top_evidence: strongest(r.candidates[0]),
      truth_evidence: strongest(truth),
      ...(truth?.explained_by ? { truth_explained_by: truth.explained_by } : {}),
      ms,
    });
    progress?.(i + 1, dirs.length);
  });
  const acAt = (rs: typeof results, k: number) => (rs.length ? rs.filter((r) => r.rank !== null && r.rank <= k).length / rs.length : 0);
  const avg5 = (rs: typeof results) => [1, 2, 3, 4, 5].reduce((a, k) => a + acAt(rs, k), 0) / 5;
  const kinds = [...new Set(results.map((r) => r.kind ?? 'unknown'))].sort();
  return {
    cases: results.length,
    ac: { '1': acAt(results, 1), '2': acAt(results, 2), '3': acAt(results, 3), '4': acAt(results, 4), '5': acAt(results, 5) },
    avg5: avg5(results),
    by_kind: Object.fromEntries(
      kinds.map((k) => {
        const rs = results.filter((r) => (r.kind ?? 'unknown') === k);
        return [k, { cases: rs.length, ac1: acAt(rs, 1), ac3: acAt(rs, 3), avg5: avg5(rs) }];
      }),
    ),
    confidence: confidenceBands(results),
    ms_per_case: results.reduce((a, r) => a + r.ms, 0) / Math.max(1, results.length),
    results,
  };
}

/** For each threshold: the cases whose top candidate's confidence is above it, and how often that candidate is right. */
export function confidenceBands(results: Pick<RcaCaseResult, 'confidence' | 'rank'>[], thresholds = CONFIDENCE_THRESHOLDS): ConfidenceBand[] {
  return thresholds.map((above) => {
    const rs = results.filter((r) => r.confidence > above);
    return { above, cases: rs.length, top_right: rs.length ? rs.filter((r) => r.rank === 1).length / rs.length : null };
  });
}
