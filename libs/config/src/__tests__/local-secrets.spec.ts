import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '../load-config';
import { LOCAL_SECRETS, withLocalSecrets } from '../local-secrets';

const fresh = () => join(mkdtempSync(join(tmpdir(), 'opsplane-secrets-')), 'data', 'secrets.json');

describe(withLocalSecrets.name, () => {
  it('generates every missing secret on first start and keeps them, readable by the owner only', () => {
    const file = fresh();
    const first = withLocalSecrets({ NODE_ENV: 'development' }, file);
    for (const k of LOCAL_SECRETS) expect(first[k]).toMatch(/^[\w-]{43}$/);
    expect(new Set(LOCAL_SECRETS.map((k) => first[k])).size).toBe(LOCAL_SECRETS.length);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const again = withLocalSecrets({}, file);
    for (const k of LOCAL_SECRETS) expect(again[k]).toBe(first[k]);
  });

  it('lets the environment win, and does not write what it was given', () => {
    const file = fresh();
    const env = withLocalSecrets({ JWT_SECRET: 'from-the-environment-0123456789-0123' }, file);
    expect(env.JWT_SECRET).toBe('from-the-environment-0123456789-0123');
    expect(JSON.parse(readFileSync(file, 'utf8')).JWT_SECRET).toBeUndefined();
  });

  it('generates nothing in production: a missing secret stops the start', () => {
    expect(() => withLocalSecrets({ NODE_ENV: 'production', DATABASE_URL: 'postgres://x' }, fresh())).toThrow(ConfigError);
    expect(() => withLocalSecrets({ NODE_ENV: 'production', DATABASE_URL: 'postgres://x' }, fresh())).toThrow(/JWT_SECRET, CP_JWT_SECRET, DATABASE_APP_PASSWORD/);
    const given = { NODE_ENV: 'production', DATABASE_URL: 'postgres://x', JWT_SECRET: 'a', CP_JWT_SECRET: 'b', DATABASE_APP_PASSWORD: 'c' };
    expect(withLocalSecrets(given, fresh())).toEqual(given);
  });

  it('says what to do with a damaged secrets file instead of replacing it', () => {
    const file = fresh();
    withLocalSecrets({}, file);
    writeFileSync(file, '{not json');
    expect(() => withLocalSecrets({}, file)).toThrow(/not valid JSON/);
  });
});
