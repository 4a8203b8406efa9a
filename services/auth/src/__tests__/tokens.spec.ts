import { API_TOKEN_PREFIX, displayPrefix, mintToken, parseToken, REFRESH_TOKEN_PREFIX, sha256 } from '../crypto/tokens';

describe('credentials', () => {
  const tenant = '3f2a1b4c-5d6e-4f70-8a9b-0c1d2e3f4a5b';

  it('mints tokens that carry their tenant and parse back', () => {
    const t = mintToken(API_TOKEN_PREFIX, tenant);
    expect(t.startsWith('ops_pat_')).toBe(true);
    expect(parseToken(t)).toEqual({ prefix: API_TOKEN_PREFIX, tenantId: tenant });
    expect(parseToken(mintToken(REFRESH_TOKEN_PREFIX, tenant))?.prefix).toBe(REFRESH_TOKEN_PREFIX);
  });

  it('rejects malformed tokens', () => {
    expect(parseToken('ops_pat_nothex_abc')).toBeNull();
    expect(parseToken('eyJhbGciOi.x.y')).toBeNull();
  });

  it('never reveals the secret in the display prefix', () => {
    const t = mintToken(API_TOKEN_PREFIX, tenant);
    const shown = displayPrefix(t);
    expect(shown.length).toBeLessThan(20);
    expect(t.includes(shown.replace('…', ''))).toBe(false);
    expect(sha256(t)).toHaveLength(64);
  });

});
