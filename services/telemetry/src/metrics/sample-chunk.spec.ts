import { decodeChunk, decodeChunks, encodeChunk, mergeSamples, SampleArrays, sliceSamples } from './sample-chunk';

/** A seeded generator (mulberry32): the same samples on every run. */
function rng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = a;
    x = Math.imul(x ^ (x >>> 15), x | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    return ((x ^ (x >>> 14)) >>> 0) / 0x1_0000_0000;
  };
  return { next, int: (n: number) => Math.floor(next() * n), u32: () => Math.floor(next() * 0x1_0000_0000) };
}

/** Float64s from their bits (BigUint64Array and Float64Array share the platform's byte order). */
const fromBits = (bits: bigint[]) => new Float64Array(new BigUint64Array(bits).buffer);
const bitsOf = (v: Float64Array) => Array.from(new BigUint64Array(v.buffer, v.byteOffset, v.length));
const hex = (v: Float64Array) => bitsOf(v).map((b) => b.toString(16).padStart(16, '0'));

const STALE = 0x7ff0000000000002n;
const SPECIAL = [
  STALE,
  0x7ff8000000000000n, // the usual NaN
  0x7ff8000000000001n,
  0xfff8000000000000n,
  0xffffffffffffffffn,
  0x7ff0000000000001n,
  0x7ff0000000000000n, // +Inf
  0xfff0000000000000n, // -Inf
  0x0000000000000000n, // 0
  0x8000000000000000n, // -0
  0x0000000000000001n, // the smallest subnormal
  0x000fffffffffffffn, // the largest subnormal
  0x800fffffffffffffn,
  0x7fefffffffffffffn, // MAX_VALUE
  0x3ff0000000000000n, // 1
];

function roundTrip(t: ArrayLike<number>, v: Float64Array): { out: SampleArrays; bytes: number } {
  const buf = encodeChunk(t, v);
  const out = decodeChunk(buf);
  expect(Array.from(out.t)).toEqual(Array.from(t));
  expect(hex(out.v)).toEqual(hex(v));
  return { out, bytes: buf.length };
}

/** Random bits of the kinds a series holds: anything, NaNs with payloads, specials, repeats, small changes. */
function randomValues(r: ReturnType<typeof rng>, n: number): Float64Array {
  const bits: bigint[] = [];
  for (let i = 0; i < n; i++) {
    const prev = bits[i - 1] ?? 0n;
    const kind = r.int(6);
    if (kind === 0) bits.push((BigInt(r.u32()) << 32n) | BigInt(r.u32()));
    else if (kind === 1) bits.push(((0x7ff00000n | BigInt(r.int(0x100000)) | (r.int(2) ? 0x80000000n : 0n)) << 32n) | BigInt(r.u32() | 1));
    else if (kind === 2) bits.push(SPECIAL[r.int(SPECIAL.length)]);
    else if (kind === 3) for (let k = r.int(40); k >= 0 && bits.length < n; k--) bits.push(prev); // runs past 16
    else if (kind === 4) bits.push(prev ^ (BigInt(r.int(256)) << BigInt(8 * r.int(8))));
    else bits.push(prev ^ BigInt(r.int(1 << 20)));
  }
  return fromBits(bits.slice(0, n));
}

/** Random strictly ascending timestamps: regular, jittered, irregular and with large gaps, from a negative or recent start. */
function randomTimes(r: ReturnType<typeof rng>, n: number): number[] {
  const t: number[] = [];
  let x = [1_700_000_000_000, -5_000_000_000, 0, 2 ** 40][r.int(4)] + r.int(1000);
  for (let i = 0; i < n; i++) {
    t.push(x);
    const kind = r.int(10);
    x += kind < 5 ? 15_000 : kind < 8 ? 15_000 + r.int(20) - 10 : kind < 9 ? 1 + r.int(100_000) : 1 + r.int(2 ** 36);
  }
  return t;
}

