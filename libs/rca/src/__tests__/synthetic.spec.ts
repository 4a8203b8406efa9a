import { rankRootCauses } from '../rank';
import { generateCase } from '../synthetic';

describe('the engine on generated cases', () => {
  it('generates the same case for the same seed', () => {
    expect(generateCase({ seed: 7 })).toEqual(generateCase({ seed: 7 }));
    expect(generateCase({ seed: 8 }).rcaCase.metrics).not.toEqual(generateCase({ seed: 7 }).rcaCase.metrics);
  });

  it.each(['cpu', 'mem', 'latency'] as const)('ranks the faulty service first for %s faults, above the callers its latency reaches', (kind) => {
    let top1 = 0;
    let top3 = 0;
    const n = 12;
    for (let seed = 1; seed <= n; seed++) {
      const g = generateCase({ seed: seed * 31, kind, services: 10, referenceSeconds: 120, windowSeconds: 120 });
      const order = rankRootCauses(g.rcaCase).candidates.map((c) => c.service);
      if (order[0] === g.label.service) top1++;
      if (order.slice(0, 3).includes(g.label.service)) top3++;
    }
    expect(top1 / n).toBeGreaterThanOrEqual(0.9);
    expect(top3 / n).toBe(1);
  });
});
