import { Logger } from '@nestjs/common';
import { loadConfig } from '@opsplane/config';
import { GatewayConfig, RunningGateway, startGateway } from '@opsplane/gateway';
import { Redis } from 'ioredis';
import { TEST_CP_JWT_SECRET, TEST_JWT_SECRET, TEST_NATS_URL, TEST_REDIS_URL } from '../support/env';
import { ApiResponse, TestPlatform } from '../support/platform';

const PER_CREDENTIAL = 5;
const PER_TENANT = 8;
const LIMITS = { RATE_LIMIT_PER_CREDENTIAL_PER_MIN: String(PER_CREDENTIAL), RATE_LIMIT_PER_TENANT_PER_MIN: String(PER_TENANT) };

/** One more gateway process-equivalent (its own Nest app, Fastify server, NATS and Redis clients). */
function gatewayConfig(env: Record<string, string>): GatewayConfig {
  return loadConfig(GatewayConfig, { NODE_ENV: 'test', JWT_SECRET: TEST_JWT_SECRET, CP_JWT_SECRET: TEST_CP_JWT_SECRET, NATS_URL: TEST_NATS_URL, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'fatal', ...LIMITS, ...env });
}

async function callAt(baseUrl: string, path: string, token: string, tenant: string): Promise<ApiResponse> {
  const res = await fetch(`${baseUrl}${path}`, { headers: { authorization: `Bearer ${token}`, 'x-tenant-id': tenant } });
  return { status: res.status, body: await res.json(), headers: res.headers };
}

function expectRateLimited(r: ApiResponse, limit: 'credential' | 'tenant', maxRetryS: number) {
  expect(r.status).toBe(429);
  expect(r.body).toMatchObject({
    error: expect.stringContaining(limit === 'credential' ? 'this credential' : 'this tenant'),
    code: 'RATE_LIMIT',
    trace_id: expect.stringMatching(/^[0-9a-f]{32}$/),
    details: { limit },
  });
  const retry = Number(r.headers.get('retry-after'));
  expect(retry).toBeGreaterThanOrEqual(1);
  expect(retry).toBeLessThanOrEqual(maxRetryS);
  expect(r.headers.get('x-ratelimit-remaining')).toBe('0');
}

