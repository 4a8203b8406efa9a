/** The engine's input: one incident's telemetry (the evaluation CLI reads it from a case folder). */
export interface TimeRange {
  /** Unix seconds. */
  start: number;
  end: number;
}

export interface MetricPoint {
  timestamp: number;
  service: string;
  metric: string;
  value: number;
}

export interface RcaCase {
  id: string;
  /** Unix seconds: when the fault is believed to have started (the incident's start). */
  fault_time: number;
  window: TimeRange;
  /** An optional normal period to compare with; else the start of the window is the reference. */
  reference?: TimeRange;
  metrics: MetricPoint[];
}

export interface MetricEvidence {
  type: 'metric';
  service: string;
  metric: string;
  /** Robust deviation from the reference (median/IQR units), the largest in the window. */
  score: number;
  /** First time (unix s) the series left its normal band. */
  onset: number | null;
  reference_median: number;
  peak_value: number;
}

export type Evidence = MetricEvidence;

export interface RankedCandidate {
  service: string;
  score: number;
  /** 0..1: how far ahead of the next candidate this one is. */
  confidence: number;
  evidence: Evidence[];
}

export interface RcaResult {
  case_id: string;
  candidates: RankedCandidate[];
  summary: string;
}
