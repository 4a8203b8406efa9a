/**
 * Float helpers with Prometheus's exact semantics: the staleness marker, the formatting of values
 * and timestamps of the HTTP API, and Go's number parsing.
 */

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);
// Little-endian on every platform Node runs on: u32[1] is the high word.
const HI = 1;
const LO = 0;

/**
 * The staleness marker, the NaN with bits 0x7ff0000000000002 (`model/value.StaleNaN`). Keep it in a
 * `Float64Array`: a JavaScript engine may quiet a signalling NaN (set bit 51) when the value passes
 * through a plain array, which is why `isStaleNaN` also accepts the quieted form 0x7ff8000000000002
 * (a payload Prometheus never produces for an ordinary NaN, whose bits are 0x7ff8000000000001).
 */
export const STALE_NAN: number = (() => {
  u32[HI] = 0x7ff00000;
  u32[LO] = 0x00000002;
  return f64[0];
})();

export function isStaleNaN(v: number): boolean {
  if (v === v) return false;
  f64[0] = v;
  return u32[LO] === 2 && (u32[HI] === 0x7ff00000 || u32[HI] === 0x7ff80000);
}

/**
 * A sample value as the HTTP API writes it (`jsonutil.MarshalFloat`): Go's shortest representation,
 * `'e'` format below 1e-6 and from 1e21, `NaN`, `+Inf`, `-Inf`.
 */
export function formatValue(f: number): string {
  if (f !== f) return 'NaN';
  if (f === Infinity) return '+Inf';
  if (f === -Infinity) return '-Inf';
  if (f === 0) return Object.is(f, -0) ? '-0' : '0';
  const abs = Math.abs(f);
  if (abs < 1e-6 || abs >= 1e21) return formatGoExponent(f);
  return formatGoFixed(f);
}

/** Go's `strconv.FormatFloat(f, 'f', -1, 64)` (shortest repr, never an exponent). */
export function formatGoFixed(f: number): string {
  if (f !== f) return 'NaN';
  if (f === Infinity) return '+Inf';
  if (f === -Infinity) return '-Inf';
  if (f === 0) return Object.is(f, -0) ? '-0' : '0';
  const s = String(f);
  const e = s.indexOf('e');
  if (e < 0) return s;
  // Expand JavaScript's exponent form into fixed notation.
  const neg = s[0] === '-';
  const mantissa = s.slice(neg ? 1 : 0, e);
  const exp = Number(s.slice(e + 1));
  const dot = mantissa.indexOf('.');
  const digits = mantissa.replace('.', '');
  const intLen = (dot < 0 ? mantissa.length : dot) + exp;
  let out: string;
  if (intLen <= 0) out = '0.' + '0'.repeat(-intLen) + digits;
  else if (intLen >= digits.length) out = digits + '0'.repeat(intLen - digits.length);
  else out = digits.slice(0, intLen) + '.' + digits.slice(intLen);
  return (neg ? '-' : '') + out;
}

/** Go's `strconv.FormatFloat(f, 'e', -1, 64)`: at least two exponent digits (`1e-07`). */
export function formatGoExponent(f: number): string {
  const s = f.toExponential();
  const e = s.indexOf('e');
  const sign = s[e + 1];
  const digits = s.slice(e + 2);
  return `${s.slice(0, e)}e${sign}${digits.length < 2 ? '0' + digits : digits}`;
}

/** A timestamp in seconds for the HTTP API: milliseconds as a JSON number (`1435781451.781`). */
export function formatTimestamp(ms: number): number {
  return ms / 1000;
}

/**
 * Go's `strconv.ParseFloat(s, 64)`: decimal or hexadecimal floats, `Inf`/`Infinity`/`NaN` in any case
 * with an optional sign, `_` between digits. Returns undefined when `s` is not a valid float.
 */
export function parseGoFloat(s: string): number | undefined {
  const m = /^([+-]?)(inf|infinity|nan)$/i.exec(s);
  if (m) {
    if (m[2].toLowerCase() === 'nan') return m[1] === '' ? NaN : undefined;
    return m[1] === '-' ? -Infinity : Infinity;
  }
  if (/^[+-]?(\d(_?\d)*(\.(\d(_?\d)*)?)?|\.\d(_?\d)*)([eE][+-]?\d(_?\d)*)?$/.test(s)) {
    return Number(s.replace(/_/g, ''));
  }
  const hex = /^([+-]?)0[xX]_?([0-9a-fA-F](_?[0-9a-fA-F])*)?(\.([0-9a-fA-F](_?[0-9a-fA-F])*)?)?[pP]([+-]?\d(_?\d)*)$/.exec(s);
  if (hex && (hex[2] !== undefined || hex[5] !== undefined)) {
    const intPart = (hex[2] ?? '').replace(/_/g, '');
    const fracPart = (hex[5] ?? '').replace(/_/g, '');
    let mant = 0;
    for (const ch of intPart + fracPart) mant = mant * 16 + parseInt(ch, 16);
    const exp = Number(hex[7].replace(/_/g, '')) - 4 * fracPart.length;
    const v = mant * Math.pow(2, exp);
    return hex[1] === '-' ? -v : v;
  }
  return undefined;
}

/**
 * A PromQL number literal as Prometheus's parser reads it: first as an integer with Go's base
 * prefixes (`0x1f`, `0o17`, `0b101`, and a leading `0` for octal), else as a float.
 */
export function parseNumberLiteral(text: string): number | undefined {
  const m = /^([+-]?)(0[xX]_?[0-9a-fA-F](_?[0-9a-fA-F])*|0[oO]_?[0-7](_?[0-7])*|0[bB]_?[01](_?[01])*|0(_?[0-7])+|[1-9](_?\d)*|0)$/.exec(text);
  if (m) {
    const body = m[2].replace(/_/g, '');
    let v: number;
    if (/^0[xX]/.test(body)) v = parseInt(body.slice(2), 16);
    else if (/^0[oO]/.test(body)) v = parseInt(body.slice(2), 8);
    else if (/^0[bB]/.test(body)) v = parseInt(body.slice(2), 2);
    else if (body.length > 1 && body[0] === '0') v = parseInt(body.slice(1), 8);
    else v = Number(body);
    // Go's ParseInt fails beyond int64; the float parse then takes over (and rejects hex/octal ints).
    if (Math.abs(v) < 2 ** 63) return m[1] === '-' ? -v : v;
  }
  return parseGoFloat(text);
}
