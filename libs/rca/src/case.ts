/** The engine's input: one incident's telemetry (the evaluation CLI reads it from a case folder). */
export interface TimeRange {
  /** Unix seconds. */
  start: number;
  end: number;
}

/** One series in long form, e.g. a CSV row `timestamp,service,metric,value` (see `seriesFromPoints`). */
export interface MetricPoint {
  timestamp: number;
  service: string;
  metric: string;
  value: number;
}

/** One metric of one service: timestamps (unix seconds, any step, gaps allowed) and their values. */
export interface MetricSeries {
  service: string;
  metric: string;
  timestamps: number[];
  values: number[];
}

export interface LogRecord {
  /** Unix seconds. */
  timestamp: number;
  service: string;
  /** As written by the source (`ERROR`, `warn`, `Information`, `E`...); normalised by the engine. */
  level: string;
  message: string;
  trace_id?: string;
}

export interface SpanRecord {
  trace_id: string;
  span_id: string;
  /** Empty or missing for a root span. */
  parent_span_id?: string;
  service: string;
  operation: string;
  start_unix_nano: number;
  end_unix_nano: number;
  /** OpenTelemetry status (`OK`, `UNSET`, `ERROR`, `STATUS_CODE_ERROR`, `2`) or an HTTP status; see `isErrorStatus`. */
  status_code: string;
}

/** A deploy, configuration change or other change to a service. */
export interface ChangeRecord {
  /** Unix seconds. */
  timestamp: number;
  service: string;
  description: string;
}

/**
 * An edge between services: `source` calls (or depends on) `target`, so a fault in `target` can
 * show up in `source`. `type` is free text (`call`, `dependency`, ...).
 */
export interface TopologyEdge {
  source: string;
  target: string;
  type: string;
}

export interface RcaCase {
  id: string;
  /** Unix seconds: when the fault is believed to have started (the incident's start). */
  fault_time: number;
  window: TimeRange;
  /** An optional normal period to compare with; else the part of the window before the fault time. */
  reference?: TimeRange;
  metrics: MetricSeries[];
  logs?: LogRecord[];
  spans?: SpanRecord[];
  changes?: ChangeRecord[];
  topology?: TopologyEdge[];
}

export interface MetricEvidence {
  type: 'metric';
  service: string;
  metric: string;
  /** Robust deviation from the reference (median/IQR units), the largest in the window. */
  score: number;
  /** The deviation a sustained part of the window after the fault time holds (see `sustainedRank`). */
  sustained?: number;
  /** The deviation beyond which the reference cannot vouch (see `deviationBound`): strength stops growing there. */
  bound?: number;
  /** First time (unix s) the series left its normal band. */
  onset: number | null;
  reference_median: number;
  peak_value: number;
}

export interface LogEvidence {
  type: 'log';
  service: string;
  template_id: string;
  template: string;
  /** Normalised level of the template's lines: `error`, `warn`, `info` or `debug`. */
  level: LogLevel;
  /** Robust deviation of the template's rate after the fault time, weighted by level. */
  score: number;
  /** The same for a sustained part of the window after the fault time (see `sustainedRank`). */
  sustained?: number;
  /** The deviation beyond which the reference cannot vouch (see `deviationBound`). */
  bound?: number;
  onset: number | null;
  /** No line of this template (in this service) before the fault time. */
  new_template: boolean;
  /** Lines per minute in the reference and after the fault time. */
  reference_rate: number;
  window_rate: number;
  /** Lines of this template in this service after the fault time. */
  count: number;
  /** One such line, as written. */
  example: string;
  /**
   * Set when the evidence is lines that stopped: the operation (of this service's first span in a trace) whose
   * spans these lines accompanied before the fault, and no longer do while it goes on.
   */
  absent_from?: string;
  /** With `absent_from`: lines per span of that operation before and after the fault time. */
  per_span?: [number, number];
}

export type LogLevel = 'error' | 'warn' | 'info' | 'debug';

export interface TraceEvidence {
  type: 'trace';
  service: string;
  operation: string;
  /**
   * `latency`: the service's own time in its spans (children's time taken out; a client span's own time is
   * transport); `errors`: spans whose error starts here; `transport`: the time calls between this service and
   * `peer` spend outside the callee's span (network, queues), on the most anomalous of its call edges; `calls`:
   * child operations that accompanied an operation's spans (`operation` is `parent -> child`) stopped while it
   * went on (a flow cut short; `reference_value` and `peak_value` are the child's calls per parent span before
   * and after; `peer` is the parent's service when this service is charged as the callee the cut flows called
   * last, else the child's service).
   */
  signal: 'latency' | 'errors' | 'transport' | 'calls';
  score: number;
  /** The deviation a sustained part of the window after the fault time holds (see `sustainedRank`). */
  sustained?: number;
  /** The deviation beyond which the reference cannot vouch (see `deviationBound`): strength stops growing there. */
  bound?: number;
  onset: number | null;
  /** Latency: reference median and peak of the self time in ms. Errors: originating errors per minute in the reference and after the fault time. */
  reference_value: number;
  peak_value: number;
  /** Spans of this service and operation after the fault time. */
  spans: number;
  /**
   * Share (0..1) of these spans' time, before the fault, spent waiting on the one span of another
   * service they parent: high for client spans, whose own time is mostly the network to the callee.
   */
  callee_share: number;
  /** `transport`: the other service of the call edge (`operation` is `caller -> callee`). */
  peer?: string;
  /** A few traces that show it (for the user to open). */
  example_trace_ids: string[];
}

export interface ChangeEvidence {
  type: 'change';
  service: string;
  timestamp: number;
  description: string;
  /** Minutes between the change and the anomaly's onset (or the fault time). */
  minutes_before_onset: number;
  score: number;
}

export type Evidence = MetricEvidence | LogEvidence | TraceEvidence | ChangeEvidence;

export interface RankedCandidate {
  service: string;
  score: number;
  /** 0..1: the probability that this candidate is the root cause (see `confidences`; calibrated on the evaluation sets). */
  confidence: number;
  evidence: Evidence[];
  /** A service this one calls (directly or not) that went anomalous first: this one likely shows its effect. */
  explained_by?: string;
}

export interface RcaResult {
  case_id: string;
  candidates: RankedCandidate[];
  summary: string;
}
