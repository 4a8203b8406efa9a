/**
 * A compact chunk of one series' samples (Prometheus style: integer ms timestamps, float64 values), for a bytea column.
 *
 * Format, version 1 (all varints are LEB128: 7 bits a byte, least significant first, high bit = more follows):
 *   u8        version (1)
 *   varint    n, the number of samples
 *   n varints the timestamps: the first one zigzag-encoded, then each delta-of-delta zigzag-encoded (the delta before
 *             the first is 0), so a regular scrape costs 1 byte a timestamp
 *   values    (when n > 0) the first value's 8 bytes (IEEE 754 binary64, little-endian), then for each later value the
 *             XOR of its 64 bits with the previous value's, byte-aligned Gorilla style: a control byte c,
 *               c & 15 = m in 1..8: m bytes follow, the XOR's non-zero middle bytes (least significant first), after
 *                                   c >> 4 = the number of trailing zero bytes (the leading zero bytes are the rest);
 *               c & 15 = 0:         the value equals the previous one, repeated (c >> 4) + 1 times (1..16 samples).
 * Nothing follows. Values are handled as their bits only (never as numbers), so NaN payloads (the staleness marker
 * 0x7ff0000000000002), -0, infinities and subnormals come back bit for bit.
 */

/** Samples of one series, timestamps in ms since the epoch ascending (strictly), values float64. */
export interface SampleArrays {
  t: Float64Array;
  v: Float64Array;
}

const VERSION = 1;
const TWO_32 = 0x1_0000_0000;
const TWO_53 = 2 ** 53;
/** Words of a float64 in a Uint32Array over it: the platform's byte order decides which one holds the high bits. */
const LO = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 0 : 1;
const HI = 1 - LO;

/** The bits of `v` as 2 words a value (a view, no copy). */
const wordsOf = (v: Float64Array) => new Uint32Array(v.buffer, v.byteOffset, v.length * 2);

/** Reused by every encode (synchronous, so never shared by two calls); grown up to 1 MiB, larger chunks get their own. */
let scratch = Buffer.allocUnsafe(4096);
const SCRATCH_MAX = 1 << 20;

/**
 * Encodes the samples `t` (integer ms, strictly ascending) and `v`. Pass `v` as a Float64Array to keep NaN payloads:
 * a plain array of numbers may already have lost them (engines may canonicalize a NaN stored in one).
 * Throws a RangeError on lengths that differ, a timestamp that is not an integer in ±2^53, timestamps that do not
 * ascend strictly, or a chunk spanning more than 2^53 ms (so that every delta is an exact Number).
 */
export function encodeChunk(t: ArrayLike<number>, v: ArrayLike<number>): Buffer {
  const n = t.length;
  if (v.length !== n) throw new RangeError(`sample chunk: ${n} timestamps but ${v.length} values`);
  const size = n * (10 + 9) + 16;
  if (scratch.length < size && size <= SCRATCH_MAX) scratch = Buffer.allocUnsafe(Math.min(SCRATCH_MAX, Math.max(size, scratch.length * 2)));
  const buf = scratch.length >= size ? scratch : Buffer.allocUnsafe(size);
  buf[0] = VERSION;
  let pos = writeUvarint(buf, 1, n);
  if (n > 0) {
    pos = encodeTimes(buf, pos, t);
    pos = encodeValues(buf, pos, v instanceof Float64Array ? v : Float64Array.from(v));
  }
  return Buffer.from(buf.subarray(0, pos));
}

