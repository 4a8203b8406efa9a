import { ChangeEvidence, RcaCase } from './case';

/** Changes up to this long before a service's onset (or the fault time) are considered. */
export const CHANGE_LOOKBACK_SECONDS = 2 * 3600;
/** A change's weight halves every this many minutes between it and the onset. */
export const CHANGE_HALF_LIFE_MINUTES = 30;
/** A change this little after the onset still counts: clocks and onset detection are not exact. */
const CHANGE_GRACE_SECONDS = 60;

/**
 * Scores the changes of a case: a deploy or configuration change to a service shortly before the
 * service's anomaly started (or, when it shows none, before the fault time) is a likely cause.
 * Score 0..1: 1 at the onset, halving every CHANGE_HALF_LIFE_MINUTES, nothing after
 * CHANGE_LOOKBACK_SECONDS. Only the most recent change per service counts.
 */
export function scoreChanges(c: Pick<RcaCase, 'fault_time' | 'changes'>, onsets: Map<string, number | null>): ChangeEvidence[] {
  const best = new Map<string, ChangeEvidence>();
  for (const ch of c.changes ?? []) {
    if (!Number.isFinite(ch.timestamp) || !ch.service) continue;
    const anchor = onsets.get(ch.service) ?? c.fault_time;
    const before = anchor - ch.timestamp;
    if (before < -CHANGE_GRACE_SECONDS || before > CHANGE_LOOKBACK_SECONDS) continue;
    const minutes = Math.max(0, before) / 60;
    const score = Math.pow(0.5, minutes / CHANGE_HALF_LIFE_MINUTES);
    const prev = best.get(ch.service);
    if (!prev || score > prev.score || (score === prev.score && ch.description < prev.description)) {
      best.set(ch.service, { type: 'change', service: ch.service, timestamp: ch.timestamp, description: ch.description, minutes_before_onset: Math.round(minutes * 10) / 10, score });
    }
  }
  return [...best.values()].sort((a, b) => a.service.localeCompare(b.service));
}
