import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { TestPlatform, TestTenant } from '../support/platform';
import { TEST_OPERATOR } from '../support/env';

const doc = JSON.parse(readFileSync(join(__dirname, '..', '..', 'docs', 'openapi.json'), 'utf8')) as {
  paths: Record<string, Record<string, { parameters?: { name: string; in: string }[] }>>;
};
/**
 * Every list of the API: a GET that pages (limit/offset). Telemetry queries (logs, traces) are not lists of records
 * that change: they page by cursor through a time window (test/integration/telemetry.integration-spec.ts).
 */
const LISTS = Object.entries(doc.paths)
  .filter(([, ops]) => ops.get?.parameters?.some((p) => p.name === 'limit') && ops.get?.parameters?.some((p) => p.name === 'offset'))
  .map(([path]) => path);

/**
 * The contract's lists, as a client that polls uses them: the list envelope, limit and offset, and
 * `updated_since` (RFC 3339) keeping only what changed at or after it, on every list.
 */
describe('lists: the envelope and updated_since on every list', () => {
  let p: TestPlatform;
  let t: TestTenant;
  let operatorToken: string;
  let incidentId: string;
  /** The record whose sub-list a path with {id} reads. */
  const ids: [RegExp, () => string][] = [];

  beforeAll(async () => {
    p = await TestPlatform.start();
    t = await p.tenant();
    incidentId = (await t.incident({ title: 'listed' })).id;
    const changeId = (await t.call('POST', '/api/changes', { body: { title: 'listed change' } })).body.data.id as string;
    const ciId = (await t.call('POST', '/api/cmdb/items', { body: { name: 'listed-ci', class: 'server' } })).body.data.id as string;
    ids.push([/^\/api\/incidents\//, () => incidentId], [/^\/api\/(itsm\/)?changes\//, () => changeId], [/^\/api\/cmdb\/items\//, () => ciId]);
    await t.call('POST', `/api/incidents/${incidentId}/comments`, { body: { body: 'first' } });
    await t.call('POST', '/api/auth/tokens', { body: { name: 'poller', permissions: ['read'] } });
    await t.call('POST', '/api/team/invite', { body: { email: 'invitee@example.com', role: 'member' } });
    operatorToken = (await p.call('POST', '/cp/api/auth/token', { body: TEST_OPERATOR })).body.data.token;
  });
  afterAll(async () => {
    await p.close();
  });

  it('every list in the OpenAPI document accepts updated_since', () => {
    expect(LISTS.length).toBeGreaterThanOrEqual(10);
    for (const path of LISTS) expect([path, doc.paths[path].get.parameters!.some((x) => x.name === 'updated_since' && x.in === 'query')]).toEqual([path, true]);
  });

  it('answers the envelope; updated_since before anything existed keeps everything, a future one nothing, a malformed one is a 422 (each list, live)', async () => {
    const past = encodeURIComponent(new Date(Date.now() - 3600_000).toISOString());
    const future = encodeURIComponent(new Date(Date.now() + 3600_000).toISOString());
    let nonEmpty = 0;
    for (const template of LISTS) {
      const owner = ids.find(([re]) => re.test(template));
      if (template.includes('{id}') && !owner) throw new Error(`no record for ${template}: add one to the lists test`);
      const path = template.replace('{id}', owner ? owner[1]() : '');
      const call = (q: string) => (path.startsWith('/cp/') ? p.call('GET', `${path}?${q}`, { token: operatorToken }) : t.call('GET', `${path}?${q}`));
      const all = await call('limit=50');
      expect([path, all.status]).toEqual([path, 200]);
      expect(all.body.data).toMatchObject({ items: expect.any(Array), total: expect.any(Number), limit: 50, offset: 0 });
      if (all.body.data.total > 0) nonEmpty++;
      // The tenant is minutes old: everything in it changed within the hour (the operator's lists hold older rows too).
      // (Read between two unfiltered reads: the audit log may still be receiving the entries of the setup.)
      const since = (await call(`updated_since=${past}`)).body.data.total;
      const after = (await call('limit=50')).body.data.total;
      if (path.startsWith('/cp/')) expect([path, since > 0]).toEqual([path, all.body.data.total > 0]);
      else expect([path, since >= all.body.data.total && since <= after]).toEqual([path, true]);
      expect([path, (await call(`updated_since=${future}`)).body.data.total]).toEqual([path, 0]);
      const bad = await call('updated_since=yesterday');
      expect([path, bad.status, bad.body.code]).toEqual([path, 422, 'VALIDATION_ERROR']);
    }
    // Not vacuous: the lists seeded above (incidents, comments, timeline, tokens, team, invitations, audit, tenants, plans, operator audit) hold rows.
    expect(nonEmpty).toBeGreaterThanOrEqual(10);
  });

  it('a token used or revoked since is listed as changed', async () => {
    const created = (await t.call('POST', '/api/auth/tokens', { body: { name: 'to revoke', permissions: ['read'] } })).body.data.token_data;
    await new Promise((r) => setTimeout(r, 20));
    const since = new Date().toISOString();
    const changed = async () => (await t.call('GET', `/api/auth/tokens?updated_since=${encodeURIComponent(since)}`)).body.data.items.map((x: { id: string }) => x.id);
    expect(await changed()).toEqual([]);
    await t.call('PUT', '/api/auth/tokens', { body: { action: 'revoke', tokenId: created.id } });
    expect(await changed()).toEqual([created.id]);
  });
});
