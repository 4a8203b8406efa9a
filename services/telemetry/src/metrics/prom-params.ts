import { badData } from './prom-errors';

/** A Prometheus API time: RFC 3339, or Unix seconds with an optional fraction (as Prometheus parses `time`, `start`, `end`). */
export function parsePromTime(name: string, v: string | undefined, fallbackMs: number): number {
  if (v === undefined || v === '') return fallbackMs;
  if (/^-?\d+(\.\d+)?$/.test(v)) {
    const ms = Math.round(Number(v) * 1000);
    if (Number.isFinite(ms) && Math.abs(ms) <= 8.64e15) return ms;
  } else if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i.test(v)) {
    const ms = Date.parse(v);
    if (Number.isFinite(ms)) return ms;
  }
  throw badData(`invalid parameter ${JSON.stringify(name)}: cannot parse ${JSON.stringify(v)} to a valid timestamp`);
}

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000, y: 31_536_000_000 };

/** A Prometheus duration (`1h30m`, `15s`, `500ms`) or a number of seconds, in ms. */
export function parsePromDuration(name: string, v: string | undefined): number {
  if (v !== undefined && /^\d+(\.\d+)?$/.test(v)) {
    const ms = Math.round(Number(v) * 1000);
    if (Number.isFinite(ms) && ms <= 8.64e15) return ms;
  }
  if (v !== undefined && /^((\d+)(ms|s|m|h|d|w|y))+$/.test(v)) {
    let ms = 0;
    for (const [, n, unit] of v.matchAll(/(\d+)(ms|s|m|h|d|w|y)/g)) ms += Number(n) * UNIT_MS[unit];
    if (Number.isFinite(ms) && ms <= 8.64e15) return ms;
  }
  throw badData(`invalid parameter ${JSON.stringify(name)}: cannot parse ${JSON.stringify(v ?? '')} to a valid duration`);
}

/** One value of a parameter (the first, if repeated). */
export function one(params: Record<string, string | string[]>, name: string): string | undefined {
  const v = params[name];
  return Array.isArray(v) ? v[0] : v;
}

/** Every value of a repeated parameter (`match[]`). */
export function all(params: Record<string, string | string[]>, name: string): string[] {
  const v = params[name];
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
}
