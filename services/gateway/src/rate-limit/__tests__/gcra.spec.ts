import { gcraStep } from '../gcra';

const MIN = 60_000;

/** Runs `n` requests at `now` against one key, storing the TAT only when allowed (as the stores do). */
function burst(n: number, limit: number, now = 0, start?: number) {
  let tat = start;
  const steps = [];
  for (let i = 0; i < n; i++) {
    const s = gcraStep(tat, now, limit, MIN);
    if (s.allowed) tat = s.tat;
    steps.push(s);
  }
  return { steps, tat };
}

describe(gcraStep.name, () => {
  it('allows a burst of exactly `limit` requests, counting remaining down to 0, and refuses the next', () => {
    const { steps } = burst(6, 5);
    expect(steps.map((s) => s.allowed)).toEqual([true, true, true, true, true, false]);
    expect(steps.slice(0, 5).map((s) => s.remaining)).toEqual([4, 3, 2, 1, 0]);
    expect(steps[5]).toMatchObject({ remaining: 0, retryAfterMs: 12_000, resetMs: 60_000 });
  });

  it('is exact for limits that do not divide the period (no float drift)', () => {
    for (const limit of [3, 7, 11, 600, 3000, 9999]) {
      const { steps } = burst(limit + 1, limit);
      expect(steps.filter((s) => s.allowed)).toHaveLength(limit);
      expect(steps[limit - 1]).toMatchObject({ allowed: true, remaining: 0 });
      expect(steps[limit].allowed).toBe(false);
    }
  });

  it('frees one request per period/limit, and the whole limit after a period', () => {
    const { tat } = burst(5, 5, 0);
    expect(gcraStep(tat, 11_999, 5, MIN)).toMatchObject({ allowed: false, retryAfterMs: 1 });
    expect(gcraStep(tat, 12_000, 5, MIN)).toMatchObject({ allowed: true, remaining: 0 });
    expect(burst(6, 5, 60_000, tat).steps.map((s) => s.allowed)).toEqual([true, true, true, true, true, false]);
  });

  it('treats a TAT in the past like a fresh key', () => {
    expect(gcraStep(1_000, 500_000, 5, MIN)).toEqual(gcraStep(undefined, 500_000, 5, MIN));
  });

  it('reports when the whole limit is back', () => {
    expect(gcraStep(undefined, 0, 5, MIN)).toMatchObject({ allowed: true, remaining: 4, resetMs: 12_000, retryAfterMs: 0 });
    expect(gcraStep(undefined, 0, 1, MIN)).toMatchObject({ allowed: true, remaining: 0, resetMs: 60_000 });
  });
});
