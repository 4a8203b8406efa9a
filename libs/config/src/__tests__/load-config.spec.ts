import { CommonConfig, ControlPlaneJwtConfig, JwtConfig, PUBLIC_SECRET_VALUES } from '../common-config';
import { ConfigError, describeConfig, loadConfig } from '../load-config';

const SECRETS = { JWT_SECRET: 'j'.repeat(40), CP_JWT_SECRET: 'c'.repeat(40), DATABASE_APP_PASSWORD: 'app-password-1' };

describe(loadConfig.name, () => {
  it('applies defaults and converts types', () => {
    const c = loadConfig(JwtConfig, { ...SECRETS, RPC_TIMEOUT_MS: '1500' });
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

  it('checks the standard OpenTelemetry, logging and metrics settings and names the bad ones', () => {
    const ok = loadConfig(CommonConfig, { ...SECRETS, OTEL_TRACES_EXPORTER: 'otlp,console', OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json', OTEL_TRACES_SAMPLER: 'parentbased_traceidratio', OTEL_TRACES_SAMPLER_ARG: '0.25', METRICS_PORT: '9464', LOG_FORMAT: 'json' });
    expect(ok).toMatchObject({ OTEL_TRACES_SAMPLER_ARG: 0.25, METRICS_PORT: 9464, METRICS_HOST: '127.0.0.1' });
    const bad = { OTEL_TRACES_EXPORTER: 'jaeger', OTEL_EXPORTER_OTLP_PROTOCOL: 'udp', OTEL_TRACES_SAMPLER_ARG: '2', METRICS_PORT: '70000', METRICS_HOST: 'everywhere', LOG_FORMAT: 'xml' };
    expect(() => loadConfig(CommonConfig, { ...SECRETS, ...bad })).toThrow(ConfigError);
    try {
      loadConfig(CommonConfig, { ...SECRETS, ...bad });
    } catch (e) {
      for (const name of Object.keys(bad)) expect(String(e)).toContain(name);
    }
  });

  it('has no default for any secret: each must be given, in every environment', () => {
    for (const NODE_ENV of ['development', 'test', 'production']) {
      expect(() => loadConfig(ControlPlaneJwtConfig, { NODE_ENV })).toThrow(/CP_JWT_SECRET is required[\s\S]*JWT_SECRET: JWT_SECRET is required/);
      expect(() => loadConfig(CommonConfig, { NODE_ENV })).toThrow(/DATABASE_APP_PASSWORD is required/);
    }
    expect(loadConfig(ControlPlaneJwtConfig, { NODE_ENV: 'production', ...SECRETS }).CP_JWT_SECRET).toHaveLength(40);
    // A runtime role named by DATABASE_APP_URL needs no password of the platform's.
    expect(loadConfig(CommonConfig, { DATABASE_APP_URL: 'postgres://role@db/x' }).DATABASE_APP_PASSWORD).toBeUndefined();
  });

  it('refuses in production the secrets published in this repository', () => {
    for (const published of PUBLIC_SECRET_VALUES.filter((v) => v.length >= 32)) {
      expect(() => loadConfig(JwtConfig, { NODE_ENV: 'production', ...SECRETS, JWT_SECRET: published })).toThrow(/JWT_SECRET is a value published/);
    }
    expect(() => loadConfig(CommonConfig, { NODE_ENV: 'production', DATABASE_APP_PASSWORD: 'opsplane-app-dev' })).toThrow(/DATABASE_APP_PASSWORD is a value published/);
  });

  it('refuses the same secret for both planes', () => {
    expect(() => loadConfig(ControlPlaneJwtConfig, { ...SECRETS, CP_JWT_SECRET: SECRETS.JWT_SECRET })).toThrow(/CP_JWT_SECRET must differ from JWT_SECRET/);
  });

  it('masks secrets when describing the config', () => {
    const d = describeConfig(loadConfig(JwtConfig, { ...SECRETS, DATABASE_URL: 'postgres://u:p@h/db' }));
    expect(d.JWT_SECRET).toBe('***');
    expect(d.DATABASE_URL).toBe('***');
    expect(d.DATABASE_APP_PASSWORD).toBe('***');
    expect(d.JWT_ISSUER).toBe('opsplane-tenant-plane');
  });
});