describe('rate limits', () => {
  let p: TestPlatform;
  let redis: Redis;

  beforeAll(async () => {
    p = await TestPlatform.start(LIMITS);
    redis = new Redis(TEST_REDIS_URL);
  });
  afterAll(async () => {
    await redis.quit();
    await p.close();
  });

  it('passes requests within the credential limit with the headers, and answers 429 at exactly limit+1', async () => {
    const t = await p.tenant();
    for (let i = 1; i <= PER_CREDENTIAL; i++) {
      const r = await t.call('GET', '/api/incidents');
      expect(r.status).toBe(200);
      expect(r.headers.get('x-ratelimit-limit')).toBe(String(PER_CREDENTIAL));
      expect(r.headers.get('x-ratelimit-remaining')).toBe(String(PER_CREDENTIAL - i));
      const reset = Number(r.headers.get('x-ratelimit-reset'));
      expect(reset).toBeGreaterThan(0);
      expect(reset).toBeLessThanOrEqual(60);
    }
    // 60 s / 5 per minute: one more request is allowed within 12 s.
    expectRateLimited(await t.call('GET', '/api/incidents'), 'credential', 12);
    // A refused request is not counted: still refused, still within 12 s.
    expectRateLimited(await t.call('POST', '/api/incidents', { body: { title: 'x' } }), 'credential', 12);

    // The keys are prefixed and expire.
    const ttl = await redis.pttl(`opsplane:rl:{${t.id}}:t`);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(60_000);
    expect(await redis.pttl(`opsplane:rl:{${t.id}}:c:usr:${t.owner.id}`)).toBeGreaterThan(0);

    // Public routes are not counted and carry no rate-limit headers.
    const live = await p.call('GET', '/health/live');
    expect(live.status).toBe(200);
    expect(live.headers.get('x-ratelimit-limit')).toBeNull();
    await expect(t.login(t.owner.email, t.owner.password)).resolves.toMatchObject({ id: t.owner.id });
    const refreshed = await p.call('POST', '/api/auth/refresh', { tenant: t.id, body: { refresh_token: t.owner.refresh_token } });
    expect(refreshed.status).toBe(200);
    expect((await p.call('GET', '/api/docs/openapi.json')).status).toBe(200);
  });

  it("limits each credential on its own, and the tenant across all of them; other tenants are unaffected", async () => {
    const t = await p.tenant();
    const other = await p.tenant();
    const member = await t.user('member');
    const admin = await t.user('admin');
    for (let i = 0; i < PER_CREDENTIAL; i++) expect((await t.call('GET', '/api/incidents')).status).toBe(200);
    expectRateLimited(await t.call('GET', '/api/incidents'), 'credential', 12);

    // The member is a second credential: the owner's limit does not touch it...
    for (let i = 0; i < PER_TENANT - PER_CREDENTIAL; i++) {
      const r = await t.call('GET', '/api/incidents', { as: member });
      expect(r.status).toBe(200);
      // ...but the tenant's budget is the tighter one now, and the headers say so.
      expect(r.headers.get('x-ratelimit-limit')).toBe(String(PER_TENANT));
      expect(r.headers.get('x-ratelimit-remaining')).toBe(String(PER_TENANT - PER_CREDENTIAL - i - 1));
    }
    // The tenant has had PER_TENANT requests from two credentials: the member (3 of its 5) and a
    // fresh admin are refused by the tenant limit.
    expectRateLimited(await t.call('GET', '/api/incidents', { as: member }), 'tenant', Math.ceil(60 / PER_TENANT));
    expectRateLimited(await t.call('GET', '/api/incidents', { as: admin }), 'tenant', Math.ceil(60 / PER_TENANT));

    const r = await other.call('GET', '/api/incidents');
    expect(r.status).toBe(200);
    expect(r.headers.get('x-ratelimit-remaining')).toBe(String(PER_CREDENTIAL - 1));
  });

  it('counts an API token as its own credential', async () => {
    const t = await p.tenant();
    const created = await t.call('POST', '/api/auth/tokens', { body: { name: 'ci', permissions: ['read'] } });
    expect(created.status).toBe(201);
    const token = { token: created.body.data.token as string };
    for (let i = 1; i <= PER_CREDENTIAL; i++) {
      const r = await p.call('GET', '/api/incidents', { token: token.token });
      expect(r.status).toBe(200);
      expect(r.headers.get('x-ratelimit-remaining')).toBe(String(PER_CREDENTIAL - i));
    }
    expectRateLimited(await p.call('GET', '/api/incidents', { token: token.token }), 'credential', 12);
    // The owner (same user, by JWT) has used 1 request: the token's limit is not the user's.
    const owner = await t.call('GET', '/api/incidents');
    expect(owner.status).toBe(200);
    expect(owner.headers.get('x-ratelimit-remaining')).toBe(String(PER_TENANT - PER_CREDENTIAL - 2));
  });

  describe('across two gateways on the same NATS and Redis', () => {
    let second: RunningGateway;

    beforeAll(async () => {
      second = await startGateway(gatewayConfig({ REDIS_URL: TEST_REDIS_URL }));
    });
    afterAll(async () => {
      await second.close();
    });

    it('counts the requests of both together', async () => {
      const t = await p.tenant();
      const urls = [p.url, second.url];
      for (let i = 1; i <= PER_CREDENTIAL; i++) {
        const r = await callAt(urls[i % 2], '/api/incidents', t.owner.token, t.id);
        expect(r.status).toBe(200);
        expect(r.headers.get('x-ratelimit-remaining')).toBe(String(PER_CREDENTIAL - i));
      }
      // Each gateway alone has seen at most 3 requests; together they have seen 5.
      expectRateLimited(await callAt(urls[(PER_CREDENTIAL + 1) % 2], '/api/incidents', t.owner.token, t.id), 'credential', 12);
      expectRateLimited(await callAt(urls[PER_CREDENTIAL % 2], '/api/incidents', t.owner.token, t.id), 'credential', 12);
    });
  });

  describe('when Redis is down', () => {
    let noRedis: RunningGateway;

    beforeAll(async () => {
      Logger.overrideLogger(['fatal']);
      // Nothing listens on port 1: every limiter call fails at once.
      noRedis = await startGateway(gatewayConfig({ REDIS_URL: 'redis://127.0.0.1:1' }));
    });
    afterAll(async () => {
      await noRedis.close();
      Logger.overrideLogger(['error', 'fatal']);
    });

    it('lets requests through (fail open) and reports the limiter degraded but ready', async () => {
      const t = await p.tenant();
      for (let i = 0; i < PER_CREDENTIAL + 2; i++) {
        const r = await callAt(noRedis.url, '/api/incidents', t.owner.token, t.id);
        expect(r.status).toBe(200);
        expect(r.headers.get('x-ratelimit-limit')).toBeNull();
      }
      const ready = await fetch(`${noRedis.url}/health/ready`);
      expect(ready.status).toBe(200);
      await expect(ready.json()).resolves.toMatchObject({ data: { status: 'degraded', checks: { auth: 'ok', incidents: 'ok', rate_limit: 'degraded' } } });
      const shared = await p.call('GET', '/health/ready');
      expect(shared.body).toMatchObject({ data: { status: 'ok', checks: { rate_limit: 'ok' } } });
    });
  });
});