describe(encodeChunk.name, () => {
  it('writes the documented format: version, count, zigzag delta-of-deltas, first value raw, XOR control bytes', () => {
    const buf = encodeChunk([1000, 16000, 31000], [1.5, 1.5, 2]);
    // 1000 -> zigzag 2000; dod 15000 -> 30000; dod 0; 1.5 little-endian; a run of 1 equal value; 2 ^ 1.5 = 0x7ff8 << 48
    // (6 trailing zero bytes, 2 bytes f8 7f).
    expect(buf.toString('hex')).toBe('01' + '03' + 'd00f' + 'b0ea01' + '00' + '000000000000f83f' + '00' + '62f87f');
  });

  it('encodes zero samples as a valid chunk', () => {
    const buf = encodeChunk([], []);
    expect([...buf]).toEqual([1, 0]);
    const out = decodeChunk(buf);
    expect(out.t.length).toBe(0);
    expect(out.v.length).toBe(0);
  });

  it('round-trips one sample', () => {
    roundTrip([1_700_000_000_123], fromBits([STALE]));
    roundTrip([-1], new Float64Array([42]));
  });

  it('round-trips thousands of random samples bit for bit (seeded)', () => {
    const r = rng(20240607);
    let total = 0;
    for (let series = 0; series < 60; series++) {
      const n = [1, 2, 3, 17, 60, 120, 240][r.int(7)];
      roundTrip(randomTimes(r, n), randomValues(r, n));
      total += n;
    }
    expect(total).toBeGreaterThan(2000);
  });

  it('round-trips special values bit for bit: the staleness marker, NaN payloads, infinities, -0, subnormals', () => {
    const t = SPECIAL.map((_, i) => 1_700_000_000_000 + i * 15_000);
    roundTrip(t, fromBits(SPECIAL));
    roundTrip(t, fromBits([...SPECIAL].reverse()));
    // Each special after each other one, so every XOR between them is taken.
    const pairs = SPECIAL.flatMap((a) => SPECIAL.map((b) => [a, b])).flat();
    roundTrip(pairs.map((_, i) => i * 1000), fromBits(pairs));
  });

  it('keeps the staleness marker as the bits 0x7ff0000000000002 read through a DataView', () => {
    const v = new Float64Array(3);
    const dv = new DataView(v.buffer);
    dv.setFloat64(0, 1, true);
    dv.setBigUint64(8, STALE, true);
    dv.setFloat64(16, 2, true);
    const out = decodeChunk(encodeChunk([0, 15_000, 30_000], v));
    const outView = new DataView(out.v.buffer, out.v.byteOffset, out.v.byteLength);
    expect(outView.getBigUint64(8, true)).toBe(STALE);
    expect(outView.getUint32(12, true)).toBe(0x7ff00000);
    expect(outView.getUint32(8, true)).toBe(2);
    expect(Number.isNaN(out.v[1])).toBe(true);
  });

  it('round-trips timestamps up to ±2^53 and gaps past 2^32 exactly', () => {
    const v = (n: number) => new Float64Array(n).fill(1);
    roundTrip([-(2 ** 53), -(2 ** 53) + 1, -(2 ** 52), -1], v(4));
    roundTrip([2 ** 52, 2 ** 53 - 1, 2 ** 53], v(3));
    roundTrip([0, 2 ** 53], v(2));
    roundTrip([-(2 ** 52), 2 ** 52], v(2));
    roundTrip([-(2 ** 32) - 1, -(2 ** 32), -1, 0, 2 ** 32 - 1, 2 ** 32, 2 ** 32 + 1, 2 ** 45 + 3, 2 ** 45 + 2 ** 33 + 7], v(9));
    roundTrip([1_700_000_000_000, 1_700_000_000_001, 1_700_000_015_000, 1_700_086_400_000, 1_700_086_400_001], v(5));
    // Delta-of-deltas around the 32-bit fast path's edges (±2^30, ±2^31, ±2^32).
    const deltas = [1, 2 ** 30, 1, 2 ** 30 + 1, 2, 2 ** 30 - 1, 2 ** 31 + 2, 1, 2 ** 32, 1, 2 ** 31 - 1, 2 ** 32 + 2 ** 31, 3];
    const t = deltas.reduce((acc, d) => [...acc, acc[acc.length - 1] + d], [1_700_000_000_000]);
    roundTrip(t, v(t.length));
  });

  it('accepts plain arrays and typed array views, and decodes a chunk inside a larger buffer', () => {
    const plain = decodeChunk(encodeChunk([1, 2, 3], [0.1, -0, Infinity]));
    expect(Array.from(plain.v)).toEqual([0.1, -0, Infinity]);
    expect(Object.is(plain.v[1], -0)).toBe(true);
    const big = randomValues(rng(7), 50);
    const t = new Float64Array(randomTimes(rng(8), 50));
    roundTrip(t.subarray(10, 40), big.subarray(10, 40));
    const buf = encodeChunk(t, big);
    const host = new Uint8Array(buf.length + 11);
    host.set(buf, 5);
    const out = decodeChunk(host.subarray(5, 5 + buf.length));
    expect(hex(out.v)).toEqual(hex(big));
  });

  it('is compact for a regular scrape of a constant gauge (< 2.5 bytes a sample)', () => {
    for (const interval of [15_000, 60_000]) {
      for (const jitter of [0, 10]) {
        const r = rng(interval + jitter);
        const t = Array.from({ length: 120 }, (_, i) => 1_700_000_000_000 + i * interval + r.int(jitter + 1));
        const { bytes } = roundTrip(t, new Float64Array(120).fill(3));
        expect(bytes / 120).toBeLessThan(2.5);
        const small = roundTrip(t.slice(0, 60), new Float64Array(60).fill(0.25)).bytes;
        expect(small / 60).toBeLessThan(2.5);
      }
    }
  });

  it('is compact for a slowly growing integer counter (< 5 bytes a sample)', () => {
    const r = rng(3);
    const t = Array.from({ length: 120 }, (_, i) => 1_700_000_000_000 + i * 15_000 + r.int(5));
    let c = 123_456;
    const v = Float64Array.from(t, () => (c += r.int(20)));
    const { bytes } = roundTrip(t, v);
    expect(bytes / 120).toBeLessThan(5);
  });

  it('refuses samples outside the contract', () => {
    expect(() => encodeChunk([1, 2], [1])).toThrow(RangeError);
    expect(() => encodeChunk([1, 1], [1, 2])).toThrow(/ascending strictly/);
    expect(() => encodeChunk([2, 1], [1, 2])).toThrow(/ascending strictly/);
    expect(() => encodeChunk([1, 2.5, 3], [1, 2, 3])).toThrow(/integers/);
    expect(() => encodeChunk([1, NaN, 3], [1, 2, 3])).toThrow(/integers/);
    expect(() => encodeChunk([0.5], [1])).toThrow(/integers/);
    expect(() => encodeChunk([2 ** 53 + 2], [1])).toThrow(/2\^53/);
    expect(() => encodeChunk([-1, 2 ** 53], [1, 2])).toThrow(/span/);
  });
});

