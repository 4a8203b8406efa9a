import { isoOfMicros } from '../pg-telemetry-store';

/** The plain way: the millisecond ISO text and the microseconds after it. */
function reference(us: number): string {
  const ms = Math.floor(us / 1000);
  return `${new Date(ms).toISOString().slice(0, 23)}${String(Math.floor(us - ms * 1000)).padStart(3, '0')}Z`;
}

describe(isoOfMicros.name, () => {
  it('writes RFC 3339 with microseconds, in UTC', () => {
    expect(isoOfMicros(1_796_687_220_123_456)).toBe('2026-12-07T23:47:00.123456Z');
    expect(isoOfMicros(0)).toBe('1970-01-01T00:00:00.000000Z');
    expect(isoOfMicros(-1)).toBe('1969-12-31T23:59:59.999999Z');
    expect(isoOfMicros(1_796_687_220_000_001 + 0.75)).toBe('2026-12-07T23:47:00.000001Z');
  });

  it('agrees with the plain way on times in and across seconds, in any order (seeded)', () => {
    let seed = 42;
    const next = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
    const base = 1_796_687_220_000_000;
    for (let i = 0; i < 5000; i++) {
      const us = base + Math.floor(next() * 3_000_000) - 1_500_000 + (i % 7 === 0 ? Math.floor(next() * 1e12) : 0);
      expect(isoOfMicros(us)).toBe(reference(us));
    }
  });
});
