import { SlaPausedIntervalView, SlaTimerKind, SlaTimerState, SlaTimerView } from '@opsplane/contracts';
import { addBusinessMs, BusinessCalendar, businessMsBetween } from './business-time';

/**
 * One SLA timer (a record's response or resolution clock), without I/O. It consumes business
 * time while running; a pause stops the consumption and a resume moves what is left after it.
 * `dueAt` and `atRiskAt` are the instants the target and the at-risk share are (or were) reached:
 * while the timer runs they lie ahead (or behind, once passed); a pause or a stop before one of
 * them forgets it (it is computed again on resume), one already passed stays, so a breach is never
 * undone. The scheduler notifies each of them once.
 */
export interface SlaTimer {
  kind: SlaTimerKind;
  calendar: BusinessCalendar;
  targetMs: number;
  atRiskMs: number;
  startedAt: Date;
  /** Business time consumed before `runningSince` (or in all, when not running). */
  consumedMs: number;
  /** Since when it runs; null when paused or stopped. */
  runningSince: Date | null;
  pausedIntervals: SlaPausedIntervalView[];
  atRiskAt: Date | null;
  dueAt: Date | null;
  stoppedAt: Date | null;
  cancelled: boolean;
  atRiskNotifiedAt: Date | null;
  breachNotifiedAt: Date | null;
}

/** What a record's rules want of a timer now. */
export type TimerGoal = 'running' | 'paused' | 'stopped' | 'cancelled';

const MINUTE = 60_000;

/** When `ms` of business time will have passed; null when the calendar does not get there within its horizon (then nothing is due). */
function reachedAt(c: BusinessCalendar, from: Date, ms: number): Date | null {
  try {
    return addBusinessMs(c, from, ms);
  } catch {
    return null;
  }
}

export function newTimer(o: { kind: SlaTimerKind; calendar: BusinessCalendar; targetMinutes: number; atRiskPercent: number; at: Date; goal: TimerGoal }): SlaTimer {
  const targetMs = Math.round(o.targetMinutes * MINUTE);
  const t: SlaTimer = {
    kind: o.kind,
    calendar: o.calendar,
    targetMs,
    atRiskMs: Math.round((targetMs * o.atRiskPercent) / 100),
    startedAt: o.at,
    consumedMs: 0,
    runningSince: null,
    pausedIntervals: [],
    atRiskAt: null,
    dueAt: null,
    stoppedAt: null,
    cancelled: false,
    atRiskNotifiedAt: null,
    breachNotifiedAt: null,
  };
  if (o.goal === 'running') resume(t, o.at);
  else if (o.goal === 'paused') t.pausedIntervals.push({ from: o.at.toISOString(), to: null });
  else stop(t, o.at, o.goal === 'cancelled');
  return t;
}

const isRunning = (t: SlaTimer) => t.runningSince !== null;
const isStopped = (t: SlaTimer) => t.stoppedAt !== null;

/** Books the running time up to `at` and stops the clock; forgets the milestones not reached by then. */
function halt(t: SlaTimer, at: Date): void {
  if (t.runningSince) t.consumedMs += businessMsBetween(t.calendar, t.runningSince, at);
  t.runningSince = null;
  if (t.atRiskAt && t.atRiskAt.getTime() > at.getTime()) t.atRiskAt = null;
  if (t.dueAt && t.dueAt.getTime() > at.getTime()) t.dueAt = null;
}

function closePause(t: SlaTimer, at: Date): void {
  const last = t.pausedIntervals.at(-1);
  if (last && last.to === null) last.to = at.toISOString();
}

function resume(t: SlaTimer, at: Date): void {
  closePause(t, at);
  t.stoppedAt = null;
  t.cancelled = false;
  t.runningSince = at;
  if (!t.atRiskAt) t.atRiskAt = reachedAt(t.calendar, at, Math.max(0, t.atRiskMs - t.consumedMs));
  if (!t.dueAt) t.dueAt = reachedAt(t.calendar, at, Math.max(0, t.targetMs - t.consumedMs));
}

function pause(t: SlaTimer, at: Date): void {
  halt(t, at);
  t.pausedIntervals.push({ from: at.toISOString(), to: null });
}