describe(decodeChunk.name, () => {
  const valid = encodeChunk(randomTimes(rng(11), 40), randomValues(rng(12), 40));

  it('refuses an unknown version', () => {
    for (const version of [0, 2, 255]) {
      const buf = Buffer.from(valid);
      buf[0] = version;
      expect(() => decodeChunk(buf)).toThrow(`unsupported version ${version}`);
    }
  });

  it('refuses every truncation of a chunk and bytes after its end', () => {
    expect(() => decodeChunk(new Uint8Array(0))).toThrow(/truncated/);
    for (let len = 1; len < valid.length; len++) expect(() => decodeChunk(valid.subarray(0, len))).toThrow(/truncated/);
    expect(() => decodeChunk(Buffer.concat([valid, Buffer.from([0])]))).toThrow(/1 bytes after the end/);
    expect(() => decodeChunk(Buffer.from([1, 0xff, 0xff, 0xff, 0xff, 0x0f]))).toThrow(/truncated/); // a huge count
  });

  it('refuses a corrupt chunk', () => {
    // One sample (t = 0, 1.0), then a second value with a control byte of 5 trailing + 8 middle bytes.
    const head = [1, 2, 0, 2, ...Buffer.from('000000000000f03f', 'hex')];
    expect(() => decodeChunk(Buffer.from([...head, 0x58, 1, 2, 3, 4, 5, 6, 7, 8]))).toThrow(/corrupt/);
    // A run of 2 equal values where 1 is left.
    expect(() => decodeChunk(Buffer.from([...head, 0x10]))).toThrow(/corrupt/);
    // A delta of -1 (zigzag 1) after a first delta of 0.
    expect(() => decodeChunk(Buffer.from([1, 2, 0, 1, ...Buffer.from('000000000000f03f', 'hex'), 0]))).toThrow(/corrupt/);
    // A first timestamp beyond 2^53, and a varint longer than a timestamp can need.
    expect(() => decodeChunk(Buffer.from([1, 1, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f, 0, 0, 0, 0, 0, 0, 0, 0]))).toThrow(/corrupt/);
    expect(() => decodeChunk(Buffer.from([1, 1, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00, 0, 0, 0, 0, 0, 0, 0, 0]))).toThrow(/too long/);
  });
});

