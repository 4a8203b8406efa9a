import { rankRootCauses } from '../rank';
import { FAULT_KINDS, FaultKind, generateCase, histogramQuantile, SyntheticOptions } from '../synthetic';

/** Share of generated cases whose faulty service is first, and within the top 3. */
function accuracy(kind: FaultKind, extra: Partial<SyntheticOptions>, n = 10): { top1: number; top3: number } {
  let top1 = 0;
  let top3 = 0;
  for (let seed = 1; seed <= n; seed++) {
    const g = generateCase({ seed: seed * 31, kind, services: 10, referenceSeconds: 120, windowSeconds: 120, ...extra });
    const order = rankRootCauses(g.rcaCase).candidates.map((c) => c.service);
    if (order[0] === g.label.service) top1++;
    if (order.slice(0, 3).includes(g.label.service)) top3++;
  }
  return { top1: top1 / n, top3: top3 / n };
}

describe('the engine on generated cases', () => {
  it('generates the same case for the same seed', () => {
    const o = { seed: 7, logs: true, spans: true, changes: true, topology: true };
    expect(generateCase(o)).toEqual(generateCase(o));
    expect(generateCase({ seed: 8 }).rcaCase.metrics).not.toEqual(generateCase({ seed: 7 }).rcaCase.metrics);
  });

  it.each(['cpu', 'mem', 'latency', 'delay'] as const)('ranks the faulty service first from metrics alone (%s faults), above the callers its effect reaches', (kind) => {
    const r = accuracy(kind, {});
    expect(r.top1).toBeGreaterThanOrEqual(0.9);
    expect(r.top3).toBe(1);
  });

  it.each(['error', 'loss'] as const)('keeps the faulty service in the top 3 from metrics alone when errors propagate (%s faults: error counts alone cannot tell cause from caller)', (kind) => {
    expect(accuracy(kind, {}).top3).toBe(1);
  });

  it.each(['cpu', 'mem', 'latency', 'error', 'delay'] as const)('ranks the faulty service first with logs and spans too (%s faults)', (kind) => {
    const r = accuracy(kind, { logs: true, spans: true, requestEvery: 2 });
    expect(r.top1).toBeGreaterThanOrEqual(0.9);
    expect(r.top3).toBe(1);
  });

  // Without client spans, a call lost on the way to the faulty service is an error that starts in its caller.
  it('keeps a service losing packets in the top 3 with server spans only, and first with client spans', () => {
    expect(accuracy('loss', { logs: true, spans: true, requestEvery: 2 }).top3).toBe(1);
    expect(accuracy('loss', { logs: true, spans: true, clientSpans: true, requestEvery: 2 }).top1).toBeGreaterThanOrEqual(0.9);
  });

  it.each(FAULT_KINDS)('ranks the faulty service first with client spans around every call (%s faults)', (kind) => {
    expect(accuracy(kind, { logs: true, spans: true, clientSpans: true, requestEvery: 2 }).top1).toBeGreaterThanOrEqual(0.9);
  });

  it.each(FAULT_KINDS)('ranks the faulty service first with changes and the topology given (%s faults)', (kind) => {
    const r = accuracy(kind, { logs: true, spans: true, changes: true, topology: true, requestEvery: 2 });
    expect(r.top1).toBe(1);
  });

  it.each(['cpu', 'mem', 'latency', 'error'] as const)('is not misled by a benign event in another service (%s faults)', (kind) => {
    expect(accuracy(kind, { logs: true, spans: true, decoy: true, requestEvery: 2 }).top1).toBeGreaterThanOrEqual(0.9);
  });

  // A network fault shows in one signal of the faulty service (its sidecar's latency, its retransmits): a benign
  // event with two signals elsewhere can outrank it, but not push it out of the top 3.
  it.each(['delay', 'loss'] as const)('keeps a network fault in the top 3 next to a benign event in another service (%s faults)', (kind) => {
    expect(accuracy(kind, { logs: true, spans: true, clientSpans: true, decoy: true, requestEvery: 2 }).top3).toBe(1);
  });

  // A code-level fault returns early without an error: no metric moves; the calls it makes and the line it writes for
  // every request stop while it goes on serving. Its spans have no status either.
  it('finds a code-level fault from the calls and log lines that stopped, with spans without status', () => {
    expect(accuracy('code', { logs: true, spans: true, noStatus: true, requestEvery: 2 }).top1).toBeGreaterThanOrEqual(0.9);
    expect(accuracy('code', { logs: true, spans: true, clientSpans: true, noStatus: true, requestEvery: 2 }).top1).toBeGreaterThanOrEqual(0.9);
  });

  it('finds where errors start from the log lines of each trace when spans carry no status', () => {
    expect(accuracy('error', { logs: true, spans: true, noStatus: true, requestEvery: 2 }).top1).toBeGreaterThanOrEqual(0.9);
  });

  // Two bystanders' p99, stuck on a histogram bucket, jump a bucket at the fault time: hundreds of reference spreads.
  it.each(['cpu', 'mem', 'latency', 'delay'] as const)('is not misled by histogram percentiles jumping a bucket in other services (%s faults)', (kind) => {
    expect(accuracy(kind, { percentiles: true }).top1).toBeGreaterThanOrEqual(0.9);
    expect(accuracy(kind, { percentiles: true, logs: true, spans: true, clientSpans: true, requestEvery: 2 }).top1).toBeGreaterThanOrEqual(0.9);
  });

  it('makes histogram percentiles the way Prometheus interpolates them', () => {
    expect(histogramQuantile(0.99, Array(50).fill(30))).toBeCloseTo(49.75, 5);
    expect(histogramQuantile(0.5, [1, 2, 3, 4, 60, 70, 80, 90])).toBe(5);
    // One request of fifty in the next bucket moves the p99 halfway up it.
    expect(histogramQuantile(0.99, [...Array(49).fill(30), 60])).toBeCloseTo(75, 5);
  });

  // Without spans of its own, the faulty service's time shows up as its callers' own time: the topology says who they call.
  it.each(FAULT_KINDS)('finds a faulty service that writes no spans, given the topology (%s faults)', (kind) => {
    expect(accuracy(kind, { logs: true, spans: true, uninstrumented: true, topology: true, requestEvery: 2 }).top1).toBeGreaterThanOrEqual(0.9);
  });
});
