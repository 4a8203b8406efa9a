import { Logger } from '@nestjs/common';
import { Client } from 'pg';
import { loadConfig } from '@opsplane/config';
import { RpcSubject, systemActor } from '@opsplane/contracts';
import { GatewayConfig, RunningGateway, startGateway } from '@opsplane/gateway';
import { TEST_CP_JWT_SECRET, TEST_DATABASE_URL, TEST_JWT_SECRET, TEST_NATS_URL, TEST_OPERATOR } from '../support/env';
import { TestPlatform, TestTenant, TestUser } from '../support/platform';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * A removal, a token revocation, a suspension or a deletion is in force on every gateway before
 * the call that made it answers (two gateways here: the platform's, A, and another one, B, on
 * the same NATS; the changes are made through A and tried at once on B), and a deleted tenant's
 * writes in flight during its purge leave nothing behind.
 */
describe('access changes on every gateway', () => {
  let p: TestPlatform;
  let b: RunningGateway;
  let op: string;
  let db: Client;
  let t: TestTenant;

  /** Calls gateway B (the one that did not take the change). */
  const onB = async (method: string, path: string, token: string, tenant?: string, body?: unknown) => {
    const headers: Record<string, string> = { authorization: `Bearer ${token}` };
    if (tenant) headers['x-tenant-id'] = tenant;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const r = await fetch(`${b.url}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    return { status: r.status, body: (await r.json()) as any };
  };

  beforeAll(async () => {
    // A long API-token cache, so that only the broadcast can explain a refusal.
    p = await TestPlatform.start({ API_TOKEN_CACHE_MS: '60000', SUSPENSION_POLL_MS: '60000' });
    Logger.overrideLogger(['fatal']);
    b = await startGateway(
      loadConfig(GatewayConfig, {
        NODE_ENV: 'test',
        JWT_SECRET: TEST_JWT_SECRET,
        CP_JWT_SECRET: TEST_CP_JWT_SECRET,
        NATS_URL: TEST_NATS_URL,
        PORT: '0',
        HOST: '127.0.0.1',
        LOG_LEVEL: 'fatal',
        API_TOKEN_CACHE_MS: '60000',
        SUSPENSION_POLL_MS: '60000',
      }),
    );
    for (let i = 0; i < 50 && (await fetch(`${b.url}/health/ready`)).status !== 200; i++) await sleep(100);
    op = (await p.call('POST', '/cp/api/auth/token', { body: TEST_OPERATOR })).body.data.token;
    db = new Client({ connectionString: TEST_DATABASE_URL });
    await db.connect();
  });
  afterAll(async () => {
    await db.end();
    await b.close();
    await p.close();
  });
  beforeEach(async () => {
    t = await p.tenant();
  });

  const apiTokenOf = async (as: TestUser) =>
    (await t.call('POST', '/api/auth/tokens', { body: { name: 'script', permissions: ['read', 'write'] }, as })).body.data as { token: string; token_data: { id: string } };

  it("refuses a removed member's access token and API token on every gateway as soon as the removal answers", async () => {
    const member = await t.user('member');
    const api = await apiTokenOf(member);
    // B has checked (and cached) the API token, and knows the JWT.
    expect((await onB('GET', '/api/incidents', api.token)).status).toBe(200);
    expect((await onB('GET', '/api/incidents', member.token, t.id)).status).toBe(200);

    expect((await t.call('DELETE', `/api/team/${member.id}`)).status).toBe(200);
    const jwtRead = await onB('GET', '/api/incidents', member.token, t.id);
    const jwtWrite = await onB('POST', '/api/incidents', member.token, t.id, { title: 'after removal', severity: 'P3' });
    const apiWrite = await onB('POST', '/api/incidents', api.token, undefined, { title: 'after removal', severity: 'P3' });
    expect([jwtRead.status, jwtWrite.status, apiWrite.status]).toEqual([401, 401, 401]);
    expect(jwtRead.body.error).toBe('This credential has been revoked');
    expect((await t.call('GET', '/api/incidents')).body.data.total).toBe(0);
    // Gateway A too, and the owner is untouched.
    expect((await p.call('GET', '/api/incidents', { token: member.token, tenant: t.id })).status).toBe(401);
    expect((await onB('GET', '/api/incidents', t.owner.token, t.id)).status).toBe(200);
  });

  it('refuses a revoked or deleted API token on every gateway as soon as the call answers', async () => {
    const revoked = await apiTokenOf(t.owner);
    const deleted = await apiTokenOf(t.owner);
    expect((await onB('GET', '/api/incidents', revoked.token)).status).toBe(200);
    expect((await onB('GET', '/api/incidents', deleted.token)).status).toBe(200);
    expect((await t.call('POST', `/api/auth/tokens/${revoked.token_data.id}/revoke`)).status).toBe(200);
    expect((await t.call('DELETE', `/api/auth/tokens/${deleted.token_data.id}`)).status).toBe(200);
    expect((await onB('GET', '/api/incidents', revoked.token)).status).toBe(401);
    expect((await onB('GET', '/api/incidents', deleted.token)).status).toBe(401);
  });

  it('puts a suspension and a resumption in force on every gateway when the call answers', async () => {
    expect((await onB('GET', '/api/incidents', t.owner.token, t.id)).status).toBe(200);
    expect((await p.call('POST', `/cp/api/tenants/${t.id}/suspend`, { token: op })).status).toBe(200);
    const refused = await onB('POST', '/api/incidents', t.owner.token, t.id, { title: 'while suspended', severity: 'P3' });
    expect(refused).toMatchObject({ status: 403, body: { error: 'The tenant is suspended' } });
    expect((await p.call('POST', `/cp/api/tenants/${t.id}/resume`, { token: op })).status).toBe(200);
    expect((await onB('GET', '/api/incidents', t.owner.token, t.id)).status).toBe(200);
    expect((await t.call('GET', '/api/incidents')).body.data.total).toBe(0);
  });

  it('leaves nothing of a deleted tenant, even with writes in flight through both gateways during the purge', async () => {
    let stop = false;
    let written = 0;
    const seed = await t.incident({ title: 'seed' });
    const writer = (via: 'a' | 'b', n: number) =>
      (async () => {
        for (let i = 0; !stop; i++) {
          const body = i % 2 ? { title: `load ${via}${n}-${i}`, severity: 'P3' } : { body: `note ${via}${n}-${i}` };
          const path = i % 2 ? '/api/incidents' : `/api/incidents/${seed.id}/comments`;
          const r = via === 'a' ? await t.call('POST', path, { body }) : await onB('POST', path, t.owner.token, t.id, body);
          if (r.status === 201) written++;
          else if (r.status === 403 || r.status === 401) return;
        }
      })();
    const writers = [writer('a', 1), writer('a', 2), writer('b', 1), writer('b', 2)];
    while (written < 20) await sleep(20);

    const d = await p.call('DELETE', `/cp/api/tenants/${t.id}`, { token: op });
    expect(d.status).toBe(200);
    // In force on B the moment the deletion answered.
    expect((await onB('GET', '/api/incidents', t.owner.token, t.id)).status).toBe(403);
    stop = true;
    await Promise.all(writers);
    // A request that passed a gateway before the deletion and reaches its service only now (a
    // slow network): the service refuses it, since the tenant is fenced off for good.
    const late = p.platform.rpc.request(RpcSubject.IncidentsCreate, { tenant_id: t.id, actor: { ...systemActor(), auth_method: 'jwt', user_id: t.owner.id } }, { title: 'late', severity: 'P3' });
    await expect(late).rejects.toMatchObject({ code: 'FORBIDDEN', message: 'The tenant has been deleted' });
    // Stragglers and the audit consumer have had their chance.
    await sleep(2000);
    const left: Record<string, number> = {};
    const tables = (
      await db.query(`SELECT table_schema, table_name FROM information_schema.columns WHERE column_name = 'tenant_id' AND table_schema IN ('auth', 'incidents')`)
    ).rows as { table_schema: string; table_name: string }[];
    for (const x of tables) {
      const n = (await db.query(`SELECT count(*)::int AS n FROM "${x.table_schema}"."${x.table_name}" WHERE tenant_id = $1`, [t.id])).rows[0].n;
      if (n) left[`${x.table_schema}.${x.table_name}`] = n;
    }
    expect(left).toEqual({});
  }, 60_000);
});
