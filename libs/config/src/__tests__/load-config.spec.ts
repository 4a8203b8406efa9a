import { ControlPlaneJwtConfig, JwtConfig } from '../common-config';
import { ConfigError, describeConfig, loadConfig } from '../load-config';

describe(loadConfig.name, () => {
  it('applies defaults and converts types', () => {
    const c = loadConfig(JwtConfig, { RPC_TIMEOUT_MS: '1500' });
    expect(c.RPC_TIMEOUT_MS).toBe(1500);
    expect(c.JWT_ACCESS_TTL_S).toBe(900);
  });

  it('fails at boot naming every bad variable', () => {
    expect(() => loadConfig(JwtConfig, { RPC_TIMEOUT_MS: 'soon', JWT_SECRET: 'short', LOG_LEVEL: 'chatty' })).toThrow(ConfigError);
    try {
      loadConfig(JwtConfig, { RPC_TIMEOUT_MS: 'soon', JWT_SECRET: 'short', LOG_LEVEL: 'chatty' });
    } catch (e) {
      expect(String(e)).toMatch(/RPC_TIMEOUT_MS/);
      expect(String(e)).toMatch(/JWT_SECRET must be at least 32 characters/);
      expect(String(e)).toMatch(/LOG_LEVEL/);
    }
  });

  it('refuses the public development JWT secret in production', () => {
    expect(() => loadConfig(JwtConfig, { NODE_ENV: 'production' })).toThrow(/JWT_SECRET must be set in production/);
    expect(loadConfig(JwtConfig, { NODE_ENV: 'production', JWT_SECRET: 'x'.repeat(40) }).JWT_SECRET).toHaveLength(40);
    expect(loadConfig(ControlPlaneJwtConfig, { NODE_ENV: 'production', JWT_SECRET: 'x'.repeat(40), CP_JWT_SECRET: 'y'.repeat(40) }).CP_JWT_SECRET).toHaveLength(40);
    expect(() => loadConfig(ControlPlaneJwtConfig, { NODE_ENV: 'production', JWT_SECRET: 'x'.repeat(40) })).toThrow(/CP_JWT_SECRET must be set in production/);
  });

  it('masks secrets when describing the config', () => {
    const d = describeConfig(loadConfig(JwtConfig, { DATABASE_URL: 'postgres://u:p@h/db' }));
    expect(d.JWT_SECRET).toBe('***');
    expect(d.DATABASE_URL).toBe('***');
    expect(d.JWT_ISSUER).toBe('opsplane-tenant-plane');
  });
});
