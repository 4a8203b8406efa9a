/** Per-query state shared by all evaluation steps: options, fetched data, limits. */
import type { AtModifier, VectorSelector } from './ast';
import { PromQLError } from './errors';
import type { RawSeries } from './series';

export interface QueryOptions {
  /** How far back an instant selector looks for a sample (default 300000, Prometheus's 5m). */
  lookbackDeltaMs?: number;
  /** The most samples the evaluation may hold at once (default 50,000,000, Prometheus's default). */
  maxSamples?: number;
  /** Evaluation deadline in ms (default 120000, Prometheus's 2m). */
  timeoutMs?: number;
  /** The most points per series of a range query (default 11000, as Prometheus's HTTP API). */
  maxPoints?: number;
  /** The step of a subquery written without one (`[1h:]`; default 60000, the global evaluation interval). */
  defaultSubqueryStepMs?: number;
}

export const DEFAULTS = {
  lookbackDeltaMs: 5 * 60 * 1000,
  maxSamples: 50_000_000,
  timeoutMs: 2 * 60 * 1000,
  maxPoints: 11000,
  defaultSubqueryStepMs: 60 * 1000,
};

export class QueryContext {
  readonly lookbackMs: number;
  readonly maxSamples: number;
  readonly defaultSubqueryStepMs: number;
  readonly deadline: number;
  /** The fetched series of every selector node. */
  readonly data = new Map<VectorSelector, RawSeries[]>();
  /** Samples currently held by the evaluation (an approximation of Prometheus's accounting). */
  private samples = 0;

  constructor(
    readonly queryStartMs: number,
    readonly queryEndMs: number,
    opts: QueryOptions,
  ) {
    this.lookbackMs = opts.lookbackDeltaMs && opts.lookbackDeltaMs > 0 ? opts.lookbackDeltaMs : DEFAULTS.lookbackDeltaMs;
    this.maxSamples = opts.maxSamples && opts.maxSamples > 0 ? opts.maxSamples : DEFAULTS.maxSamples;
    this.defaultSubqueryStepMs = opts.defaultSubqueryStepMs && opts.defaultSubqueryStepMs > 0 ? opts.defaultSubqueryStepMs : DEFAULTS.defaultSubqueryStepMs;
    this.deadline = Date.now() + (opts.timeoutMs && opts.timeoutMs > 0 ? opts.timeoutMs : DEFAULTS.timeoutMs);
  }

  checkTimeout(): void {
    if (Date.now() > this.deadline) throw new PromQLError('timeout', 'query timed out in expression evaluation');
  }

  /** Accounts `n` more samples held in memory; fails beyond the limit (plus a transient `extra`). */
  addSamples(n: number, extra = 0): void {
    this.samples += n;
    if (this.samples + extra > this.maxSamples) {
      throw new PromQLError('too_many_samples', 'query processing would load too many samples into memory in query execution');
    }
  }

  releaseSamples(n: number): void {
    this.samples = Math.max(0, this.samples - n);
  }

  /** The time of an `@` modifier: `start()`/`end()` are the query's start and end. */
  resolveAt(at: AtModifier): number {
    switch (at.kind) {
      case 'time':
        return at.ms;
      case 'start':
        return this.queryStartMs;
      case 'end':
        return this.queryEndMs;
    }
  }
}
