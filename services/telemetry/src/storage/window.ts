import { DEFAULT_TELEMETRY_WINDOW_MS } from '@opsplane/contracts';
import { AppError } from '@opsplane/errors';

/** A query's time window in microseconds: `to` defaults to now, `from` to 24 hours before `to`. */
export function windowOf(q: { from?: string; to?: string }): { fromUs: number; toUs: number } {
  const toUs = q.to ? micros(q.to) : Date.now() * 1000;
  const fromUs = q.from ? micros(q.from) : toUs - DEFAULT_TELEMETRY_WINDOW_MS * 1000;
  if (fromUs >= toUs) throw AppError.validation([{ field: 'from', message: 'from must be before to' }]);
  return { fromUs, toUs };
}

/** An RFC 3339 instant in microseconds (the fraction's digits past the sixth are dropped). */
function micros(s: string): number {
  const m = /\.(\d+)/.exec(s);
  const ms = Date.parse(s.replace(/\.(\d+)/, (_, f: string) => `.${f.slice(0, 3).padEnd(3, '0')}`));
  const extra = m ? Number(m[1].slice(3, 6).padEnd(3, '0')) : 0;
  return ms * 1000 + extra;
}
