import { MemoryRateLimitStore } from '../memory-store';
import { decide } from '../rate-limit.decision';

describe(MemoryRateLimitStore.name, () => {
  let now: number;
  let sut: MemoryRateLimitStore;

  beforeEach(() => {
    now = 1_000_000;
    sut = new MemoryRateLimitStore(() => now, 10);
  });

  const hit = (credential: string, perCredential = 2, perTenant = 3) =>
    sut.hit(
      [
        { key: `c:${credential}`, limit: perCredential },
        { key: 't', limit: perTenant },
      ],
      60_000,
    );

  it('counts a request against every key, and a refused one against none', async () => {
    expect((await hit('a')).map((r) => r.allowed)).toEqual([true, true]);
    expect((await hit('a')).map((r) => r.allowed)).toEqual([true, true]);
    // a's own limit refuses: the tenant's budget is not spent.
    expect((await hit('a')).map((r) => r.allowed)).toEqual([false, true]);
    expect((await hit('b')).map((r) => r.allowed)).toEqual([true, true]);
    // The tenant's 3 are used (a: 2, b: 1): b is refused by the tenant limit.
    const r = await hit('b');
    expect(r.map((x) => x.allowed)).toEqual([true, false]);
    expect(r[1]).toMatchObject({ remaining: 0, retryAfterMs: 20_000 });
  });

  it('frees the window with time, and sweeps expired keys', async () => {
    await hit('a');
    await hit('a');
    expect((await hit('a'))[0].allowed).toBe(false);
    now += 30_000;
    expect((await hit('a'))[0].allowed).toBe(true);
    expect(sut.size).toBe(2);
    now += 120_000;
    sut.sweep();
    expect(sut.size).toBe(0);
  });

  it('sweeps on its own every N hits', async () => {
    for (let i = 0; i < 9; i++) await hit(`k${i}`, 100, 100);
    expect(sut.size).toBe(10);
    now += 120_000;
    await hit('z', 100, 100);
    expect(sut.size).toBe(2);
  });
});

describe(decide.name, () => {
  it('describes the limit with the fewest requests left when allowed', () => {
    const d = decide([
      { scope: 'credential', limit: 5, allowed: true, remaining: 4, resetMs: 12_000, retryAfterMs: 0 },
      { scope: 'tenant', limit: 8, allowed: true, remaining: 1, resetMs: 52_500, retryAfterMs: 0 },
    ]);
    expect(d).toMatchObject({ allowed: true, retryAfterS: 0, binding: { scope: 'tenant' } });
    expect(d.headers).toEqual({ 'x-ratelimit-limit': '8', 'x-ratelimit-remaining': '1', 'x-ratelimit-reset': '53' });
  });

  it('names the refusing limit with the longest wait, Retry-After rounded up to at least 1 s', () => {
    const d = decide([
      { scope: 'credential', limit: 5, allowed: false, remaining: 0, resetMs: 60_000, retryAfterMs: 11_001 },
      { scope: 'tenant', limit: 8, allowed: false, remaining: 0, resetMs: 60_000, retryAfterMs: 3_000 },
    ]);
    expect(d).toMatchObject({ allowed: false, retryAfterS: 12, binding: { scope: 'credential' } });
    expect(decide([{ scope: 'tenant', limit: 3000, allowed: false, remaining: 0, resetMs: 60_000, retryAfterMs: 20 }]).retryAfterS).toBe(1);
  });
});
