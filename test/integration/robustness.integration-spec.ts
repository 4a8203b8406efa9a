import { TEST_OPERATOR } from '../support/env';
import { TestPlatform, TestTenant } from '../support/platform';

/** Bad input of every shape, on every route: a 4xx in the envelope, never a 500. */
const BODIES: unknown[] = [
  {},
  [],
  'just a string',
  42,
  null,
  { title: {}, severity: [], status: 7, tags: [null], limits: { users: 'many' }, settings: [] },
  { title: 'x'.repeat(100_000) },
  { title: '\u0000\ud800', email: 'a@b', password: null, role: 'god', permissions: 'write' },
  { id: '../../etc/passwd', token: 'ops_pat_' + 'f'.repeat(32) + '_' + 'x'.repeat(40), refresh_token: 'ops_rt_x' },
  { limits: { users: 1e300, incidents_per_month: -0.5 }, plan: 'UPPER', name: '' },
];
const IDS = ['not-a-uuid', 'INC-', 'INC-99999999999999', '00000000-0000-0000-0000-000000000000', '%00', "1' OR '1'='1"];
const QUERIES = ['limit=-1', 'limit=abc&offset=1e9', 'status=%00', 'q=%27%3B%20DROP%20TABLE%20x', 'from=2026-99-99&to=x', 'created_from=not-a-date', 'sort=;drop', 'tag=' + 'a'.repeat(5000)];

const ROUTES: [string, string][] = [
  ['POST', '/api/auth/token'],
  ['POST', '/api/auth/refresh'],
  ['GET', '/api/auth/me'],
  ['GET', '/api/auth/tokens'],
  ['POST', '/api/auth/tokens'],
  ['PUT', '/api/auth/tokens'],
  ['DELETE', '/api/auth/tokens'],
  ['DELETE', '/api/auth/tokens/:id'],
  ['POST', '/api/auth/tokens/:id/revoke'],
  ['GET', '/api/incidents'],
  ['POST', '/api/incidents'],
  ['GET', '/api/incidents/:id'],
  ['PATCH', '/api/incidents/:id'],
  ['PUT', '/api/incidents/:id'],
  ['GET', '/api/incidents/:id/comments'],
  ['POST', '/api/incidents/:id/comments'],
  ['GET', '/api/incidents/:id/timeline'],
  ['GET', '/api/team'],
  ['POST', '/api/team/invite'],
  ['PUT', '/api/team/:id/role'],
  ['DELETE', '/api/team/:id'],
  ['GET', '/api/team/invitations'],
  ['DELETE', '/api/team/invitations/:id'],
  ['POST', '/api/team/invitations/accept'],
  ['GET', '/api/organization'],
  ['PUT', '/api/organization'],
  ['GET', '/api/audit'],
  ['POST', '/cp/api/auth/token'],
  ['GET', '/cp/api/tenants'],
  ['POST', '/cp/api/tenants'],
  ['GET', '/cp/api/tenants/:id'],
  ['PATCH', '/cp/api/tenants/:id'],
  ['DELETE', '/cp/api/tenants/:id'],
  ['POST', '/cp/api/tenants/:id/suspend'],
  ['POST', '/cp/api/tenants/:id/resume'],
  ['GET', '/cp/api/tenants/:id/usage'],
  ['GET', '/cp/api/plans'],
  ['POST', '/cp/api/plans'],
  ['PATCH', '/cp/api/plans/:id'],
  ['GET', '/cp/api/audit'],
];

describe('robustness: no input reaches a 500', () => {
  let p: TestPlatform;
  let t: TestTenant;
  let op: string;

  beforeAll(async () => {
    p = await TestPlatform.start({ RATE_LIMIT_PER_CREDENTIAL_PER_MIN: '0' });
    t = await p.tenant('Fuzz');
    op = (await p.call('POST', '/cp/api/auth/token', { body: TEST_OPERATOR })).body.data.token;
    await p.call('PATCH', `/cp/api/tenants/${t.id}`, { token: op, body: { limits: { api_requests_per_minute: 1_000_000 } } });
  });
  afterAll(async () => {
    await p.close();
  });

  it('answers every route, with any body, id and query, with a 4xx envelope or a success', async () => {
    const failures: string[] = [];
    for (const [method, template] of ROUTES) {
      const token = template.startsWith('/cp/') ? op : t.owner.token;
      const paths = template.includes(':id') ? IDS.map((id) => template.replace(':id', encodeURIComponent(id))) : [template];
      for (const path of paths) {
        const variants: { q: string; body?: unknown }[] =
          method === 'GET' || method === 'DELETE' ? QUERIES.map((q) => ({ q })) : BODIES.map((body) => ({ q: '', body }));
        for (const v of variants) {
          const url = v.q ? `${path}?${v.q}` : path;
          const raw = v.body === undefined ? undefined : JSON.stringify(v.body);
          const r = await p.call(method, url, { token, tenant: template.startsWith('/cp/') ? undefined : t.id, rawBody: raw });
          const envelopeOk = r.status < 400 || (typeof r.body === 'object' && r.body !== null && 'code' in r.body && 'trace_id' in r.body);
          if (r.status >= 500 || !envelopeOk) failures.push(`${method} ${url} ${raw?.slice(0, 80) ?? ''} -> ${r.status} ${JSON.stringify(r.body).slice(0, 200)}`);
        }
      }
    }
    expect(failures).toEqual([]);
  }, 180_000);
});
