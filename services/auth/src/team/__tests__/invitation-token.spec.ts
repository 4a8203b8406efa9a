import { INVITATION_TOKEN_PREFIX, mintToken, parseToken } from '../../crypto/tokens';

describe('invitation tokens', () => {
  it('carry their tenant and their own prefix', () => {
    const tenant = '3f2a1b4c-5d6e-4f70-8a9b-0c1d2e3f4a5b';
    const t = mintToken(INVITATION_TOKEN_PREFIX, tenant);
    expect(t).toMatch(/^ops_inv_3f2a1b4c5d6e4f708a9b0c1d2e3f4a5b_[A-Za-z0-9_-]{40}$/);
    expect(parseToken(t)).toEqual({ prefix: INVITATION_TOKEN_PREFIX, tenantId: tenant });
    expect(parseToken(t.replace('ops_inv_', 'ops_invite_'))).toBeNull();
  });
});