function encodeTimes(buf: Buffer, pos: number, t: ArrayLike<number>): number {
  const n = t.length;
  const first = t[0];
  const last = t[n - 1];
  if (!Number.isInteger(first) || !Number.isInteger(last) || first < -TWO_53 || last > TWO_53) {
    throw new RangeError(`sample chunk: timestamps must be integers within ±2^53 ms (got ${first}..${last})`);
  }
  // last - first <= 2^53 (written so that it is computed exactly): then every delta and delta-of-delta is exact.
  if (first < 0 && last > 0 && last > TWO_53 + first) throw new RangeError(`sample chunk: a chunk may span at most 2^53 ms (got ${first}..${last})`);
  pos = writeZigzag(buf, pos, first);
  let prev = first;
  let prevDelta = 0;
  for (let i = 1; i < n; i++) {
    const ti = t[i];
    if (!(ti > prev) || !Number.isInteger(ti)) throw new RangeError(`sample chunk: timestamps must be integers ascending strictly (t[${i - 1}] = ${prev}, t[${i}] = ${ti})`);
    const delta = ti - prev;
    const dod = delta - prevDelta;
    if ((dod | 0) === dod) {
      // An int32: its zigzag fits a uint32 (the shift may wrap the sign bit; >>> 0 reads the 32 bits unsigned).
      let z = ((dod << 1) ^ (dod >> 31)) >>> 0;
      while (z >= 0x80) {
        buf[pos++] = z | 0x80; // a Buffer keeps the low 8 bits
        z >>>= 7;
      }
      buf[pos++] = z;
    } else {
      pos = writeZigzag(buf, pos, dod);
    }
    prev = ti;
    prevDelta = delta;
  }
  return pos;
}

function encodeValues(buf: Buffer, pos: number, v: Float64Array): number {
  const n = v.length;
  const w = wordsOf(v);
  let prevHi = w[HI];
  let prevLo = w[LO];
  buf.writeUInt32LE(prevLo, pos);
  buf.writeUInt32LE(prevHi, pos + 4);
  pos += 8;
  let run = 0; // values equal to the previous one, not written yet
  for (let i = 1; i < n; i++) {
    const hi = w[2 * i + HI];
    const lo = w[2 * i + LO];
    const xHi = hi ^ prevHi;
    const xLo = lo ^ prevLo;
    if ((xHi | xLo) === 0) {
      if (++run === 16) {
        buf[pos++] = 0xf0;
        run = 0;
      }
      continue;
    }
    if (run > 0) {
      buf[pos++] = (run - 1) << 4;
      run = 0;
    }
    // Byte k of the XOR is byte k of xLo for k < 4, of xHi for k >= 4.
    const trailing = xLo === 0 ? 4 + (ctz32(xHi) >> 3) : ctz32(xLo) >> 3;
    const end = xHi === 0 ? 4 - (Math.clz32(xLo) >> 3) : 8 - (Math.clz32(xHi) >> 3);
    buf[pos++] = (trailing << 4) | (end - trailing);
    for (let k = trailing; k < end; k++) buf[pos++] = k < 4 ? xLo >>> (k << 3) : xHi >>> ((k - 4) << 3);
    prevHi = hi;
    prevLo = lo;
  }
  if (run > 0) buf[pos++] = (run - 1) << 4;
  return pos;
}

/** Trailing zero bits of a non-zero 32-bit integer. */
const ctz32 = (x: number) => 31 - Math.clz32(x & -x);

function writeUvarint(buf: Buffer, pos: number, x: number): number {
  while (x >= 0x80) {
    buf[pos++] = (x % 0x80) | 0x80;
    x = Math.floor(x / 0x80);
  }
  buf[pos++] = x;
  return pos;
}

/**
 * The zigzag varint of an integer within ±2^53, without BigInt: zigzag(x) = 2x for x >= 0, 2(-x - 1) + 1 for x < 0,
 * which needs 54 bits, so it is built as two 32-bit words (m = x or -x - 1 is at most 2^53, exact).
 */
function writeZigzag(buf: Buffer, pos: number, x: number): number {
  const m = x < 0 ? -x - 1 : x;
  const mHi = Math.floor(m / TWO_32);
  const mLo = m >>> 0; // m mod 2^32
  let zHi = mHi * 2 + (mLo >>> 31);
  let zLo = ((mLo << 1) | (x < 0 ? 1 : 0)) >>> 0;
  while (zHi !== 0) {
    buf[pos++] = (zLo & 0x7f) | 0x80;
    zLo = ((zLo >>> 7) | (zHi << 25)) >>> 0;
    zHi >>>= 7;
  }
  while (zLo >= 0x80) {
    buf[pos++] = zLo | 0x80;
    zLo >>>= 7;
  }
  buf[pos++] = zLo;
  return pos;
}

