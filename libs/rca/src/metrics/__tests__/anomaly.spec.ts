import { MetricPoint, RcaCase } from '../../case';
import { rankRootCauses } from '../../rank';
import { baseline, looksLikeCounter, quantile, quantilesInPlace } from '../robust';
import { scoreMetrics, scoreSeries, seriesFromPoints, shortfallScore, sustainedRank } from '../anomaly';

function points(service: string, metric: string, values: number[], t0 = 1000): MetricPoint[] {
  return values.map((value, i) => ({ timestamp: t0 + i, service, metric, value }));
}

const noise = (n: number, level: number, seed = 1) => {
  let x = seed;
  return Array.from({ length: n }, () => {
    x = (x * 16807) % 2147483647;
    return level + ((x / 2147483647) - 0.5) * level * 0.1;
  });
};

describe('metric anomaly scoring', () => {
  it('finds a known anomaly and its onset', () => {
    const values = [...noise(60, 10), ...noise(20, 10, 7).map((v, i) => (i >= 5 ? v + 50 : v))];
    const c: RcaCase = { id: 'a', fault_time: 1060, window: { start: 1000, end: 1079 }, metrics: seriesFromPoints(points('svc', 'cpu', values)) };
    const [e] = scoreMetrics(c);
    expect(e.score).toBeGreaterThan(10);
    expect(e.onset).toBe(1065);
  });

  it('ignores a constant series and does not blow up on a flat reference', () => {
    const c: RcaCase = { id: 'b', fault_time: 1050, window: { start: 1000, end: 1099 }, metrics: seriesFromPoints(points('svc', 'const', Array(100).fill(5))) };
    expect(scoreMetrics(c)[0].score).toBe(0);
    expect(baseline([5, 5, 5, 5]).scale).toBeGreaterThan(0);
  });

  it('gives sparse and flat counts a sensible unit, so one extra error is not a thousand units out', () => {
    const sparse = Array.from({ length: 100 }, (_, i) => (i % 10 === 0 ? 1 : 0));
    expect(baseline(sparse).scale).toBeCloseTo(0.3, 1);
    expect(baseline(Array(50).fill(0)).scale).toBeCloseTo(1 / 3);
    // A quantised gauge (memory in pages, mostly one value): 5% of its level, not the tiny spread of its rare values.
    expect(baseline([...Array(90).fill(301641728), ...Array(10).fill(301645824)]).scale).toBeCloseTo(301641728 * 0.05, -3);
  });

  it('turns counters into rates', () => {
    expect(looksLikeCounter([1, 2, 3, 5, 8, 13, 21])).toBe(true);
    expect(looksLikeCounter([1, 3, 2, 5])).toBe(false);
    const counter = Array.from({ length: 100 }, (_, i) => (i < 60 ? i * 10 : 600 + (i - 60) * 100));
    const c: RcaCase = { id: 'c', fault_time: 1060, window: { start: 1000, end: 1099 }, metrics: seriesFromPoints(points('svc', 'requests_total', counter)) };
    expect(scoreMetrics(c)[0].score).toBeGreaterThan(5);
  });

  it('uses the reference period when given, and tolerates gaps and other steps', () => {
    const ref = points('svc', 'mem', noise(30, 100), 0).filter((_, i) => i % 3 !== 0);
    const win = points('svc', 'mem', [...noise(10, 100, 3), ...noise(10, 300, 4)], 5000).filter((_, i) => i % 2 === 0);
    const c: RcaCase = { id: 'd', fault_time: 5010, window: { start: 5000, end: 5019 }, reference: { start: 0, end: 29 }, metrics: seriesFromPoints([...ref, ...win]) };
    expect(scoreMetrics(c)[0].score).toBeGreaterThan(10);
  });

  it('ranks the faulty service first, deterministically, with a summary', () => {
    const metrics = [
      ...points('cart', 'cpu', [...noise(60, 20, 2), ...noise(40, 90, 3)]),
      ...points('front', 'latency', [...noise(60, 100, 4), ...noise(40, 130, 5)]),
      ...points('db', 'cpu', noise(100, 30, 6)),
    ];
    const c: RcaCase = { id: 'e', fault_time: 1060, window: { start: 1000, end: 1099 }, metrics: seriesFromPoints(metrics) };
    const r = rankRootCauses(c);
    expect(r.candidates.map((x) => x.service)).toEqual(['cart', 'front', 'db']);
    expect(r.summary).toMatch(/^Most likely root cause: cart/);
    expect(rankRootCauses(c)).toEqual(r);
  });
});