describe(decodeChunks.name, () => {
  const chunksOf = (parts: SampleArrays[]) => Buffer.concat(parts.map((p) => encodeChunk(p.t, p.v)));
  const count = (parts: SampleArrays[]) => parts.reduce((n, p) => n + p.t.length, 0);

  it('reads chunks end to end in time order into one pair of arrays, bit for bit', () => {
    const r = rng(7);
    const times = randomTimes(r, 500);
    const values = randomValues(r, 500);
    const parts = [0, 120, 121, 300, 500].slice(1).map((end, i, ends) => {
      const start = i === 0 ? 0 : ends[i - 1];
      return { t: Float64Array.from(times.slice(start, end)), v: values.slice(start, end) };
    });
    for (const expected of [500, undefined]) {
      const out = decodeChunks(chunksOf(parts), expected);
      expect(Array.from(out.t)).toEqual(times);
      expect(hex(out.v)).toEqual(hex(values));
    }
  });

  it('reads empty chunks and nothing', () => {
    expect(decodeChunks(new Uint8Array(0), 0).t.length).toBe(0);
    const out = decodeChunks(chunksOf([{ t: new Float64Array(0), v: new Float64Array(0) }, { t: Float64Array.from([5]), v: Float64Array.from([1]) }]), 1);
    expect(Array.from(out.t)).toEqual([5]);
  });

  it('merges overlapping or unordered chunks as mergeSamples does (a later chunk wins), seeded', () => {
    const r = rng(11);
    for (let round = 0; round < 100; round++) {
      const parts = Array.from({ length: 1 + r.int(6) }, () => {
        const times = new Set<number>();
        const start = r.int(100);
        const n = r.int(25);
        while (times.size < n) times.add(start + r.int(60));
        const t = [...times].sort((x, y) => x - y);
        return { t: Float64Array.from(t), v: randomValues(r, t.length) };
      });
      const out = decodeChunks(chunksOf(parts), count(parts));
      const want = mergeSamples(parts);
      expect(Array.from(out.t)).toEqual(Array.from(want.t));
      expect(hex(out.v)).toEqual(hex(want.v));
    }
  });

  it('refuses a count that differs from the one announced, a truncation and a corrupt chunk', () => {
    const parts = [
      { t: Float64Array.from([1, 2, 3]), v: Float64Array.from([1, 2, 3]) },
      { t: Float64Array.from([4, 5]), v: Float64Array.from([4, 5]) },
    ];
    const buf = chunksOf(parts);
    expect(() => decodeChunks(buf, 4)).toThrow(/corrupt/);
    expect(() => decodeChunks(buf, 6)).toThrow(/truncated/);
    for (let len = 1; len < buf.length; len++) expect(() => decodeChunks(buf.subarray(0, len), 5)).toThrow(/truncated|corrupt/);
    expect(() => decodeChunks(Buffer.concat([buf, Buffer.from([9])]), 5)).toThrow(/unsupported version 9/);
  });
});