/**
 * Reads a chunk back (t and v are views on one new ArrayBuffer). Throws an Error on an unknown version, a truncated or
 * corrupt chunk, or bytes after its end.
 */
export function decodeChunk(buf: Uint8Array): SampleArrays {
  const r = new Reader(buf);
  const n = r.header();
  const mem = new ArrayBuffer(n * 16);
  const t = new Float64Array(mem, 0, n);
  const v = new Float64Array(mem, n * 8, n);
  if (n > 0) {
    decodeTimes(r, t, 0, n);
    decodeValues(r, v, 0, n);
  }
  if (r.pos !== buf.length) throw new Error(`sample chunk: ${buf.length - r.pos} bytes after the end of the chunk`);
  return { t, v };
}

/**
 * Reads chunks laid end to end in `buf` (as `string_agg(data, ''::bytea ORDER BY start_time)` gives a series' chunks)
 * into one pair of arrays, merged as mergeSamples would merge the chunks in that order (a later chunk wins on an equal
 * timestamp). `expected`, the chunks' total count of samples when known, sizes the arrays once. Throws as decodeChunk
 * does on a corrupt chunk, and on a count that differs from `expected`.
 */
export function decodeChunks(buf: Uint8Array, expected?: number): SampleArrays {
  const r = new Reader(buf);
  let size = expected ?? 0;
  let t = new Float64Array(size);
  let v = new Float64Array(size);
  /** Where each chunk starts in t/v (and the end), while the chunks are in time order a single run. */
  const starts: number[] = [];
  let k = 0;
  let ordered = true;
  while (r.pos < buf.length) {
    const n = r.header();
    if (k + n > size) {
      if (expected !== undefined) throw new Error(`sample chunk: corrupt (more than the ${expected} samples announced)`);
      size = Math.max(2 * size, k + n);
      const t2 = new Float64Array(size);
      const v2 = new Float64Array(size);
      t2.set(t.subarray(0, k));
      v2.set(v.subarray(0, k));
      t = t2;
      v = v2;
    }
    starts.push(k);
    if (n > 0) {
      decodeTimes(r, t, k, n);
      decodeValues(r, v, k, n);
      if (k > 0 && t[k] <= t[k - 1]) ordered = false;
    }
    k += n;
  }
  if (expected !== undefined && k !== expected) throw new Error(`sample chunk: truncated (${k} samples of the ${expected} announced)`);
  if (ordered) return { t: k === size ? t : t.subarray(0, k), v: k === size ? v : v.subarray(0, k) };
  starts.push(k);
  const parts: SampleArrays[] = [];
  for (let i = 0; i + 1 < starts.length; i++) parts.push({ t: t.subarray(starts[i], starts[i + 1]), v: v.subarray(starts[i], starts[i + 1]) });
  return mergeSamples(parts);
}

class Reader {
  pos = 0;
  constructor(readonly buf: Uint8Array) {}

  /** A chunk's version and count, at pos: answers the count (at most the bytes left, one a timestamp at least). */
  header(): number {
    const { buf } = this;
    if (this.pos >= buf.length) this.truncated();
    const version = buf[this.pos++];
    if (version !== VERSION) throw new Error(`sample chunk: unsupported version ${version} (this code reads version ${VERSION})`);
    const n = this.uvarint();
    // Each timestamp takes at least 1 byte: a count beyond what is left is a corrupt or truncated chunk (and no huge
    // allocation is made for it).
    if (n > buf.length - this.pos) throw new Error(`sample chunk: truncated (${n} samples announced in ${buf.length} bytes)`);
    return n;
  }

