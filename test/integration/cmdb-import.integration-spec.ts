import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { importCmdbFile, ImportOptions, ImportSummary } from '../../tools/cmdb-import';
import { TestPlatform, TestTenant } from '../support/platform';

/**
 * `opsplane cmdb import` against a running platform, over HTTP: CSV files of items and relationships, a second
 * import that changes nothing, bad rows named by line and field with nothing written, the chunked path (a checking
 * pass, then items, then relationships whose ends are in other chunks), dry runs.
 */
describe(importCmdbFile.name, () => {
  let p: TestPlatform;
  let dir: string;
  /** An address where nothing listens. */
  let nowhere: string;

  beforeAll(async () => {
    p = await TestPlatform.start();
    dir = await mkdtemp(join(tmpdir(), 'cmdb-import-'));
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    nowhere = `http://127.0.0.1:${(probe.address() as { port: number }).port}`;
    await new Promise((resolve) => probe.close(resolve));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
    await p.close();
  });

  let files = 0;
  const file = async (name: string, lines: string[]) => {
    const path = join(dir, `${++files}-${name}`);
    await writeFile(path, lines.join('\n') + '\n');
    return path;
  };
  const sut = (t: TestTenant, o: Pick<ImportOptions, 'file'> & Partial<ImportOptions>): Promise<ImportSummary> =>
    importCmdbFile({ url: p.url, token: t.owner.token, tenant: t.id, progress: false, ...o });
  const items = async (t: TestTenant) => (await t.call('GET', '/api/cmdb/items?limit=500')).body.data as { total: number; items: { id: string; name: string; class: string; environment: string | null; criticality: string | null; attributes: Record<string, unknown> }[] };
  const relationships = async (t: TestTenant) =>
    ((await t.call('GET', '/api/cmdb/relationships?limit=500')).body.data.items as { source: { name: string }; target: { name: string }; type: string; criticality: string }[])
      .map((r) => `${r.source.name} ${r.type} ${r.target.name} (${r.criticality})`)
      .sort();
  /** The message of what `p` rejects with. */
  const refusal = async (promise: Promise<unknown>): Promise<string> => {
    const e = await promise.then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(e).toBeInstanceOf(Error);
    return (e as Error).message;
  };

  const ITEMS = [
    'ref,name,class,environment,owner,criticality,attr.hostname,attr.os',
    'web,web-01,server,production,ops@example.com,high,web-01.dc1,"Ubuntu 22.04, LTS"',
    'db,db-01,database,production,dba-team,critical,db-01.dc1,',
    'api,checkout-api,service,production,,,,',
  ];
  const RELATIONSHIPS = ['source,target,type,criticality', 'api,web,runs_on,', 'api,db,depends_on,high', 'web,db,connects_to,low'];

  it('imports a CSV of items and one of relationships; the same import again changes nothing', async () => {
    const t = await p.tenant('CLI import');
    const o = { file: await file('items.csv', ITEMS), relationships: await file('relationships.csv', RELATIONSHIPS) };
    const first = await sut(t, o);
    expect(first).toMatchObject({ created: 3, updated: 0, unchanged: 0, relationships_created: 3, relationships_unchanged: 0, requests: 1, dry_run: false });
    expect(first.seconds).toBeGreaterThanOrEqual(0);
    const listed = await items(t);
    expect(listed.items.map((i) => [i.name, i.class, i.environment, i.criticality])).toEqual([
      ['checkout-api', 'service', 'production', null],
      ['db-01', 'database', 'production', 'critical'],
      ['web-01', 'server', 'production', 'high'],
    ]);
    // attr.* columns are attributes, a quoted comma stays in its cell, an empty cell is no attribute.
    expect(listed.items.find((i) => i.name === 'web-01')!.attributes).toEqual({ hostname: 'web-01.dc1', os: 'Ubuntu 22.04, LTS' });
    expect(listed.items.find((i) => i.name === 'db-01')!.attributes).toEqual({ hostname: 'db-01.dc1' });
    expect(await relationships(t)).toEqual(['checkout-api depends_on db-01 (high)', 'checkout-api runs_on web-01 (medium)', 'web-01 connects_to db-01 (low)']);

    const again = await sut(t, o);
    expect(again).toMatchObject({ created: 0, updated: 0, unchanged: 3, relationships_created: 0, relationships_unchanged: 3, requests: 1 });
    expect((await items(t)).total).toBe(3);
    expect(await relationships(t)).toHaveLength(3);
  });

  it('names the line and field of a bad row and writes nothing: checked here (criticality) or by the server (class)', async () => {
    const t = await p.tenant('CLI import errors');
    // Caught before anything is sent: the gateway named here does not even listen.
    const local = await file('items.csv', [...ITEMS.slice(0, 3), 'cache,cache-01,cache,production,,urgent,,']);
    const msg = await refusal(sut(t, { file: local, url: nowhere }));
    expect(msg).toMatch(/items\.csv: 1 problem, nothing was sent:\n {2}.*items\.csv line 4, criticality: criticality must be one of the following values/);

    // An unknown class is the server's to know (a tenant may add classes): one request, all or nothing.
    const unknownClass = await file('items.csv', [...ITEMS, 'gpu,gpu-pool,gpu_cluster,production,,,,']);
    const single = await refusal(sut(t, { file: unknownClass }));
    expect(single).toContain('the server refused it (422 VALIDATION_ERROR');
    expect(single).toMatch(/items\.csv line 5, class: unknown class "gpu_cluster"/);
    expect(single).toContain('Nothing was written');
    // In chunks of 2 the checking pass finds it (in the second chunk) before the first chunk is written.
    const chunked = await refusal(sut(t, { file: unknownClass, chunkSize: 2 }));
    expect(chunked).toMatch(/items\.csv line 5, class: unknown class "gpu_cluster"/);
    expect(chunked).toContain('Nothing was written (this was the checking pass, request 2 of 2)');
    expect((await items(t)).total).toBe(0);

    // Once the class exists the same file imports.
    expect((await t.call('POST', '/api/cmdb/classes', { body: { name: 'gpu_cluster' } })).status).toBe(201);
    await expect(sut(t, { file: unknownClass, chunkSize: 2 })).resolves.toMatchObject({ created: 4, requests: 4 });
  });

  it('imports in chunks: a checking pass, the items, then the relationships with ends in other chunks turned into ids', async () => {
    const t = await p.tenant('CLI import chunks');
    const existing = (await t.call('POST', '/api/cmdb/items', { body: { name: 'core-switch', class: 'network' } })).body.data.id as string;
    const names = ['lb', 'web-1', 'web-2', 'api-1', 'api-2', 'db', 'cache', 'queue'];
    const itemsFile = await file('items.csv', ['ref,name,class', ...names.map((n) => `${n},${n},${n.startsWith('web') || n === 'lb' ? 'server' : 'service'}`)]);
    const relsFile = await file('relationships.csv', [
      'source,target,type',
      'lb,web-1,depends_on', // chunk 1 -> chunk 1
      'lb,web-2,depends_on', // chunk 1 -> chunk 1
      'web-1,api-1,depends_on', // chunk 1 -> chunk 2
      'web-2,api-2,depends_on', // chunk 1 -> chunk 2
      'api-1,db,depends_on', // chunk 2 -> chunk 2
      'api-2,queue,connects_to', // chunk 2 -> chunk 3
      'queue,cache,connects_to', // chunk 3 -> chunk 3
      `db,${existing},connects_to`, // chunk 2 -> an item already there, by id
    ]);
    const o = { file: itemsFile, relationships: relsFile, chunkSize: 3 };

    // --dry-run: only the checking pass (3 requests), its report, nothing written.
    const dry = await sut(t, { ...o, dryRun: true });
    expect(dry).toMatchObject({ created: 8, updated: 0, unchanged: 0, relationships_created: null, relationships_unchanged: null, requests: 3, dry_run: true });
    expect((await items(t)).total).toBe(1);

    // 3 checking requests, 3 of items, 3 of relationships.
    const first = await sut(t, o);
    expect(first).toMatchObject({ created: 8, updated: 0, unchanged: 0, relationships_created: 8, relationships_unchanged: 0, requests: 9, dry_run: false });
    expect((await items(t)).total).toBe(9);
    expect(await relationships(t)).toEqual(
      [
        'lb depends_on web-1',
        'lb depends_on web-2',
        'web-1 depends_on api-1',
        'web-2 depends_on api-2',
        'api-1 depends_on db',
        'api-2 connects_to queue',
        'queue connects_to cache',
        'db connects_to core-switch',
      ]
        .map((r) => `${r} (medium)`)
        .sort(),
    );
    const again = await sut(t, o);
    expect(again).toMatchObject({ created: 0, unchanged: 8, relationships_created: 0, relationships_unchanged: 8, requests: 9 });
    expect((await items(t)).total).toBe(9);
  });

  it('names the row of a chunk the server refuses after earlier chunks were written, and running it again is safe', async () => {
    const t = await p.tenant('CLI import partial');
    const gone = '0d4f6a8e-1b2c-4d3e-9f5a-6b7c8d9e0f1a';
    const itemsFile = await file('items.csv', ['ref,name,class', 'a,a,service', 'b,b,service', 'c,c,service', 'd,d,service']);
    const relsFile = await file('relationships.csv', ['source,target,type', 'a,b,depends_on', 'c,d,depends_on', `d,${gone},depends_on`]);
    // Items pass the checking pass and are written; the relationship to an item that is not there is refused.
    const msg = await refusal(sut(t, { file: itemsFile, relationships: relsFile, chunkSize: 2 }));
    expect(msg).toMatch(/relationships\.csv line 4, target\.id: item 0d4f6a8e-1b2c-4d3e-9f5a-6b7c8d9e0f1a not found/);
    expect(msg).toContain('Request 2 of 2 for relationships wrote nothing');
    expect(msg).toContain('The requests before it wrote 4 items (created 4, updated 0, unchanged 0) and 2 relationships.');
    expect(msg).toContain('Running the same command again is safe');
    expect((await items(t)).total).toBe(4);
    expect(await relationships(t)).toEqual(['a depends_on b (medium)', 'c depends_on d (medium)']);

    // Fixed, the same command again: nothing duplicated.
    const fixed = await file('relationships.csv', ['source,target,type', 'a,b,depends_on', 'c,d,depends_on', 'd,a,depends_on']);
    await expect(sut(t, { file: itemsFile, relationships: fixed, chunkSize: 2 })).resolves.toMatchObject({ created: 0, unchanged: 4, relationships_created: 1, relationships_unchanged: 2 });
    expect((await items(t)).total).toBe(4);
  });

  it('imports JSON (the bulk shape), and a dry run in one request reports relationships too, writing nothing', async () => {
    const t = await p.tenant('CLI import JSON');
    const body = {
      items: [
        { ref: 'pod', name: 'checkout-7f9c', class: 'pod', environment: 'prod', attributes: { k8s_uid: 'uid-2', replicas: 3 } },
        { ref: 'node', name: 'node-1', class: 'k8s_node', attributes: { k8s_uid: 'uid-1' } },
      ],
      relationships: [{ source: { ref: 'pod' }, target: { ref: 'node' }, type: 'runs_on' }],
    };
    const json = join(dir, 'cis.json');
    await writeFile(json, JSON.stringify(body));
    const dry = await sut(t, { file: json, dryRun: true });
    expect(dry).toMatchObject({ created: 2, relationships_created: 1, requests: 1, dry_run: true });
    expect((await items(t)).total).toBe(0);
    await expect(sut(t, { file: json })).resolves.toMatchObject({ created: 2, relationships_created: 1, dry_run: false });
    expect((await items(t)).items.find((i) => i.name === 'checkout-7f9c')!.attributes).toEqual({ k8s_uid: 'uid-2', replicas: 3 });
  });

  it("imports the README's example as the README shows (the README test does not run it)", async () => {
    const readme = await readFile(join(__dirname, '..', '..', 'README.md'), 'utf8');
    const start = readme.indexOf('\n## The CMDB');
    const section = readme.slice(start, readme.indexOf('\n## ', start + 1));
    const [items, rels] = [...section.matchAll(/```csv\n([\s\S]*?)```/g)].map((m) => m[1]);
    const shown = JSON.parse(/cmdb import items\.csv --relationships relationships\.csv .*\n# -> (\{.*\})/.exec(section)![1]);
    const t = await p.tenant('CLI import README');
    const o = { file: join(dir, 'items.csv'), relationships: join(dir, 'relationships.csv') };
    await writeFile(o.file, items);
    await writeFile(o.relationships, rels);
    await expect(sut(t, o)).resolves.toEqual({ ...shown, seconds: expect.any(Number) });
    await expect(sut(t, o)).resolves.toMatchObject({ created: 0, unchanged: shown.created, relationships_unchanged: shown.relationships_created });
  });

  it('says in one sentence why the gateway could not be used', async () => {
    const t = await p.tenant('CLI import access');
    const f = await file('items.csv', ITEMS);
    const unreachable = await refusal(sut(t, { file: f, url: nowhere }));
    expect(unreachable).toMatch(/^cannot reach the Opsplane gateway at http:\/\/127\.0\.0\.1:\d+ \(ECONNREFUSED\): start the platform/);
    expect(unreachable).toContain('Nothing was written');
    expect(await refusal(sut(t, { file: f, token: 'not-a-token' }))).toMatch(/^the gateway refused the credentials \(401 UNAUTHORIZED/);
    const viewer = await t.user('viewer');
    expect(await refusal(sut(t, { file: f, token: viewer.token }))).toMatch(/^the gateway refused the import \(403 FORBIDDEN.*allowed to write the CMDB/);
    expect((await items(t)).total).toBe(0);
  });
});
