import { randomUUID } from 'node:crypto';
import { ErrorCode, httpStatusOf } from '@opsplane/errors';
import { DbFingerprint } from '../support/db-fingerprint';
import { TEST_OPERATOR } from '../support/env';
import { casesFor, FuzzCase, OpenApiDoc, Operation, operations } from '../support/fuzz';
import { TestPlatform, TestTenant } from '../support/platform';

const CODES = new Set<string>(Object.values(ErrorCode));
/** What an answer must never show: stacks, SQL, driver errors, the framework's own error shape. */
const LEAK = /QueryFailedError|\bat \S+\.(ts|js):\d+|\b(SELECT|INSERT|UPDATE|DELETE) .*\b(FROM|INTO|SET)\b|"statusCode"|FST_ERR|stack/;
/** Routes that destroy or switch off what they name: fuzzed with hostile ids only, never with a real one. */
const DESTRUCTIVE = (op: Operation) => op.method === 'DELETE' || /\/(suspend|resume|revoke)$/.test(op.template);

/**
 * Every route of the OpenAPI document, fuzzed: hostile path parameters, query values and body
 * fields of every class (test/support/fuzz.ts), malformed bodies and content types. Each answer
 * is a success or a 4xx in the envelope (never a 5xx, a stack or SQL), and a refused request
 * wrote nothing in any schema.
 */
describe('fuzz: every route of the OpenAPI document', () => {
  let p: TestPlatform;
  let t: TestTenant;
  let op: string;
  let doc: OpenApiDoc;
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    p = await TestPlatform.start({ RATE_LIMIT_PER_CREDENTIAL_PER_MIN: '0' });
    t = await p.tenant('Fuzz');
    const login = await p.call('POST', '/cp/api/auth/token', { body: TEST_OPERATOR });
    if (login.status !== 200) throw new Error(`operator login: ${login.status} ${JSON.stringify(login.body)}`);
    op = login.body.data.token;
    const limits = { api_requests_per_minute: 1_000_000, incidents_per_month: 1_000_000, users: 1_000_000 };
    expect((await p.call('PATCH', `/cp/api/tenants/${t.id}`, { token: op, body: { limits } })).status).toBe(200);
    const target = await p.tenant('Fuzz target');
    ids.tenant = target.id;
    ids.incident = (await t.incident({ title: 'fuzz target' })).id;
    ids.member = (await t.user('member')).id;
    ids.token = (await t.call('POST', '/api/auth/tokens', { body: { name: 'fuzz', permissions: ['read'] } })).body.data.token_data.id;
    ids.invitation = (await t.call('POST', '/api/team/invite', { body: { email: `invitee-${randomUUID().slice(0, 8)}@example.com`, role: 'member' } })).body.data.invitation.id;
    ids.plan = `fuzz-${randomUUID().slice(0, 8)}`;
    expect((await p.call('POST', '/cp/api/plans', { token: op, body: { name: ids.plan, limits: { users: 10 } } })).status).toBe(201);
    for (const [what, id] of Object.entries(ids)) expect([what, typeof id]).toEqual([what, 'string']);
    doc = (await p.call('GET', '/api/docs/openapi.json')).body as OpenApiDoc;
  });
  afterAll(async () => {
    await p.close();
  });

  function validParam(o: Operation): string | undefined {
    if (DESTRUCTIVE(o)) return undefined;
    const path = o.template;
    if (path.startsWith('/cp/api/plans/')) return ids.plan;
    if (path.startsWith('/cp/api/tenants/')) return ids.tenant;
    if (path.startsWith('/api/incidents/')) return ids.incident;
    if (path.startsWith('/api/auth/tokens/')) return ids.token;
    if (path.startsWith('/api/team/invitations/')) return ids.invitation;
    if (path.startsWith('/api/team/')) return ids.member;
    return undefined;
  }

  async function send(c: FuzzCase) {
    const cp = c.op.template.startsWith('/cp/');
    const headers: Record<string, string> = { authorization: `Bearer ${cp ? op : t.owner.token}` };
    if (!cp) headers['x-tenant-id'] = t.id;
    if (c.body !== undefined) headers['content-type'] = c.contentType ?? 'application/json';
    const url = `${p.url}${c.path}${c.query ? `?${c.query}` : ''}`;
    const res = await fetch(url, { method: c.op.method, headers: { ...headers, ...c.headers }, body: c.body });
    const text = await res.text();
    let body: unknown = text;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      /* kept as text: reported below */
    }
    return { status: res.status, body, text };
  }

  /** What is wrong with an answer, or undefined. */
  function problem(status: number, body: unknown, text: string): string | undefined {
    if (status >= 500) return `answered ${status}`;
    if (LEAK.test(text)) return 'the answer leaks internals';
    if (status < 400) return undefined;
    const b = body as { error?: unknown; code?: unknown; trace_id?: unknown } | undefined;
    if (!b || typeof b !== 'object' || typeof b.error !== 'string' || typeof b.code !== 'string' || typeof b.trace_id !== 'string') return 'not the error envelope';
    if (!CODES.has(b.code)) return `unknown code ${b.code}`;
    if (!/^[0-9a-f]{32}$/.test(b.trace_id)) return 'trace_id is not a trace id';
    const expected = httpStatusOf(b.code as ErrorCode);
    if (status !== expected && !(status === 431 && b.code === ErrorCode.PAYLOAD_TOO_LARGE)) return `status ${status} for code ${b.code}`;
    return undefined;
  }

  it('answers every hostile request with a success or a 4xx envelope, and a refused request writes nothing', async () => {
    const ops = operations(doc);
    expect(ops.length).toBeGreaterThan(35);
    const cases = ops.flatMap((o) => casesFor(doc, o, { validParam }));
    const fp = await DbFingerprint.open(['control_plane', 'auth', 'incidents']);
    const failures: string[] = [];
    const statuses = new Map<number, number>();
    try {
      let before = await fp.take();
      for (const c of cases) {
        const r = await send(c);
        statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
        const what = `${c.op.method} ${c.op.template} [${c.label}] -> ${r.status} ${r.text.slice(0, 160)}`;
        const bad = problem(r.status, r.body, r.text);
        if (bad) failures.push(`${bad}: ${what}`);
        const after = await fp.take();
        if (r.status >= 400 && after !== before) failures.push(`refused, yet wrote ${DbFingerprint.diff(before, after).join(', ')}: ${what}`);
        before = after;
      }
    } finally {
      await fp.close();
    }
    // The fuzz reached past validation too: some requests succeeded.
    expect(statuses.get(200) ?? 0).toBeGreaterThan(10);
    expect(failures.slice(0, 40)).toEqual([]);
  }, 600_000);
});
