import { Logger } from '@nestjs/common';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { RpcSubject } from '@opsplane/contracts';
import { loadConfig } from '@opsplane/config';
import { GatewayConfig, RunningGateway, startGateway } from '@opsplane/gateway';
import { InProcessBus } from '@opsplane/messaging';
import { TEST_CP_JWT_SECRET, TEST_JWT_SECRET } from '../support/env';
import { TestPlatform, TestTenant } from '../support/platform';

describe('gateway', () => {
  let p: TestPlatform;
  let t: TestTenant;

  beforeAll(async () => {
    p = await TestPlatform.start({ BODY_LIMIT_BYTES: '4096' });
    t = await p.tenant();
  });
  afterAll(async () => {
    await p.close();
  });

  it('answers liveness, and readiness only with every service and database behind it', async () => {
    const live = await p.call('GET', '/health/live');
    expect(live).toMatchObject({ status: 200, body: { data: { status: 'ok' } } });
    const ready = await p.call('GET', '/health/ready');
    expect(ready).toMatchObject({ status: 200, body: { data: { status: 'ok', checks: { 'control-plane': 'ok', auth: 'ok', incidents: 'ok' } } } });
  });

  it('wraps every error in the envelope with a trace id, and echoes the request id', async () => {
    const nf = await t.call('GET', '/api/no-such-route', { headers: { 'x-request-id': 'req-123' } });
    expect(nf.status).toBe(404);
    expect(nf.body).toEqual({ error: 'Route not found', code: 'NOT_FOUND', trace_id: expect.stringMatching(/^[0-9a-f]{32}$/) });
    expect(nf.headers.get('x-request-id')).toBe('req-123');
  });

  it('caps the body size (413) and refuses non-JSON bodies (422), writing nothing', async () => {
    const big = await t.call('POST', '/api/incidents', { body: { title: 'x', description: 'y'.repeat(8000) } });
    expect(big.status).toBe(413);
    expect(big.body.code).toBe('PAYLOAD_TOO_LARGE');
    const text = await t.call('POST', '/api/incidents', { rawBody: 'title=x', headers: { 'content-type': 'text/plain' } });
    expect(text.status).toBe(422);
    expect(text.body.code).toBe('VALIDATION_ERROR');
    expect((await t.call('GET', '/api/incidents')).body.data.total).toBe(0);
  });

  it('publishes an OpenAPI document describing every route with its schemas', async () => {
    const doc = await p.call('GET', '/api/docs/openapi.json');
    expect(doc.status).toBe(200);
    const paths = doc.body.paths as Record<string, Record<string, unknown>>;
    const routes = Object.entries(paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`));
    expect(routes).toEqual(
      expect.arrayContaining([
        'POST /api/auth/token',
        'POST /api/auth/refresh',
        'GET /api/auth/me',
        'GET /api/auth/tokens',
        'POST /api/auth/tokens',
        'PUT /api/auth/tokens',
        'DELETE /api/auth/tokens',
        'GET /api/incidents',
        'POST /api/incidents',
        'GET /api/incidents/{id}',
        'PATCH /api/incidents/{id}',
        'PUT /api/incidents/{id}',
        'GET /api/incidents/{id}/comments',
        'POST /api/incidents/{id}/comments',
        'GET /api/incidents/{id}/timeline',
        'GET /health/live',
        'GET /health/ready',
      ]),
    );
    const schemas = doc.body.components.schemas;
    expect(schemas.CreateIncidentDto.properties.severity.enum).toEqual(['P1', 'P2', 'P3', 'P4']);
    expect(schemas.CreateIncidentDto.required).toContain('title');
    expect(schemas.IncidentView.properties.reference).toBeDefined();
    // Nullable fields are nullable; public routes need no credential; the document is the one in docs/.
    expect(schemas.IncidentView.properties.assigned_to.type).toEqual(['string', 'null']);
    expect(schemas.IncidentView.required).toEqual(expect.arrayContaining(['id', 'reference', 'status', 'assigned_to']));
    expect((paths['/api/auth/token'].post as { security: unknown[] }).security).toEqual([]);
    expect((paths['/api/incidents'].get as { security: unknown[] }).security).toEqual([{ tenantJwt: [] }, { apiToken: [] }]);
    expect(doc.body).toEqual(JSON.parse(readFileSync(join(__dirname, '..', '..', 'docs', 'openapi.json'), 'utf8')));
    const post = paths['/api/incidents'].post as { requestBody: { content: Record<string, { schema: { $ref: string } }> } };
    expect(post.requestBody.content['application/json'].schema.$ref).toBe('#/components/schemas/CreateIncidentDto');
    const list = paths['/api/incidents'].get as { parameters: { name: string }[] };
    expect(list.parameters.map((x) => x.name)).toEqual(expect.arrayContaining(['status', 'severity', 'priority', 'q', 'limit', 'offset', 'sort']));
    const ui = await p.call('GET', '/api/docs');
    expect(ui.status).toBe(200);
  });

  describe('when a service does not answer', () => {
    let lone: RunningGateway;
    // The gateway's own needs (who is shut out) are answered; no service is behind it otherwise.
    const statuses = async () => ({ status: 'ok', value: { suspended: [], statuses: {} } });
    const revocations = async () => ({ status: 'ok', value: { users: [] } });

    beforeAll(async () => {
      // A gateway on the in-process transport with no service behind it (the NATS platform above registers none in-process).
      Logger.overrideLogger(['fatal']);
      InProcessBus.register(RpcSubject.CpTenantStatuses, statuses);
      InProcessBus.register(RpcSubject.AuthAccessRevocations, revocations);
      const config = loadConfig(GatewayConfig, { NODE_ENV: 'test', JWT_SECRET: TEST_JWT_SECRET, CP_JWT_SECRET: TEST_CP_JWT_SECRET, PORT: '0', HOST: '127.0.0.1', RPC_TIMEOUT_MS: '300', LOG_LEVEL: 'fatal' });
      lone = await startGateway(config);
    });
    afterAll(async () => {
      await lone.close();
      InProcessBus.unregister(RpcSubject.CpTenantStatuses, statuses);
      InProcessBus.unregister(RpcSubject.AuthAccessRevocations, revocations);
    });

    const get = (path: string) =>
      fetch(`${lone.url}${path}`, { headers: { authorization: `Bearer ${t.owner.token}`, 'x-tenant-id': t.id } }).then(async (r) => ({ status: r.status, body: (await r.json()) as any }));

    it('is not ready, and routes answer 503 UNAVAILABLE in the envelope', async () => {
      const ready = await get('/health/ready');
      expect(ready.status).toBe(503);
      expect(ready.body).toMatchObject({ code: 'UNAVAILABLE', error: expect.stringMatching(/^Not ready/) });
      const r = await get('/api/incidents');
      expect(r.status).toBe(503);
      expect(r.body).toMatchObject({ code: 'UNAVAILABLE', trace_id: expect.any(String) });
    });

    it('maps a service that answers too late to 503', async () => {
      const slow = () => new Promise((resolve) => setTimeout(() => resolve({ status: 'ok', value: { items: [] } }), 1500));
      InProcessBus.register(RpcSubject.IncidentsList, slow);
      try {
        const started = Date.now();
        const r = await get('/api/incidents');
        expect(r.status).toBe(503);
        expect(r.body.error).toMatch(/did not answer in time/);
        expect(Date.now() - started).toBeLessThan(1400);
      } finally {
        InProcessBus.unregister(RpcSubject.IncidentsList, slow);
      }
    });
  });
});