describe('calibration', () => {
  const c = { fault_time: 1060, window: { start: 1000, end: 1079 } };
  const t = Array.from({ length: 80 }, (_, i) => 1000 + i);

  it('scores a lone spike on its peak but not on its sustained deviation; a shift that holds scores on both', () => {
    const base = noise(80, 10);
    const spike = base.map((v, i) => (i === 70 ? v + 50 : v));
    const shift = base.map((v, i) => (i >= 62 ? v + 50 : v));
    const a = scoreSeries(t, spike, c);
    const b = scoreSeries(t, shift, c);
    expect(a?.score).toBeGreaterThan(10);
    expect(a?.sustained).toBeLessThan(3);
    expect(b?.sustained).toBeGreaterThan(10);
    expect(sustainedRank(2)).toBe(2);
    expect(sustainedRank(3)).toBe(2);
    expect(sustainedRank(20)).toBe(5);
  });

  it('does not let a percentile stuck on a histogram bound score thousands of units when it moves one bucket', () => {
    // A p99 sitting on a bucket bound (two values, a tiny spread), then the next bound: double the level.
    const stuck = t.map((_, i) => (i < 60 ? (i % 3 === 0 ? 0.00496 : 0.00495) : 0.0099));
    const r = scoreSeries(t, stuck, c, { relativeMinScale: 0.02 });
    expect(r?.score).toBeLessThan(5);
    expect(baseline(stuck.slice(0, 60)).scale).toBeCloseTo(0.25 * 0.00495, 5);
    // Stuck whole numbers (a count of replicas) keep their own unit.
    expect(baseline([3, 3, 3, 4, 3, 3, 3, 3]).scale).toBeLessThan(0.5);
    // A steady but continuous gauge keeps its own (small) spread as the unit: a 30% climb is far out.
    const memory = noise(80, 1000).map((v, i) => (i < 60 ? 1000 + (v - 1000) * 0.05 : 1300));
    expect(scoreSeries(t, memory, c, { relativeMinScale: 0.02 })?.score).toBeGreaterThan(14);
  });
});

describe('shortfallScore', () => {
  it('measures a count falling short in likelihood-ratio units, and nothing for a count at or above what was expected', () => {
    expect(shortfallScore(17, 1)).toBeCloseTo(5.13, 2);
    expect(shortfallScore(17, 0)).toBeCloseTo(Math.sqrt(34), 6);
    expect(shortfallScore(100, 90)).toBeGreaterThan(0.9);
    expect(shortfallScore(100, 90)).toBeLessThan(1.1);
    expect(shortfallScore(10, 10)).toBe(0);
    expect(shortfallScore(10, 12)).toBe(0);
    expect(shortfallScore(0, 0)).toBe(0);
  });
});

describe('quantiles by selection', () => {
  it('agrees with sorting, on random, sorted, reversed and repeated samples', () => {
    let x = 3;
    const rnd = () => (x = (x * 16807) % 2147483647) / 2147483647;
    const samples = [
      Array.from({ length: 1001 }, rnd),
      Array.from({ length: 100 }, (_, i) => i),
      Array.from({ length: 100 }, (_, i) => 100 - i),
      Array.from({ length: 50 }, (_, i) => i % 3),
      [7],
      [2, 1],
    ];
    for (const s of samples) {
      const sorted = Float64Array.from(s).sort();
      const expected = [0.25, 0.5, 0.75].map((q) => quantile(sorted, q));
      expect(quantilesInPlace(Float64Array.from(s), [0.25, 0.5, 0.75])).toEqual(expected);
    }
  });
});

describe('baseline of a long reference', () => {
  it('is summarised from a sample, deterministically, close to the full sample’s', () => {
    let x = 5;
    const rnd = () => (x = (x * 16807) % 2147483647) / 2147483647;
    // An hour at 1 s with a spike every 10 s on top of noise: a fixed stride could alias with it.
    const values = Array.from({ length: 3600 }, (_, i) => 100 + (i % 10 === 0 ? 30 : 0) + rnd() * 10);
    const sorted = Float64Array.from(values).sort();
    const full = { median: quantile(sorted, 0.5), scale: quantile(sorted, 0.75) - quantile(sorted, 0.25) };
    const b = baseline(values);
    expect(baseline(values)).toEqual(b);
    expect(Math.abs(b.median - full.median)).toBeLessThan(0.5);
    expect(Math.abs(b.scale - full.scale) / full.scale).toBeLessThan(0.1);
  });
});
