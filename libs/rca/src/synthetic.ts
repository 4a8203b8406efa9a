import { MetricPoint, RcaCase } from './case';

/** A small seeded PRNG (mulberry32): the same seed, the same case. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export type FaultKind = 'cpu' | 'mem' | 'latency';

export interface SyntheticOptions {
  seed: number;
  services?: number;
  kind?: FaultKind;
  /** Seconds of reference and of incident window (1 s steps). */
  referenceSeconds?: number;
  windowSeconds?: number;
}

export interface SyntheticCase {
  rcaCase: RcaCase;
  label: { service: string; kind: FaultKind };
  /** caller → callees */
  calls: Record<string, string[]>;
}

/**
 * A labelled case of our own: services on a call tree under a front end, each with cpu, memory
 * and latency series with noise; a fault of the chosen kind starts in one service at the fault
 * time and its latency effect propagates, attenuated, to every caller up the tree.
 */
export function generateCase(o: SyntheticOptions): SyntheticCase {
  const rnd = prng(o.seed);
  const n = Math.max(3, o.services ?? 8);
  const kinds: FaultKind[] = ['cpu', 'mem', 'latency'];
  const kind = o.kind ?? kinds[Math.floor(rnd() * kinds.length)];
  const names = ['front-end', ...Array.from({ length: n - 1 }, (_, i) => `svc-${String.fromCharCode(97 + (i % 26))}${i >= 26 ? i : ''}`)];
  const parent: Record<string, string | null> = { 'front-end': null };
  const calls: Record<string, string[]> = Object.fromEntries(names.map((s) => [s, []]));
  for (let i = 1; i < names.length; i++) {
    const p = names[Math.floor(rnd() * i)];
    parent[names[i]] = p;
    calls[p].push(names[i]);
  }
  const root = names[1 + Math.floor(rnd() * (names.length - 1))];
  const refLen = o.referenceSeconds ?? 300;
  const winLen = o.windowSeconds ?? 300;
  const t0 = 1_700_000_000;
  const windowStart = t0 + refLen + 3600;
  const faultTime = windowStart + Math.floor(winLen / 3);
  const base = Object.fromEntries(names.map((s) => [s, { cpu: 10 + rnd() * 30, mem: 200 + rnd() * 800, lat: 20 + rnd() * 80 }]));
  const gauss = () => (rnd() + rnd() + rnd() + rnd() - 2) / 2; // ~N(0, 0.4)

  /** The extra latency of each service at time t: its own, plus an attenuated share of its callees'. */
  const extraLatency = (s: string, t: number): number => {
    const own = kind === 'latency' && s === root && t >= faultTime ? 3 * base[s].lat : kind === 'cpu' && s === root && t >= faultTime ? 1.5 * base[s].lat : 0;
    return own + calls[s].reduce((a, c) => a + 0.35 * extraLatency(c, t), 0);
  };

  const metrics: MetricPoint[] = [];
  const emit = (t: number) => {
    for (const s of names) {
      const b = base[s];
      const faulty = s === root && t >= faultTime;
      const cpu = b.cpu * (1 + 0.05 * gauss()) + (faulty && kind === 'cpu' ? 60 : 0);
      const mem = b.mem * (1 + 0.01 * gauss()) + (faulty && kind === 'mem' ? 4 * (t - faultTime) : 0);
      const lat = b.lat * (1 + 0.05 * gauss()) + extraLatency(s, t);
      metrics.push({ timestamp: t, service: s, metric: 'cpu', value: cpu }, { timestamp: t, service: s, metric: 'memory', value: mem }, { timestamp: t, service: s, metric: 'latency_p90', value: lat });
    }
  };
  for (let t = t0; t < t0 + refLen; t++) emit(t);
  for (let t = windowStart; t < windowStart + winLen; t++) emit(t);
  return {
    rcaCase: { id: `synthetic-${o.seed}-${kind}`, fault_time: faultTime, window: { start: windowStart, end: windowStart + winLen - 1 }, reference: { start: t0, end: t0 + refLen - 1 }, metrics },
    label: { service: root, kind },
    calls,
  };
}
