import { request } from 'node:http';
import { TEST_OPERATOR } from '../support/env';
import { TestPlatform, TestTenant } from '../support/platform';

/** A raw HTTP request (fetch normalises paths and refuses some inputs a hostile client sends). */
function raw(url: string, method: string, path: string, headers: Record<string, string> = {}, body?: string): Promise<{ status: number; headers: Record<string, unknown>; text: string }> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request({ host: u.hostname, port: u.port, method, path, headers }, (res) => {
      let text = '';
      res.on('data', (c) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text }));
    });
    req.on('error', reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}

describe('HTTP hardening at the gateway', () => {
  let p: TestPlatform;
  let t: TestTenant;
  let op: string;

  beforeAll(async () => {
    p = await TestPlatform.start();
    t = await p.tenant();
    op = (await p.call('POST', '/cp/api/auth/token', { body: TEST_OPERATOR })).body.data.token;
  });
  afterAll(async () => {
    await p.close();
  });

  describe('credentials travel only in the Authorization header', () => {
    it('refuses an API token in the query string or in the JSON body, and says where it belongs', async () => {
      const token = (await t.call('POST', '/api/auth/tokens', { body: { name: 'script', permissions: ['read', 'write'] } })).body.data.token;
      const inQuery = await p.call('GET', `/api/incidents?access_token=${token}`);
      expect(inQuery.status).toBe(401);
      expect(inQuery.body.error).toMatch(/only in the Authorization header/);
      const inBody = await p.call('POST', '/api/incidents', { body: { access_token: token, title: 'sneaky', severity: 'P3' } });
      expect(inBody.status).toBe(401);
      expect((await t.call('GET', '/api/incidents')).body.data.total).toBe(0);
      // In the header it works.
      expect((await p.call('GET', '/api/incidents', { token })).status).toBe(200);
    });
  });

  describe('security headers', () => {
    it('sends nosniff, frame denial, HSTS, a content security policy and no-store on API answers', async () => {
      const login = await p.call('POST', '/api/auth/token', { tenant: t.id, body: { email: t.owner.email, password: t.owner.password } });
      expect(login.status).toBe(200);
      const h = login.headers;
      expect(h.get('x-content-type-options')).toBe('nosniff');
      expect(h.get('cache-control')).toBe('no-store');
      expect(h.get('content-security-policy')).toMatch(/frame-ancestors 'none'/);
      expect(h.get('strict-transport-security')).toMatch(/max-age=\d+/);
      expect(h.get('referrer-policy')).toBe('no-referrer');
      expect(h.get('x-frame-options')).toBeTruthy();
      const err = await p.call('GET', '/api/incidents');
      expect(err.status).toBe(401);
      expect(err.headers.get('cache-control')).toBe('no-store');
      expect(err.headers.get('x-content-type-options')).toBe('nosniff');
      // The API docs still load under the policy (their scripts are files, not inline).
      const docs = await fetch(`${p.url}/api/docs`);
      expect(docs.status).toBe(200);
      expect(await docs.text()).not.toMatch(/<script>(?!\s*<\/script>)/);
    });
  });

  describe('bodies and content types', () => {
    it('takes an empty body sent with a JSON content type as no body (the README commands as pasted)', async () => {
      const token = (await t.call('POST', '/api/auth/tokens', { body: { name: 'to delete', permissions: ['read'] } })).body.data.token_data;
      const del = await t.call('DELETE', `/api/auth/tokens?id=${token.id}`, { headers: { 'content-type': 'application/json' } });
      expect(del.status).toBe(200);
      const other = await p.tenant('Suspend me');
      const suspend = await p.call('POST', `/cp/api/tenants/${other.id}/suspend`, { token: op, headers: { 'content-type': 'application/json' } });
      expect(suspend.status).toBe(200);
      const resume = await p.call('POST', `/cp/api/tenants/${other.id}/resume`, { token: op, headers: { 'content-type': 'application/json' } });
      expect(resume.status).toBe(200);
    });

    it('says the body must be JSON when curl -d sends it as a form, and writes nothing', async () => {
      const r = await t.call('POST', '/api/incidents', { rawBody: '{"title":"x","severity":"P3"}', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
      expect(r.status).toBe(422);
      expect(r.body.error).toBe('The body must be sent as JSON with the header content-type: application/json');
      expect((await t.call('GET', '/api/incidents')).body.data.total).toBe(0);
    });
  });

  describe('URLs the router refuses', () => {
    it('answers bad percent-encoding and over-long path parameters in the envelope, without echoing the URL', async () => {
      const auth = { authorization: `Bearer ${t.owner.token}`, 'x-tenant-id': t.id };
      for (const path of ['/api/incidents/%E0%A4%A', '/api/incidents/%ED%A0%80', `/api/incidents/${'a'.repeat(600)}`]) {
        const r = await raw(p.url, 'GET', path, auth);
        expect(r.status).toBe(422);
        const body = JSON.parse(r.text);
        expect(body).toMatchObject({ code: 'VALIDATION_ERROR', trace_id: expect.stringMatching(/^[0-9a-f]{32}$/) });
        expect(r.text).not.toContain(path.slice(15, 40));
      }
      // A parameter of 150 characters reaches the route's own validation.
      const long = await raw(p.url, 'GET', `/api/incidents/${'a'.repeat(150)}`, auth);
      expect(JSON.parse(long.text)).toMatchObject({ code: 'VALIDATION_ERROR', details: [{ field: 'id' }] });
    });

    it('answers a request line over the size limit in the envelope', async () => {
      const r = await raw(p.url, 'GET', `/api/incidents?q=${'x'.repeat(20_000)}`);
      expect(r.status).toBe(431);
      expect(JSON.parse(r.text)).toMatchObject({ code: 'PAYLOAD_TOO_LARGE', trace_id: expect.any(String) });
    });

    it('answers a known path asked with another method with 405 and Allow', async () => {
      const r = await t.call('DELETE', '/api/incidents');
      expect(r.status).toBe(405);
      expect(r.body.code).toBe('METHOD_NOT_ALLOWED');
      expect(r.headers.get('allow')).toBe('GET, HEAD, POST');
      expect((await t.call('DELETE', '/api/nothing-here')).status).toBe(404);
    });
  });
});