function stop(t: SlaTimer, at: Date, cancelled: boolean): void {
  halt(t, at);
  closePause(t, at);
  t.stoppedAt = at;
  t.cancelled = cancelled;
}

/** Moves the timer to what the record wants at `at`; true when something changed. */
export function steer(t: SlaTimer, goal: TimerGoal, at: Date): boolean {
  const now: TimerGoal = isStopped(t) ? (t.cancelled ? 'cancelled' : 'stopped') : isRunning(t) ? 'running' : 'paused';
  if (now === goal) return false;
  if (goal === 'running') resume(t, at);
  else if (goal === 'paused') {
    if (isStopped(t)) {
      // Reopened into a paused state: the clock starts again later.
      t.stoppedAt = null;
      t.cancelled = false;
      t.pausedIntervals.push({ from: at.toISOString(), to: null });
    } else pause(t, at);
  } else if (isStopped(t)) t.cancelled = goal === 'cancelled';
  else stop(t, at, goal === 'cancelled');
  return true;
}

/** Business time consumed by `now`. */
export function elapsedMs(t: SlaTimer, now: Date): number {
  return t.consumedMs + (t.runningSince ? businessMsBetween(t.calendar, t.runningSince, now) : 0);
}

export function isBreached(t: SlaTimer, now: Date): boolean {
  return t.dueAt !== null && t.dueAt.getTime() <= now.getTime();
}

export function isAtRisk(t: SlaTimer, now: Date): boolean {
  return !isStopped(t) && !isBreached(t, now) && t.atRiskAt !== null && t.atRiskAt.getTime() <= now.getTime();
}

/** The next instant the scheduler has something to announce for this timer (null: nothing left). */
export function nextNotification(t: SlaTimer): Date | null {
  const at = !t.atRiskNotifiedAt ? t.atRiskAt : null;
  const due = !t.breachNotifiedAt ? t.dueAt : null;
  if (at && due) return at.getTime() <= due.getTime() ? at : due;
  return at ?? due;
}

const minutes = (ms: number) => Math.round((ms / MINUTE) * 100) / 100;

export function timerView(t: SlaTimer, now: Date): SlaTimerView {
  const elapsed = elapsedMs(t, now);
  const state: SlaTimerState = isStopped(t) ? (t.cancelled ? 'cancelled' : 'completed') : isRunning(t) ? 'running' : 'paused';
  return {
    kind: t.kind,
    state,
    target_minutes: minutes(t.targetMs),
    started_at: t.startedAt.toISOString(),
    due_at: t.dueAt?.toISOString() ?? null,
    at_risk_at: t.atRiskAt?.toISOString() ?? null,
    elapsed_minutes: minutes(elapsed),
    remaining_minutes: minutes(t.targetMs - elapsed),
    completed_at: t.stoppedAt?.toISOString() ?? null,
    breached: isBreached(t, now),
    at_risk: isAtRisk(t, now),
    paused_intervals: t.pausedIntervals.map((p) => ({ ...p })),
  };
}

/**
 * New targets (the record's priority changed): the time consumed stays, the milestones not yet
 * passed move to the new targets (those passed stay: a breach is never undone).
 */
export function retarget(t: SlaTimer, targetMinutes: number, atRiskPercent: number, at: Date): void {
  // A stopped timer has its verdict.
  if (isStopped(t)) return;
  const running = t.runningSince !== null;
  halt(t, at);
  t.targetMs = Math.round(targetMinutes * MINUTE);
  t.atRiskMs = Math.round((t.targetMs * atRiskPercent) / 100);
  if (running) {
    t.runningSince = at;
    if (!t.atRiskAt) t.atRiskAt = reachedAt(t.calendar, at, Math.max(0, t.atRiskMs - t.consumedMs));
    if (!t.dueAt) t.dueAt = reachedAt(t.calendar, at, Math.max(0, t.targetMs - t.consumedMs));
  } else {
    // Paused, with more consumed than the new targets allow: reached now.
    if (!t.atRiskAt && t.consumedMs >= t.atRiskMs) t.atRiskAt = at;
    if (!t.dueAt && t.consumedMs >= t.targetMs) t.dueAt = at;
  }
}
