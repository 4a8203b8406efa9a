/**
 * The one error class of the PromQL engine. `type` is the `errorType` Prometheus's HTTP API answers
 * with (`bad_data` for a query that cannot be parsed or planned, `execution` for a failure while
 * evaluating, `timeout`, and `too_many_samples` for the sample limit).
 */
export type PromQLErrorType = 'bad_data' | 'execution' | 'timeout' | 'too_many_samples';

export class PromQLError extends Error {
  readonly type: PromQLErrorType;

  constructor(type: PromQLErrorType, message: string) {
    super(message);
    this.name = 'PromQLError';
    this.type = type;
  }
}

export function badData(message: string): PromQLError {
  return new PromQLError('bad_data', message);
}

export function execError(message: string): PromQLError {
  return new PromQLError('execution', message);
}

/** A parse error formatted like Prometheus's `ParseErr`: `<line>:<col>: parse error: <msg>`. */
export function parseError(query: string, pos: number, message: string): PromQLError {
  return badData(`${positionOf(query, pos)}: parse error: ${message}`);
}

/** Prometheus's `PositionRange.StartPosInput`: 1-based line, 1-based column of `pos` within its line. */
export function positionOf(query: string, pos: number): string {
  const p = Math.max(0, Math.min(pos, query.length));
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < p; i++) {
    if (query.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return `${line}:${p - lineStart + 1}`;
}
