import 'reflect-metadata';
import { ImportCiDto, ImportRelationshipDto } from '@opsplane/contracts';
import {
  chunkRanges,
  CmdbImportError,
  formatOf,
  identityKeys,
  locateFieldErrors,
  Located,
  parseItemsCsv,
  parseItemsJson,
  parseRelationshipsCsv,
  parseRelationshipsJson,
  PlainRow,
  resolveEnds,
  validateImport,
  withoutRef,
} from '../cmdb-import';

const ID = '3f0c4a8e-4b7a-4d39-9c1e-2a1d4c5e6f70';

/** The message of what `p` rejects with. */
const refusal = async (p: Promise<unknown>): Promise<string> => {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(CmdbImportError);
  return (e as Error).message;
};

describe('cmdb import: reading files', () => {
  it('reads CSV items: attr.<key> columns as attributes, position, quoted commas and newlines, empty cells left out, line numbers of the file', () => {
    const csv = [
      'name,class,environment,owner,criticality,ref,attr.hostname,attr.os,position.x,position.y',
      'web-01,server,production,ops@example.com,high,web,web-01.dc1,"Ubuntu 22.04, LTS",10,-2.5',
      '',
      '"db, primary",database,,,critical,db,,"Debian',
      '12",,',
      '  api  , service ,production,,,, , ,,',
    ].join('\r\n');
    expect(parseItemsCsv('\ufeff' + csv, 'items.csv')).toEqual([
      {
        at: 'items.csv line 2',
        value: {
          name: 'web-01',
          class: 'server',
          environment: 'production',
          owner: 'ops@example.com',
          criticality: 'high',
          ref: 'web',
          attributes: { hostname: 'web-01.dc1', os: 'Ubuntu 22.04, LTS' },
          position: { x: 10, y: -2.5 },
        },
      },
      { at: 'items.csv line 4', value: { name: 'db, primary', class: 'database', criticality: 'critical', ref: 'db', attributes: { os: 'Debian\r\n12' } } },
      { at: 'items.csv line 6', value: { name: 'api', class: 'service', environment: 'production' } },
    ]);
  });

  it('refuses unknown, duplicate and unnamed columns, ragged rows and unclosed quotes, naming the line', () => {
    expect(() => parseItemsCsv('name,class,colour\na,server,red\n', 'items.csv')).toThrow(/items\.csv line 1: unknown column colour \(columns: .*attr\.<key>/);
    expect(() => parseItemsCsv('name,class,attributes\n', 'items.csv')).toThrow(/unknown column attributes/);
    expect(() => parseItemsCsv('name,name,class\n', 'items.csv')).toThrow(/line 1: column name is there twice/);
    expect(() => parseItemsCsv('name,,class\n', 'items.csv')).toThrow(/line 1: column 2 has no name/);
    expect(() => parseItemsCsv('name,class,attr.\n', 'items.csv')).toThrow(/column attr\. names no attribute/);
    expect(() => parseItemsCsv('name,class\na,server\n\nb,server,extra\n', 'items.csv')).toThrow(/items\.csv line 4: 3 cells, but the header has 2 columns/);
    expect(() => parseItemsCsv('name,class\na,server\n"b,server\n', 'items.csv')).toThrow(/items\.csv line 3: Quoted field unterminated/);
    expect(parseItemsCsv('', 'empty.csv')).toEqual([]);
    expect(parseItemsCsv('name,class\n', 'header-only.csv')).toEqual([]);
  });

  it('reads CSV relationships: an end is an item ref, else an item id', () => {
    const rows = parseRelationshipsCsv(`source,target,type,criticality\nweb,db,depends_on,high\nweb,${ID},runs_on,\n${ID},nope,depends_on,\n`, 'rels.csv', new Set(['web', 'db']));
    expect(rows).toEqual([
      { at: 'rels.csv line 2', value: { source: { ref: 'web' }, target: { ref: 'db' }, type: 'depends_on', criticality: 'high' } },
      { at: 'rels.csv line 3', value: { source: { ref: 'web' }, target: { id: ID }, type: 'runs_on' } },
      { at: 'rels.csv line 4', value: { source: { id: ID }, target: { ref: 'nope' }, type: 'depends_on' } },
    ]);
    // An item whose ref looks like an id is still named by its ref.
    expect(parseRelationshipsCsv(`source,target,type\n${ID},web,depends_on\n`, 'rels.csv', new Set([ID]))[0].value.source).toEqual({ ref: ID });
    expect(() => parseRelationshipsCsv('from,to,type\n', 'rels.csv', new Set())).toThrow(/line 1: unknown column from \(columns: source, target, type, criticality\)/);
  });

  it('reads JSON: the bulk request shape or an array of items; relationships as an array', () => {
    const body = { items: [{ name: 'a', class: 'server', ref: 'a' }], relationships: [{ source: { ref: 'a' }, target: { id: ID }, type: 'depends_on' }] };
    expect(parseItemsJson(JSON.stringify(body), 'cis.json')).toEqual({
      items: [{ at: 'cis.json items[0]', value: body.items[0] }],
      relationships: [{ at: 'cis.json relationships[0]', value: body.relationships[0] }],
    });
    expect(parseItemsJson(JSON.stringify(body.items), 'cis.json')).toEqual({ items: [{ at: 'cis.json items[0]', value: body.items[0] }], relationships: [] });
    expect(parseRelationshipsJson(JSON.stringify(body.relationships), 'rels.json')).toEqual([{ at: 'rels.json relationships[0]', value: body.relationships[0] }]);
    expect(() => parseItemsJson('{"items": [', 'cis.json')).toThrow(/cis\.json is not valid JSON/);
    expect(() => parseItemsJson('{"items": [], "dry_run": true}', 'cis.json')).toThrow(/unknown key dry_run .*--dry-run/);
    expect(() => parseItemsJson('{"items": {}}', 'cis.json')).toThrow(/items must be an array/);
    expect(() => parseItemsJson('"x"', 'cis.json')).toThrow(/an array of items or an object/);
    expect(() => parseRelationshipsJson('{}', 'rels.json')).toThrow(/must hold an array of relationships/);
  });

  it('takes the format from --format, else the extension', () => {
    expect(formatOf('a/items.CSV')).toBe('csv');
    expect(formatOf('items.json')).toBe('json');
    expect(formatOf('items.txt', 'csv')).toBe('csv');
    expect(() => formatOf('items.txt')).toThrow(/pass --format csv or --format json/);
    expect(() => formatOf('items.csv', 'xml')).toThrow(/--format must be csv or json/);
  });
});

describe(validateImport.name, () => {
  const rows = (file: string, values: PlainRow[]): Located<PlainRow>[] => values.map((value, i) => ({ at: `${file} line ${i + 2}`, value }));

  it('answers the rows as the contracts parse them (class and criticality lower-cased)', async () => {
    const v = await validateImport(rows('items.csv', [{ name: 'web', class: 'Server', criticality: 'HIGH', ref: 'w' }, { name: 'db', class: 'database', ref: 'd' }]), [
      { at: 'rels.csv line 2', value: { source: { ref: 'w' }, target: { ref: 'd' }, type: 'Depends_On' } },
    ]);
    expect(v.items.map((r) => r.value)).toEqual([
      { name: 'web', class: 'server', criticality: 'high', ref: 'w' },
      { name: 'db', class: 'database', ref: 'd' },
    ]);
    expect(v.items[0].value).toBeInstanceOf(ImportCiDto);
    expect(v.relationships[0].value).toBeInstanceOf(ImportRelationshipDto);
    expect(v.relationships[0].value.type).toBe('depends_on');
  });

  it('names the file, line and field of every bad row', async () => {
    const msg = await refusal(
      validateImport(
        rows('items.csv', [
          { name: 'web', class: 'server', criticality: 'urgent' },
          { class: 'server' },
          { name: 'x', class: 'Not A Class', lifecycle_status: 'gone' },
          { name: 'y', class: 'server', colour: 'red' },
          { name: 'z', class: 'server', position: { x: 'left', y: 1 } },
        ]),
        [],
      ),
    );
    expect(msg).toMatch(/^items\.csv: 6 problems, nothing was sent:/);
    expect(msg).toContain('items.csv line 2, criticality: criticality must be one of the following values: critical, high, medium, low');
    expect(msg).toContain('items.csv line 3, name: name is required');
    expect(msg).toContain('items.csv line 4, class: class must be lower case letters');
    expect(msg).toMatch(/items\.csv line 4, lifecycle_status: /);
    expect(msg).toMatch(/items\.csv line 5, colour: unknown field \(fields: /);
    expect(msg).toMatch(/items\.csv line 6, position\.x: x must be a number conforming to the specified constraints; /);
  });

  it('refuses a ref given twice and two items of one identity', async () => {
    const msg = await refusal(
      validateImport(
        rows('items.csv', [
          { name: 'web', class: 'server', ref: 'w', attributes: { hostname: 'Web.dc1' } },
          { name: 'web-again', class: 'server', ref: 'w' },
          { name: 'other', class: 'server', attributes: { hostname: 'web.DC1 ' } },
          { name: 'WEB ', class: 'server' },
          { name: 'web', class: 'server', environment: 'staging' },
        ]),
        [],
      ),
    );
    expect(msg).toContain('items.csv line 3, ref: ref "w" is used by items.csv line 2 too');
    expect(msg).toContain('items.csv line 4: identifies the same item as items.csv line 2 (hostname web.dc1 of class server)');
    expect(msg).toContain('items.csv line 5: identifies the same item as items.csv line 2 (server "web" in no environment)');
    expect(msg).not.toContain('line 6');
  });

  it('needs every relationship end to be an item of the import (by ref) or an item id, and not both ends one item', async () => {
    const items = rows('items.csv', [
      { name: 'web', class: 'server', ref: 'web' },
      { name: 'bad', class: 'server', criticality: 'nope', ref: 'bad' },
    ]);
    const rels: Located<PlainRow>[] = [
      { at: 'rels.csv line 2', value: { source: { ref: 'web' }, target: { ref: 'ghost' }, type: 'depends_on' } },
      { at: 'rels.csv line 3', value: { source: { ref: 'web' }, target: { ref: 'web' }, type: 'depends_on' } },
      { at: 'rels.csv line 4', value: { source: { ref: 'web' }, target: { id: ID }, type: 'likes' } },
      { at: 'rels.json relationships[0]', value: { source: { ref: 'web', id: ID }, type: 'depends_on' } },
      { at: 'rels.csv line 5', value: { source: { ref: 'bad' }, target: { id: ID }, type: 'depends_on' } },
    ];
    const msg = await refusal(validateImport(items, rels));
    expect(msg).toMatch(/^items\.csv and rels\.csv and rels\.json: /);
    expect(msg).toContain('rels.csv line 2, target: no item of the import has ref "ghost" (nor is it an item id)');
    expect(msg).toContain('rels.csv line 3: an item cannot be related to itself');
    expect(msg).toMatch(/rels\.csv line 4, type: type must be one of/);
    expect(msg).toContain('rels.json relationships[0], source: give either id or ref');
    expect(msg).toContain('rels.json relationships[0], target: target is required');
    // A refused item's ref still names it: its relationships are not refused for that too.
    expect(msg).not.toContain('rels.csv line 5');
  });

  it('lists at most 20 problems', async () => {
    const msg = await refusal(validateImport(rows('big.csv', Array.from({ length: 25 }, (_, i) => ({ name: `n${i}`, class: 'server', criticality: 'x' }))), []));
    expect(msg).toContain('big.csv: 25 problems');
    expect(msg).toContain('... and 5 more');
    expect(msg.split('\n')).toHaveLength(22);
  });
});

describe('cmdb import: chunks and ends', () => {
  it('cuts rows into chunks of at most n rows and at most the byte budget', () => {
    expect(chunkRanges([10, 10, 10, 10, 10], 2, 1000)).toEqual([
      { start: 0, end: 2 },
      { start: 2, end: 4 },
      { start: 4, end: 5 },
    ]);
    // 64 bytes of envelope, each row its size and a comma: 64 + 3 * 301 = 967 fits, a fourth does not.
    expect(chunkRanges([300, 300, 300, 300, 300], 100, 1000)).toEqual([
      { start: 0, end: 3 },
      { start: 3, end: 5 },
    ]);
    // A row over the budget goes alone (the import refuses it before sending anything).
    expect(chunkRanges([10, 5000, 10], 100, 1000)).toEqual([
      { start: 0, end: 1 },
      { start: 1, end: 2 },
      { start: 2, end: 3 },
    ]);
    expect(chunkRanges([], 3, 1000)).toEqual([]);
  });

  it('turns ref ends into the ids the import gave their items, keeping id ends', () => {
    const ids: Record<string, string> = { web: 'id-web', db: 'id-db' };
    const rel = Object.assign(new ImportRelationshipDto(), { source: { ref: 'web' }, target: { ref: 'db' }, type: 'depends_on', criticality: 'high' });
    expect(resolveEnds(rel, (r) => ids[r])).toEqual({ source: { id: 'id-web' }, target: { id: 'id-db' }, type: 'depends_on', criticality: 'high' });
    const byId = Object.assign(new ImportRelationshipDto(), { source: { id: ID }, target: { ref: 'web' }, type: 'runs_on' });
    expect(resolveEnds(byId, (r) => ids[r])).toEqual({ source: { id: ID }, target: { id: 'id-web' }, type: 'runs_on' });
    expect(() => resolveEnds(Object.assign(new ImportRelationshipDto(), { source: { ref: 'x' }, target: { id: ID }, type: 'runs_on' }), () => undefined)).toThrow(/no id for ref "x"/);
  });

  it('sends an item of a chunk without its ref', () => {
    expect(withoutRef(Object.assign(new ImportCiDto(), { name: 'a', class: 'server', ref: 'a' }))).toEqual({ name: 'a', class: 'server' });
  });

  it('names the file rows of a refusal: items[k] of the request is the k-th row it carried', () => {
    const sent = { items: [{ at: 'items.csv line 8', value: {} }, { at: 'items.csv line 9', value: {} }], relationships: [{ at: 'rels.csv line 3', value: {} }] };
    expect(
      locateFieldErrors(
        [
          { field: 'items[1].class', message: 'unknown class "gpu"' },
          { field: 'items[1]', message: 'identifies item x, as items[0] does' },
          { field: 'relationships[0].target.id', message: 'item y not found' },
          { field: 'dry_run', message: 'must be a boolean' },
        ],
        sent,
      ),
    ).toEqual([
      'items.csv line 9, class: unknown class "gpu"',
      'items.csv line 9: identifies item x, as items.csv line 8 does',
      'rels.csv line 3, target.id: item y not found',
      'the request, dry_run: must be a boolean',
    ]);
  });

  it('keys an item by what the server identifies it by', () => {
    expect(identityKeys({ class: 'pod', name: ' Checkout ', environment: 'prod', attributes: { k8s_uid: ' u-1 ', serial: '', hostname: 'H.dc' } })).toEqual([
      'k8s_uid u-1',
      'hostname h.dc of class pod',
      'pod "checkout" in environment prod',
    ]);
  });
});