  truncated(): never {
    throw new Error(`sample chunk: truncated (${this.buf.length} bytes)`);
  }

  uvarint(): number {
    const { buf } = this;
    let x = 0;
    for (let scale = 1, i = 0; ; scale *= 0x80, i++) {
      if (this.pos >= buf.length) this.truncated();
      if (i === 8) throw new Error('sample chunk: corrupt (varint too long)');
      const b = buf[this.pos++];
      x += (b & 0x7f) * scale;
      if (b < 0x80) return x;
    }
  }

  /** A zigzag varint within ±2^53 (see writeZigzag): m = zigzag >> 1 is summed exactly, the sign is its low bit. */
  zigzag(): number {
    const { buf } = this;
    if (this.pos >= buf.length) this.truncated();
    let b = buf[this.pos++];
    const negative = b & 1;
    let m = (b & 0x7f) >>> 1;
    for (let scale = 0x40, i = 1; b >= 0x80; scale *= 0x80, i++) {
      if (this.pos >= buf.length) this.truncated();
      if (i === 8) throw new Error('sample chunk: corrupt (varint too long)');
      b = buf[this.pos++];
      m += (b & 0x7f) * scale;
    }
    if (m > TWO_53) throw new Error('sample chunk: corrupt (timestamp beyond 2^53)');
    return negative ? -m - 1 : m;
  }
}

/** n timestamps into t from index `at`. */
function decodeTimes(r: Reader, t: Float64Array, at: number, n: number): void {
  const buf = r.buf;
  const len = buf.length;
  let prev = r.zigzag();
  t[at] = prev;
  let delta = 0;
  for (let i = 1; i < n; i++) {
    let dod: number;
    if (r.pos >= len) r.truncated();
    const b = buf[r.pos];
    if (b < 0x80) {
      r.pos++;
      dod = (b >>> 1) ^ -(b & 1);
    } else {
      dod = r.zigzag();
    }
    delta += dod;
    if (delta <= 0) throw new Error(`sample chunk: corrupt (timestamp ${i} not after the one before)`);
    prev += delta;
    t[at + i] = prev;
  }
}

/** n values into v from index `at` (written as words: storing a NaN as a number may change its bits). */
function decodeValues(r: Reader, v: Float64Array, at: number, n: number): void {
  const buf = r.buf;
  const len = buf.length;
  const w = wordsOf(v.subarray(at, at + n));
  let pos = r.pos;
  if (pos + 8 > len) r.truncated();
  let lo = (buf[pos] | (buf[pos + 1] << 8) | (buf[pos + 2] << 16) | (buf[pos + 3] << 24)) >>> 0;
  let hi = (buf[pos + 4] | (buf[pos + 5] << 8) | (buf[pos + 6] << 16) | (buf[pos + 7] << 24)) >>> 0;
  pos += 8;
  w[LO] = lo;
  w[HI] = hi;
  for (let i = 1; i < n; ) {
    if (pos >= len) r.truncated();
    const c = buf[pos++];
    const m = c & 15;
    if (m === 0) {
      const end = i + (c >> 4) + 1;
      if (end > n) throw new Error('sample chunk: corrupt (a run of equal values beyond the last sample)');
      for (; i < end; i++) {
        w[2 * i + LO] = lo;
        w[2 * i + HI] = hi;
      }
      continue;
    }
    const trailing = c >> 4;
    const end = trailing + m;
    if (end > 8) throw new Error(`sample chunk: corrupt (control byte 0x${c.toString(16)})`);
    if (pos + m > len) r.truncated();
    let xLo = 0;
    let xHi = 0;
    for (let k = trailing; k < end; k++) {
      if (k < 4) xLo |= buf[pos++] << (k << 3);
      else xHi |= buf[pos++] << ((k - 4) << 3);
    }
    lo = (lo ^ xLo) >>> 0;
    hi = (hi ^ xHi) >>> 0;
    w[2 * i + LO] = lo;
    w[2 * i + HI] = hi;
    i++;
  }
  r.pos = pos;
}