describe(mergeSamples.name, () => {
  const part = (t: number[], v: number[] | bigint[]): SampleArrays => ({
    t: Float64Array.from(t),
    v: typeof v[0] === 'bigint' ? fromBits(v as bigint[]) : Float64Array.from(v as number[]),
  });

  /** A reference: later parts overwrite, then sorted by time. */
  function reference(parts: SampleArrays[]) {
    const byTime = new Map<number, bigint>();
    for (const p of parts) bitsOf(p.v).forEach((b, i) => byTime.set(p.t[i], b));
    const times = [...byTime.keys()].sort((a, b) => a - b);
    return { t: times, v: times.map((x) => byTime.get(x)!.toString(16).padStart(16, '0')) };
  }

  it('merges nothing and empty parts into nothing', () => {
    expect(mergeSamples([]).t.length).toBe(0);
    const out = mergeSamples([part([], []), part([], [])]);
    expect(out.t.length).toBe(0);
    expect(out.v.length).toBe(0);
  });

  it('puts parts in time order, whatever order they come in', () => {
    const a = part([1, 2, 3], [10, 20, 30]);
    const b = part([4, 5], [40, 50]);
    const c = part([6], [60]);
    for (const parts of [[a, b, c], [c, b, a], [b, c, a], [a, part([], []), c, b]]) {
      const out = mergeSamples(parts);
      expect(Array.from(out.t)).toEqual([1, 2, 3, 4, 5, 6]);
      expect(Array.from(out.v)).toEqual([10, 20, 30, 40, 50, 60]);
    }
  });

  it('interleaves overlapping parts, the later part winning on equal timestamps', () => {
    const a = part([1, 3, 5, 7], [1, 3, 5, 7]);
    const b = part([2, 3, 4, 7, 8], [20, 30, 40, 70, 80]);
    expect(mergeSamples([a, b])).toEqual({ t: Float64Array.from([1, 2, 3, 4, 5, 7, 8]), v: Float64Array.from([1, 20, 30, 40, 5, 70, 80]) });
    expect(mergeSamples([b, a])).toEqual({ t: Float64Array.from([1, 2, 3, 4, 5, 7, 8]), v: Float64Array.from([1, 20, 3, 40, 5, 7, 80]) });
    const three = mergeSamples([part([5], [1]), part([5], [2]), part([4, 5], [0, 3])]);
    expect(Array.from(three.v)).toEqual([0, 3]);
  });

  it('keeps value bits (NaN payloads) and returns arrays of its own', () => {
    const a = part([1, 2], [STALE, 0x7ff8000000000001n]);
    const b = part([2, 3], [0xfff8000000000000n, STALE]);
    const out = mergeSamples([a, b]);
    expect(hex(out.v)).toEqual(['7ff0000000000002', 'fff8000000000000', '7ff0000000000002']);
    const one = mergeSamples([a]);
    one.t[0] = 99;
    expect(a.t[0]).toBe(1);
  });

  it('agrees with a reference on random overlapping parts (seeded)', () => {
    const r = rng(99);
    for (let round = 0; round < 200; round++) {
      const parts = Array.from({ length: 1 + r.int(7) }, () => {
        const n = r.int(30);
        const times = new Set<number>();
        const start = r.int(100);
        while (times.size < n) times.add(start + r.int(60));
        const t = [...times].sort((x, y) => x - y);
        return { t: Float64Array.from(t), v: randomValues(r, n) };
      });
      const out = mergeSamples(parts);
      const want = reference(parts);
      expect(Array.from(out.t)).toEqual(want.t);
      expect(hex(out.v)).toEqual(want.v);
    }
  });
});

describe(sliceSamples.name, () => {
  const s: SampleArrays = { t: Float64Array.from([10, 20, 30, 40, 50]), v: Float64Array.from([1, 2, 3, 4, 5]) };
  const times = (x: SampleArrays) => Array.from(x.t);

  it('includes both bounds', () => {
    expect(times(sliceSamples(s, 20, 40))).toEqual([20, 30, 40]);
    expect(Array.from(sliceSamples(s, 20, 40).v)).toEqual([2, 3, 4]);
    expect(times(sliceSamples(s, 30, 30))).toEqual([30]);
    expect(times(sliceSamples(s, 10, 50))).toEqual([10, 20, 30, 40, 50]);
  });

  it('handles bounds between, before and after the samples', () => {
    expect(times(sliceSamples(s, 15, 45))).toEqual([20, 30, 40]);
    expect(times(sliceSamples(s, -Infinity, 25))).toEqual([10, 20]);
    expect(times(sliceSamples(s, 35, Infinity))).toEqual([40, 50]);
    expect(times(sliceSamples(s, 0, 9))).toEqual([]);
    expect(times(sliceSamples(s, 51, 60))).toEqual([]);
    expect(times(sliceSamples(s, 21, 29))).toEqual([]);
    expect(times(sliceSamples(s, 40, 20))).toEqual([]);
    expect(times(sliceSamples(s, NaN, 40))).toEqual([]);
    expect(times(sliceSamples({ t: new Float64Array(0), v: new Float64Array(0) }, 0, 100))).toEqual([]);
  });

  it('returns views on the samples', () => {
    const out = sliceSamples(s, 20, 30);
    expect(out.t.buffer).toBe(s.t.buffer);
    expect(out.v.buffer).toBe(s.v.buffer);
  });

  it('agrees with a filter on random bounds (seeded)', () => {
    const r = rng(5);
    const t = randomTimes(r, 200);
    const all = { t: Float64Array.from(t), v: Float64Array.from(t, (_, i) => i) };
    for (let k = 0; k < 300; k++) {
      const a = t[0] - 100_000 + r.next() * (t[199] - t[0] + 200_000);
      const b = a + r.next() * 3_000_000;
      const start = r.int(4) === 0 ? t[r.int(200)] : Math.round(a);
      expect(times(sliceSamples(all, start, b))).toEqual(t.filter((x) => x >= start && x <= b));
    }
  });
});
