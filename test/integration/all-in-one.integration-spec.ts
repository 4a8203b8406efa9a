import { sign } from 'jsonwebtoken';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { TEST_OPERATOR } from '../support/env';
import { TestPlatform, TestTenant } from '../support/platform';

/** The development defaults earlier versions shipped in libs/config (public in the repository's history). */
const OLD_TENANT_DEFAULT = 'opsplane-development-secret-change-me-0123456789';
const OLD_CP_DEFAULT = 'opsplane-control-plane-development-secret-change-me';

/**
 * The all-in-one process as `npm start` runs it: no secret given, none published in the source;
 * it generates its own and keeps them with its data, and listens on loopback only.
 */
describe('the all-in-one process (npm start)', () => {
  let p: TestPlatform;
  let t: TestTenant;
  let secretsFile: string;

  beforeAll(async () => {
    secretsFile = join(mkdtempSync(join(tmpdir(), 'opsplane-data-')), 'secrets.json');
    p = await TestPlatform.start({}, { omit: ['JWT_SECRET', 'CP_JWT_SECRET', 'HOST'], secretsFile });
    t = await p.tenant();
  });
  afterAll(async () => {
    await p.close();
  });

  it('generates its secrets on first start and keeps them with its data, mode 0600', () => {
    const kept = JSON.parse(readFileSync(secretsFile, 'utf8'));
    expect(kept.JWT_SECRET).toMatch(/^[\w-]{43}$/);
    expect(kept.CP_JWT_SECRET).toMatch(/^[\w-]{43}$/);
    expect(kept.JWT_SECRET).not.toBe(kept.CP_JWT_SECRET);
    expect(statSync(secretsFile).mode & 0o777).toBe(0o600);
  });

  it('refuses tenant and operator tokens forged with the secrets earlier versions published', async () => {
    const forged = sign({ sub: randomUUID(), tid: t.id, email: 'mallory@example.com', role: 'owner', typ: 'access' }, OLD_TENANT_DEFAULT, {
      algorithm: 'HS256',
      issuer: 'opsplane-tenant-plane',
      audience: 'opsplane-api',
      expiresIn: 600,
    });
    expect((await p.call('GET', '/api/incidents', { token: forged, tenant: t.id })).status).toBe(401);
    expect((await p.call('POST', '/api/incidents', { token: forged, tenant: t.id, body: { title: 'forged', severity: 'P1' } })).status).toBe(401);
    const forgedOperator = sign({ sub: randomUUID(), email: 'mallory@example.com', typ: 'cp-access' }, OLD_CP_DEFAULT, {
      algorithm: 'HS256',
      issuer: 'opsplane-control-plane',
      audience: 'opsplane-cp',
      expiresIn: 600,
    });
    expect((await p.call('GET', '/cp/api/tenants', { token: forgedOperator })).status).toBe(401);
    // The real credentials work.
    expect((await t.call('GET', '/api/incidents')).status).toBe(200);
    const op = (await p.call('POST', '/cp/api/auth/token', { body: TEST_OPERATOR })).body.data.token;
    expect((await p.call('GET', '/cp/api/tenants', { token: op })).status).toBe(200);
  });

  it('listens on 127.0.0.1 unless HOST says otherwise', () => {
    const address = p.platform.gateway.app.getHttpServer().address();
    expect(address).toMatchObject({ address: '127.0.0.1' });
  });
});