/**
 * Merges chunks of the same series (any order, may overlap): sorted by time; on equal timestamps the sample of the
 * LATER chunk in the argument list wins. The result is new arrays (possibly views on a larger buffer), never an input.
 */
export function mergeSamples(parts: SampleArrays[]): SampleArrays {
  let runs = parts.filter((p) => p.t.length > 0);
  if (runs.length === 0) return { t: new Float64Array(0), v: new Float64Array(0) };
  if (runs.length === 1) return { t: runs[0].t.slice(), v: runs[0].v.slice() };
  // The common case: chunks in time order, not overlapping.
  if (runs.every((p, i) => i === 0 || p.t[0] > runs[i - 1].t[runs[i - 1].t.length - 1])) return concat(runs);
  // Merging neighbours pairwise keeps "later wins" (the later of two neighbours is later than all of the earlier
  // one's parts) and costs O(samples x log parts).
  while (runs.length > 1) {
    const next: SampleArrays[] = [];
    for (let i = 0; i < runs.length; i += 2) next.push(i + 1 < runs.length ? merge2(runs[i], runs[i + 1]) : runs[i]);
    runs = next;
  }
  return runs[0];
}

/** Copies of the parts one after the other (a typed array's set() between arrays of one type keeps the bits). */
function concat(parts: SampleArrays[]): SampleArrays {
  const total = parts.reduce((sum, p) => sum + p.t.length, 0);
  const t = new Float64Array(total);
  const v = new Float64Array(total);
  let k = 0;
  for (const p of parts) {
    t.set(p.t, k);
    v.set(p.v, k);
    k += p.t.length;
  }
  return { t, v };
}

/** `a` and `b` merged; `b` wins on equal timestamps. Values are copied as words (storing a NaN may change its bits). */
function merge2(a: SampleArrays, b: SampleArrays): SampleArrays {
  const at = a.t;
  const bt = b.t;
  const na = at.length;
  const nb = bt.length;
  if (at[na - 1] < bt[0]) return concat([a, b]);
  if (bt[nb - 1] < at[0]) return concat([b, a]);
  const t = new Float64Array(na + nb);
  const v = new Float64Array(na + nb);
  const aw = wordsOf(a.v);
  const bw = wordsOf(b.v);
  const w = wordsOf(v);
  let i = 0;
  let j = 0;
  let k = 0;
  while (i < na && j < nb) {
    const x = at[i];
    const y = bt[j];
    if (x < y) {
      t[k] = x;
      w[2 * k] = aw[2 * i];
      w[2 * k + 1] = aw[2 * i + 1];
      i++;
    } else {
      t[k] = y;
      w[2 * k] = bw[2 * j];
      w[2 * k + 1] = bw[2 * j + 1];
      j++;
      if (x === y) i++;
    }
    k++;
  }
  if (i < na) {
    t.set(at.subarray(i), k);
    v.set(a.v.subarray(i), k);
    k += na - i;
  } else if (j < nb) {
    t.set(bt.subarray(j), k);
    v.set(b.v.subarray(j), k);
    k += nb - j;
  }
  return k === na + nb ? { t, v } : { t: t.subarray(0, k), v: v.subarray(0, k) };
}

/** The samples with startMs <= t <= endMs, as views on `s` (binary search). */
export function sliceSamples(s: SampleArrays, startMs: number, endMs: number): SampleArrays {
  const { t } = s;
  let from = 0;
  let to = 0;
  if (startMs <= endMs) {
    from = firstIndex(t, (x) => x >= startMs);
    to = firstIndex(t, (x) => x > endMs, from);
  }
  return { t: t.subarray(from, to), v: s.v.subarray(from, to) };
}

/** The first index from `lo` whose timestamp satisfies `ok` (monotone over the sorted array), or t.length. */
function firstIndex(t: Float64Array, ok: (x: number) => boolean, lo = 0): number {
  let hi = t.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (ok(t[mid])) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}
