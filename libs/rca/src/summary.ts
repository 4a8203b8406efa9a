import { Evidence, RankedCandidate } from './case';

const num = (n: number) => (Math.abs(n) >= 100 ? n.toFixed(0) : Number(n.toPrecision(3)).toString());
const at = (t: number | null) => (t === null ? '' : ` from ${new Date(t * 1000).toISOString().replace('.000Z', 'Z')}`);
const quote = (s: string, max = 80) => `"${s.length > max ? `${s.slice(0, max - 1)}…` : s}"`;

/** One plain-language sentence per piece of evidence (no language model: templates over the numbers). */
export function describeEvidence(e: Evidence): string {
  switch (e.type) {
    case 'metric':
      return `${e.metric} went from about ${num(e.reference_median)} to ${num(e.peak_value)} (${num(e.score)}× its normal spread${at(e.onset)})`;
    case 'log':
      if (e.absent_from !== undefined && e.per_span) return `log line ${quote(e.template)}, which came ${num(e.per_span[0])} times per ${quote(e.absent_from, 60)} span, stopped (${num(e.per_span[1])} per span after)${at(e.onset)}`;
      return e.new_template
        ? `a new ${e.level} log line ${quote(e.template)} appeared ${e.count} time${e.count === 1 ? '' : 's'}${at(e.onset)}`
        : `${e.level} log line ${quote(e.template)} rose from ${num(e.reference_rate)} to ${num(e.window_rate)} a minute${at(e.onset)}`;
    case 'trace':
      if (e.signal === 'latency') return `its own time in ${quote(e.operation, 60)} spans went from about ${num(e.reference_value)} ms to ${num(e.peak_value)} ms${at(e.onset)}`;
      if (e.signal === 'calls') return `${quote(e.operation, 80)} calls fell from ${num(e.reference_value)} to ${num(e.peak_value)} per span while the operation went on${at(e.onset)}`;
      if (e.signal === 'transport') return `calls ${e.operation} spend about ${num(e.peak_value)} ms outside the callee (${num(e.reference_value)} ms before)${at(e.onset)}`;
      return `errors start in its ${quote(e.operation, 60)} spans (${num(e.peak_value)} a minute, ${num(e.reference_value)} before)${at(e.onset)}`;
    case 'change':
      return `${quote(e.description)} was changed ${num(e.minutes_before_onset)} minutes before the anomaly`;
  }
}

/** The strongest evidence of a candidate, one item per kind, as a sentence. */
export function describeCandidate(c: RankedCandidate): string {
  const seen = new Set<string>();
  const parts: string[] = [];
  for (const e of c.evidence) {
    if (seen.has(e.type)) continue;
    seen.add(e.type);
    parts.push(describeEvidence(e));
  }
  if (!parts.length) return '';
  return `Evidence: ${parts.join('; ')}.`;
}
