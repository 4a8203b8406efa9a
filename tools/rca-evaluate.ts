import { caseDirs, loadCase, rankRootCauses } from '@opsplane/rca';

export interface RcaEvaluation {
  cases: number;
  ac: Record<'1' | '2' | '3' | '4' | '5', number>;
  avg5: number;
  by_kind: Record<string, { cases: number; ac1: number; ac3: number; avg5: number }>;
  ms_per_case: number;
  results: { id: string; truth: string; kind?: string; rank: number | null; top5: string[]; ms: number }[];
}

/** AC@k (share of cases whose true service is in the top k) and Avg@5 over a folder of cases. */
export function evaluateRca(root: string, progress?: (done: number, total: number) => void): RcaEvaluation {
  const dirs = caseDirs(root);
  const results: RcaEvaluation['results'] = [];
  dirs.forEach((dir, i) => {
    const { rcaCase, label } = loadCase(dir);
    if (!label) throw new Error(`${dir}: case.json has no label to score against`);
    const t0 = process.hrtime.bigint();
    const r = rankRootCauses(rcaCase);
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    const order = r.candidates.map((c) => c.service);
    const pos = order.indexOf(label.service);
    results.push({ id: rcaCase.id, truth: label.service, kind: label.kind, rank: pos < 0 ? null : pos + 1, top5: order.slice(0, 5), ms });
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
    ms_per_case: results.reduce((a, r) => a + r.ms, 0) / Math.max(1, results.length),
    results,
  };
}
