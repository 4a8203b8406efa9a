import { Coalescer } from '../coalesce';

/** Concurrent requests for one key share computations, never one that started before they asked. */
describe('Coalescer', () => {
  const deferred = () => {
    let resolve!: (v: number) => void;
    const promise = new Promise<number>((r) => (resolve = r));
    return { promise, resolve };
  };

  it('runs one computation at a time per key; requests arriving meanwhile share the next one', async () => {
    const c = new Coalescer<number>();
    const runs: ReturnType<typeof deferred>[] = [];
    const compute = () => {
      const d = deferred();
      runs.push(d);
      return d.promise;
    };
    const first = c.run('t', compute);
    const second = c.run('t', compute);
    const third = c.run('t', compute);
    const other = c.run('u', compute);
    expect(runs).toHaveLength(2); // t's first, u's
    runs[0].resolve(1);
    expect(await first).toBe(1);
    await new Promise((r) => setImmediate(r));
    expect(runs).toHaveLength(3); // t's second: started after the first ended
    runs[2].resolve(2);
    expect([await second, await third]).toEqual([2, 2]);
    runs[1].resolve(9);
    expect(await other).toBe(9);
    // Idle again: a new request starts at once.
    const fourth = c.run('t', compute);
    expect(runs).toHaveLength(4);
    runs[3].resolve(4);
    expect(await fourth).toBe(4);
  });

  it('a failed computation fails its requests only; the next runs', async () => {
    const c = new Coalescer<number>();
    let n = 0;
    const results = await Promise.allSettled([c.run('t', () => (n++ === 0 ? Promise.reject(new Error('boom')) : Promise.resolve(n))), c.run('t', () => Promise.resolve(++n))]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'fulfilled']);
  });
});
