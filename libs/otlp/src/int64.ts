import { Int64 } from './types';

// 64-bit integers without precision loss where it matters: nanosecond timestamps exceed 2^53, so
// they are divided in their two 32-bit halves, never through Number(ns).

const TWO_32 = 4294967296;

/** Unsigned nanoseconds (fixed64) to whole microseconds, exact while the result is below 2^53 (year 2255). */
export function nanosToMicros(v: Int64 | null | undefined): number {
  if (v == null) return 0;
  if (typeof v === 'number') return Math.floor(v / 1000);
  if (typeof v === 'string') return Number(BigInt(v) / 1000n);
  const hi = v.high >>> 0;
  const lo = v.low >>> 0;
  // (hi * 2^32 + lo) / 1000 = floor(hi / 1000) * 2^32 + ((hi % 1000) * 2^32 + lo) / 1000; the
  // second term stays below 2^42, so both are exact.
  return Math.floor(hi / 1000) * TWO_32 + Math.floor(((hi % 1000) * TWO_32 + lo) / 1000);
}

/** A 64-bit integer as a JS number (exact below 2^53; counts and millisecond timestamps). */
export function int64ToNumber(v: Int64 | null | undefined): number {
  if (v == null) return 0;
  if (typeof v === 'number') return v;
  if (typeof v === 'string') return Number(v);
  return (v.unsigned ? v.high >>> 0 : v.high | 0) * TWO_32 + (v.low >>> 0);
}

/** A 64-bit integer as a number when it is safe, else as its decimal string. */
export function int64ToSafe(v: Int64 | null | undefined): number | string {
  const n = int64ToNumber(v);
  if (Number.isSafeInteger(n) || v == null || typeof v === 'number') return n;
  if (typeof v === 'string') return v;
  const bits = (BigInt(v.high >>> 0) << 32n) | BigInt(v.low >>> 0);
  return (v.unsigned ? bits : BigInt.asIntN(64, bits)).toString();
}
