import { readFile } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import { performance } from 'node:perf_hooks';
import { getMetadataStorage, isUUID } from 'class-validator';
import { Presets, SingleBar } from 'cli-progress';
import { parse as parseCsv } from 'papaparse';
import { CiImportReportView, ciIdentityKeys, ImportCiDto, ImportRelationshipDto, MAX_IMPORT_ITEMS, MAX_IMPORT_RELATIONSHIPS } from '@opsplane/contracts';
import { AppError, FieldError, parseInput } from '@opsplane/errors';

/**
 * `opsplane cmdb import`: a CSV or JSON file of configuration items (and relationships) imported into the CMDB
 * through the gateway's `POST /api/cmdb/items/bulk`, over HTTP to a running platform.
 *
 * Every row is validated here first, with the contracts' own classes (the gateway's `parseInput`), so a bad row
 * is named by its file and line before anything is sent. What fits in one request is sent as one: the server
 * writes it all or nothing. A bigger file goes in chunks: a checking pass (`dry_run`, nothing written) over every
 * chunk of items, then the items chunk by chunk, then the relationships with their ends turned into the items'
 * ids. A chunk the server refuses after earlier ones were written is named by its file row; running the same
 * command again is safe, since the server identifies items (k8s_uid, serial, hostname, else class + name +
 * environment) and keeps existing relationships.
 */

export type ImportFormat = 'csv' | 'json';

/** The largest request body sent (the gateway refuses bodies over 1 MiB). */
export const MAX_REQUEST_BYTES = 900_000;
const REQUEST_TIMEOUT_MS = 300_000;
const MAX_RATE_LIMIT_RETRIES = 3;
const MAX_PROBLEMS_SHOWN = 20;
const BULK_PATH = '/api/cmdb/items/bulk';

/** A refusal of the command as one message for people (the CLI prints it after `error: `). */
export class CmdbImportError extends Error {
  override name = 'CmdbImportError';
}

/** A row and where it is in its file, for messages: `items.csv line 4`, `items.json items[3]`. */
export interface Located<T> {
  at: string;
  value: T;
}

export type PlainRow = Record<string, unknown>;

// ---------------------------------------------------------------- reading files

/** The format of a file: `--format` when given, else its extension. */
export function formatOf(file: string, override?: string): ImportFormat {
  const f = (override ?? extname(file).slice(1)).toLowerCase();
  if (f === 'csv' || f === 'json') return f;
  if (override !== undefined) throw new CmdbImportError(`--format must be csv or json, not "${override}"`);
  throw new CmdbImportError(`cannot tell the format of ${file} from its name: pass --format csv or --format json`);
}

/** The properties a contract class declares (its validation metadata, inherited ones included). */
function dtoFields(cls: abstract new () => object): string[] {
  return [...new Set(getMetadataStorage().getTargetValidationMetadatas(cls, '', true, false).map((m) => m.propertyName))];
}

/** CSV columns of an item: its fields (`attributes` as `attr.<key>`, `position` as `position.x` and `position.y`). */
const ITEM_FIELDS = dtoFields(ImportCiDto);
const ITEM_NESTED: Record<string, readonly string[]> = { position: ['x', 'y'] };
const RELATIONSHIP_FIELDS = dtoFields(ImportRelationshipDto);

interface CsvRecord {
  line: number;
  cells: string[];
}

/** The records of a CSV text with the line each starts on (papaparse; a quoted cell may span lines). */
function csvRecords(text: string, file: string): CsvRecord[] {
  const input = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const records: CsvRecord[] = [];
  const problems: string[] = [];
  let start = 0;
  let line = 1;
  let counted = 0;
  parseCsv<string[]>(input, {
    delimiter: ',',
    step: (r) => {
      // meta.cursor is where the next record starts, so this one started where the last one ended.
      for (let i = counted; i < start; i++) if (input.charCodeAt(i) === 10) line++;
      counted = start;
      for (const e of r.errors) problems.push(`${file} line ${line}: ${e.message}`);
      if (r.data.some((c) => c.trim() !== '')) records.push({ line, cells: r.data });
      start = r.meta.cursor;
    },
  });
  if (problems.length) throw inputError(file, problems);
  return records;
}

function inputError(file: string, problems: string[]): CmdbImportError {
  const shown = problems.slice(0, MAX_PROBLEMS_SHOWN);
  const more = problems.length > shown.length ? `\n  ... and ${problems.length - shown.length} more` : '';
  const what = problems.length === 1 ? '1 problem' : `${problems.length} problems`;
  return new CmdbImportError(`${file}: ${what}, nothing was sent:\n  ${shown.join('\n  ')}${more}`);
}

/** A CSV's header (checked against the columns allowed) and its records as objects, empty cells left out. */
function csvObjects(text: string, file: string, columnProblem: (column: string) => string | undefined): Located<Record<string, string>>[] {
  const [header, ...rows] = csvRecords(text, file);
  if (!header) return [];
  const columns = header.cells.map((c) => c.trim());
  const problems: string[] = [];
  columns.forEach((c, i) => {
    if (!c) problems.push(`${file} line ${header.line}: column ${i + 1} has no name`);
    else if (columns.indexOf(c) !== i) problems.push(`${file} line ${header.line}: column ${c} is there twice`);
    else {
      const p = columnProblem(c);
      if (p) problems.push(`${file} line ${header.line}: ${p}`);
    }
  });
  const out: Located<Record<string, string>>[] = [];
  for (const r of rows) {
    if (r.cells.length !== columns.length) {
      problems.push(`${file} line ${r.line}: ${r.cells.length} cells, but the header has ${columns.length} columns`);
      continue;
    }
    const value: Record<string, string> = {};
    r.cells.forEach((cell, i) => {
      const v = cell.trim();
      if (v !== '') value[columns[i]] = v;
    });
    out.push({ at: `${file} line ${r.line}`, value });
  }
  if (problems.length) throw inputError(file, problems);
  return out;
}

/** `7`, `-1.5` as numbers; anything else stays text (and fails validation if a number was wanted). */
const numberOr = (v: string): number | string => (/^-?\d+(\.\d+)?$/.test(v) ? Number(v) : v);

/**
 * Items from CSV: a header row, then one item a row. Columns are the item's fields (name, class, environment,
 * owner, lifecycle_status, criticality, title, ref), `attr.<key>` for an attribute (a string) and
 * `position.x`/`position.y`. Cells are trimmed; an empty cell is left out.
 */
export function parseItemsCsv(text: string, file: string): Located<PlainRow>[] {
  const scalar = ITEM_FIELDS.filter((f) => f !== 'attributes' && !(f in ITEM_NESTED));
  const allowed = [...scalar, 'attr.<key>', ...Object.entries(ITEM_NESTED).flatMap(([f, keys]) => keys.map((k) => `${f}.${k}`))];
  const columnProblem = (c: string) => {
    if (c.startsWith('attr.')) return c.length > 5 ? undefined : 'column attr. names no attribute (attr.<key>)';
    const [field, sub] = c.split(/\.(.*)/s);
    if (sub === undefined ? scalar.includes(c) : ITEM_NESTED[field]?.includes(sub)) return undefined;
    return `unknown column ${c} (columns: ${allowed.join(', ')})`;
  };
  return csvObjects(text, file, columnProblem).map(({ at, value }) => {
    const item: PlainRow = {};
    for (const [c, v] of Object.entries(value)) {
      if (c.startsWith('attr.')) ((item.attributes ??= {}) as PlainRow)[c.slice(5)] = v;
      else if (c.includes('.')) {
        const [field, sub] = c.split(/\.(.*)/s);
        ((item[field] ??= {}) as PlainRow)[sub] = numberOr(v);
      } else item[c] = v;
    }
    return { at, value: item };
  });
}

/**
 * Relationships from CSV: columns source, target, type, criticality. An end is the `ref` of an item of the import
 * or, when no item has that ref, an existing item's id (a UUID).
 */
export function parseRelationshipsCsv(text: string, file: string, refs: ReadonlySet<string>): Located<PlainRow>[] {
  const columnProblem = (c: string) => (RELATIONSHIP_FIELDS.includes(c) ? undefined : `unknown column ${c} (columns: ${RELATIONSHIP_FIELDS.join(', ')})`);
  const end = (cell: string | undefined) => (cell === undefined ? undefined : !refs.has(cell) && isUUID(cell) ? { id: cell } : { ref: cell });
  return csvObjects(text, file, columnProblem).map(({ at, value }) => ({
    at,
    value: { ...value, source: end(value.source), target: end(value.target) },
  }));
}

function parseJson(text: string, file: string): unknown {
  try {
    return JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  } catch (e) {
    throw new CmdbImportError(`${file} is not valid JSON: ${(e as Error).message}`);
  }
}

const isObject = (v: unknown): v is PlainRow => v !== null && typeof v === 'object' && !Array.isArray(v);

function jsonRows(rows: unknown[], file: string, name: string): Located<PlainRow>[] {
  return rows.map((value, i) => ({ at: `${file} ${name}[${i}]`, value: value as PlainRow }));
}

/** Items (and relationships) from JSON: the bulk request's shape `{items, relationships}`, or an array of items. */
export function parseItemsJson(text: string, file: string): { items: Located<PlainRow>[]; relationships: Located<PlainRow>[] } {
  const doc = parseJson(text, file);
  if (Array.isArray(doc)) return { items: jsonRows(doc, file, 'items'), relationships: [] };
  if (!isObject(doc)) throw new CmdbImportError(`${file} must hold an array of items or an object {"items": [...], "relationships": [...]}`);
  const unknown = Object.keys(doc).filter((k) => k !== 'items' && k !== 'relationships');
  if (unknown.length) throw new CmdbImportError(`${file}: unknown key ${unknown.join(', ')} (expected items and relationships${unknown.includes('dry_run') ? '; for a dry run pass --dry-run' : ''})`);
  if (!Array.isArray(doc.items)) throw new CmdbImportError(`${file}: items must be an array of items`);
  if (doc.relationships !== undefined && !Array.isArray(doc.relationships)) throw new CmdbImportError(`${file}: relationships must be an array`);
  return { items: jsonRows(doc.items, file, 'items'), relationships: jsonRows((doc.relationships as unknown[] | undefined) ?? [], file, 'relationships') };
}

/** Relationships from JSON: an array of `{source: {ref} | {id}, target: {ref} | {id}, type, criticality?}`. */
export function parseRelationshipsJson(text: string, file: string): Located<PlainRow>[] {
  const doc = parseJson(text, file);
  if (!Array.isArray(doc)) throw new CmdbImportError(`${file} must hold an array of relationships`);
  return jsonRows(doc, file, 'relationships');
}

// ---------------------------------------------------------------- validating

export interface ValidImport {
  items: Located<ImportCiDto>[];
  relationships: Located<ImportRelationshipDto>[];
}

/** A problem as `<file> <row>, <field>: <message>`. */
const problem = (at: string, field: string | undefined, message: string) => `${at}${field ? `, ${field}` : ''}: ${message}`;

async function validRow<T extends object>(cls: new () => T, row: Located<PlainRow>, fields: string[], problems: string[]): Promise<T | undefined> {
  if (!isObject(row.value)) {
    problems.push(problem(row.at, undefined, 'must be an object'));
    return undefined;
  }
  const unknown = Object.keys(row.value).filter((k) => !fields.includes(k));
  for (const k of unknown) problems.push(problem(row.at, k, `unknown field (fields: ${fields.join(', ')})`));
  try {
    const value = await parseInput(cls, row.value);
    return unknown.length ? undefined : value;
  } catch (e) {
    if (!(e instanceof AppError)) throw e;
    // One problem a field: "is required" when it is missing, else its messages (class-validator lists the
    // constraints last declared first: the type check ends up first again).
    const byField = new Map<string, string[]>();
    for (const f of e.details?.fields ?? [{ field: '', message: e.message }]) byField.set(f.field, [f.message, ...(byField.get(f.field) ?? [])]);
    for (const [field, messages] of byField) {
      const value = field.split('.').reduce<unknown>((v, k) => (isObject(v) ? v[k] : undefined), row.value);
      problems.push(problem(row.at, field, value === undefined || value === null ? `${field} is required` : messages.join('; ')));
    }
    return undefined;
  }
}

/**
 * The keys the cmdb service identifies an item by, as its import compares them (services/cmdb identityOf): two
 * items of one import must not share one. Checked here because chunks are separate requests.
 */
/** The identities an item holds, as the CMDB identifies items (two items sharing one are the same item), in words. */
export function identityKeys(it: Pick<ImportCiDto, 'class' | 'name' | 'environment' | 'attributes'>): string[] {
  return ciIdentityKeys(it).map((k) => k.label);
}

const endOf = (v: unknown) => (isObject(v) ? v : {}) as { id?: string; ref?: string };

/**
 * Every row checked against the contracts' classes (the gateway's own parsing), refs unique, no two items of
 * one identity, every relationship end an item of the import (by ref) or an item id. Throws naming each bad
 * row and field; nothing is sent then.
 */
export async function validateImport(items: Located<PlainRow>[], relationships: Located<PlainRow>[], onRows: (n: number) => void = () => undefined): Promise<ValidImport> {
  const problems: string[] = [];
  const out: ValidImport = { items: [], relationships: [] };
  // Every ref given, also of items refused below (their relationships are not refused for it as well).
  const known = new Set(items.flatMap((r) => (isObject(r.value) && typeof r.value.ref === 'string' ? [r.value.ref] : [])));
  const refs = new Map<string, string>();
  const identities = new Map<string, string>();
  let done = 0;
  const tick = () => {
    if (++done % 500 === 0) onRows(500);
  };
  for (const row of items) {
    tick();
    const it = await validRow(ImportCiDto, row, ITEM_FIELDS, problems);
    if (!it) continue;
    if (it.ref !== undefined) {
      const first = refs.get(it.ref);
      if (first) problems.push(problem(row.at, 'ref', `ref "${it.ref}" is used by ${first} too`));
      else refs.set(it.ref, row.at);
    }
    for (const key of identityKeys(it)) {
      const first = identities.get(key);
      if (first) {
        problems.push(problem(row.at, undefined, `identifies the same item as ${first} (${key})`));
        break;
      }
      identities.set(key, row.at);
    }
    out.items.push({ at: row.at, value: it });
  }
  for (const row of relationships) {
    tick();
    const plain = isObject(row.value) ? row.value : {};
    const ends = { source: endOf(plain.source), target: endOf(plain.target) };
    const rel = await validRow(ImportRelationshipDto, row, RELATIONSHIP_FIELDS, problems);
    let ok = !!rel;
    for (const side of ['source', 'target'] as const) {
      const e = ends[side];
      if ((e.id === undefined) === (e.ref === undefined)) {
        problems.push(problem(row.at, side, plain[side] === undefined ? `${side} is required` : 'give either id or ref'));
        ok = false;
      } else if (typeof e.ref === 'string' && !known.has(e.ref)) {
        const csv = / line \d+$/.test(row.at);
        problems.push(problem(row.at, side, `no item of the import has ref "${e.ref}"${csv ? ' (nor is it an item id)' : ''}`));
        ok = false;
      }
    }
    const same = (k: 'id' | 'ref') => ends.source[k] !== undefined && ends.source[k] === ends.target[k];
    if (ok && (same('id') || same('ref'))) {
      problems.push(problem(row.at, undefined, 'an item cannot be related to itself'));
      ok = false;
    }
    if (ok) out.relationships.push({ at: row.at, value: rel! });
  }
  onRows(done % 500);
  if (problems.length) {
    const files = [...new Set([...items, ...relationships].map((r) => r.at.replace(/ (line \d+|(items|relationships)\[\d+\])$/, '')))];
    throw inputError(files.join(' and '), problems);
  }
  return out;
}

// ---------------------------------------------------------------- chunks and ends

export interface Range {
  start: number;
  end: number;
}

/**
 * Consecutive ranges of rows, each at most `maxRows` rows and (with the request's envelope) `maxBytes` bytes
 * of JSON; a row too big on its own is a range of its own (the caller refuses it first).
 */
export function chunkRanges(sizes: readonly number[], maxRows: number, maxBytes: number, overhead = 64): Range[] {
  const out: Range[] = [];
  let start = 0;
  let bytes = overhead;
  sizes.forEach((size, i) => {
    const rows = i - start;
    if (rows > 0 && (rows >= maxRows || bytes + size + 1 > maxBytes)) {
      out.push({ start, end: i });
      start = i;
      bytes = overhead;
    }
    bytes += size + 1;
  });
  if (start < sizes.length) out.push({ start, end: sizes.length });
  return out;
}

export interface ResolvedRelationship {
  source: { id: string };
  target: { id: string };
  type: ImportRelationshipDto['type'];
  criticality?: ImportRelationshipDto['criticality'];
}

/** A relationship with its ends as item ids: a `ref` is the id the import gave the item that has it. */
export function resolveEnds(rel: ImportRelationshipDto, idOfRef: (ref: string) => string | undefined): ResolvedRelationship {
  const id = (end: ImportRelationshipDto['source']) => {
    if (end.id !== undefined) return end.id;
    const found = idOfRef(end.ref!);
    if (!found) throw new Error(`no id for ref "${end.ref}"`);
    return found;
  };
  return { source: { id: id(rel.source) }, target: { id: id(rel.target) }, type: rel.type, ...(rel.criticality ? { criticality: rel.criticality } : {}) };
}

/** An item as a chunk sends it: without its ref, which only names it within one request. */
export function withoutRef(it: ImportCiDto): Omit<ImportCiDto, 'ref'> {
  const { ref: _ref, ...rest } = it;
  return rest;
}

/**
 * A refusal's fields (`items[3].class`) and the `items[1]` its messages mention, named by their rows in the files:
 * `rows.items[k]` is the row sent as `items[k]` of the request.
 */
export function locateFieldErrors(fields: readonly FieldError[], rows: SentRows): string[] {
  return fields.map((f) => {
    const m = /^(items|relationships)\[(\d+)\]\.?(.*)$/.exec(f.field);
    const at = m && rowOf(rows, m[1], m[2]);
    return at ? problem(at, m[3] || undefined, renameRows(f.message, rows)) : problem('the request', f.field, renameRows(f.message, rows));
  });
}

/** The rows a request carried: `items[k]` of the request is `items[k]` here. */
export interface SentRows {
  items: readonly Located<unknown>[];
  relationships: readonly Located<unknown>[];
}

const rowOf = (rows: SentRows, list: string, k: string) => (list === 'items' ? rows.items : rows.relationships)[Number(k)]?.at;

/** `items[1]` in a server's message, as the row it is in the files. */
export function renameRows(text: string, rows: SentRows): string {
  return text.replace(/\b(items|relationships)\[(\d+)\]/g, (m, list: string, k: string) => rowOf(rows, list, k) ?? m);
}

// ---------------------------------------------------------------- HTTP

interface ErrorBody {
  error?: string;
  code?: string;
  trace_id?: string;
  details?: FieldError[] | Record<string, unknown>;
}

/** A request that failed: `sentence` says why for people; `nothingWritten` when it surely wrote nothing (refused, or never sent). */
class RequestFailure extends Error {
  constructor(
    readonly sentence: string,
    readonly nothingWritten: boolean,
    readonly fields: FieldError[] = [],
  ) {
    super(sentence);
  }
}

type BulkBody = { items: object[]; relationships?: object[]; dry_run?: true };

class BulkClient {
  requests = 0;
  private readonly endpoint: string;

  constructor(
    private readonly base: string,
    private readonly token: string,
    private readonly tenant: string,
  ) {
    this.endpoint = `${base}${BULK_PATH}`;
  }

  async post(body: BulkBody): Promise<CiImportReportView> {
    const payload = JSON.stringify(body);
    for (let attempt = 0; ; attempt++) {
      let res: Response;
      let text: string;
      this.requests++;
      try {
        res = await fetch(this.endpoint, {
          method: 'POST',
          headers: { authorization: `Bearer ${this.token}`, 'x-tenant-id': this.tenant, 'content-type': 'application/json' },
          body: payload,
          signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
        });
        text = await res.text();
      } catch (e) {
        throw this.unreachable(e);
      }
      let json: { data?: CiImportReportView } & ErrorBody;
      try {
        json = JSON.parse(text);
      } catch {
        throw new RequestFailure(`${this.endpoint} answered ${res.status} with something other than Opsplane's JSON: is --url (OPSPLANE_URL) the gateway's address?`, false);
      }
      if (res.status === 200 && json.data) return json.data;
      if (res.status === 429 && attempt < MAX_RATE_LIMIT_RETRIES) {
        const wait = Math.min(60, Number(res.headers.get('retry-after')) || 1);
        await new Promise((r) => setTimeout(r, wait * 1000));
        continue;
      }
      throw this.refusal(res.status, json, Buffer.byteLength(payload));
    }
  }

  private unreachable(e: unknown): RequestFailure {
    const err = e as Error & { cause?: { code?: string; message?: string } };
    if (err?.name === 'TimeoutError' || err?.name === 'AbortError') {
      return new RequestFailure(`the gateway at ${this.base} did not answer within ${REQUEST_TIMEOUT_MS / 1000} s`, false);
    }
    const code = err?.cause?.code;
    // No connection was made: the request was never sent.
    const neverSent = code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'EAI_AGAIN' || err?.cause?.message === 'bad port';
    const why = code ?? err?.cause?.message ?? err?.message ?? String(e);
    return new RequestFailure(`cannot reach the Opsplane gateway at ${this.base} (${why}): start the platform (\`npm start\`) or point --url (OPSPLANE_URL) at a running gateway`, neverSent);
  }

  private refusal(status: number, body: ErrorBody, bytes: number): RequestFailure {
    const said = `${status}${body.code ? ` ${body.code}` : ''}${body.error ? `: ${body.error}` : ''}${body.trace_id ? `, trace ${body.trace_id}` : ''}`;
    if (status === 401) return new RequestFailure(`the gateway refused the credentials (${said}): pass a valid API token or login token with --token (OPSPLANE_TOKEN); login tokens expire after 15 minutes`, true);
    if (status === 403) {
      return new RequestFailure(
        `the gateway refused the import (${said}): the token must belong to tenant ${this.tenant} (--tenant, OPSPLANE_TENANT) and be allowed to write the CMDB (an API token with write permission, or a member, admin or owner)`,
        true,
      );
    }
    if (status === 404) return new RequestFailure(`there is no CMDB import at ${this.endpoint} (${said}): is --url (OPSPLANE_URL) the gateway's address?`, true);
    if (status === 413) return new RequestFailure(`the gateway refused a request of ${bytes} bytes as too large (${said}): pass a smaller --chunk-size`, true);
    if (status === 429) return new RequestFailure(`the gateway kept refusing requests as too many (${said}): try again in a minute`, true);
    if (status === 503) return new RequestFailure(`the platform is unavailable or did not answer in time (${said}); a smaller --chunk-size makes each request shorter`, false);
    if (status >= 500) return new RequestFailure(`the platform failed (${said})`, false);
    const fields = Array.isArray(body.details) ? body.details.filter((f): f is FieldError => typeof f?.field === 'string' && typeof f?.message === 'string') : [];
    // With fields, the message only lists their names: the fields themselves say it, row by row.
    const brief = `${status}${body.code ? ` ${body.code}` : ''}${body.trace_id ? `, trace ${body.trace_id}` : ''}`;
    return new RequestFailure(`the server refused it (${fields.length ? brief : said})`, true, fields);
  }
}

// ---------------------------------------------------------------- progress

/** A bar on stderr (cli-progress) when it is a terminal and wanted; nothing otherwise. Its total grows by phase. */
class Progress {
  private readonly bar?: SingleBar;
  private total = 0;

  constructor(enabled: boolean) {
    if (!enabled || !process.stderr.isTTY) return;
    this.bar = new SingleBar(
      { format: 'cmdb import: {phase} [{bar}] {percentage}% | {value}/{total} rows | {requests} requests | {duration_formatted}', stream: process.stderr },
      Presets.shades_classic,
    );
  }

  /** More rows to go through (the first call shows the bar). */
  grow(rows: number, phase: string): void {
    if (!this.bar || rows === 0) return;
    if (this.total === 0) this.bar.start(rows, 0, { phase, requests: 0 });
    else this.bar.setTotal(this.total + rows);
    this.total += rows;
    this.bar.update({ phase });
  }

  phase(phase: string, requests: number): void {
    this.bar?.update({ phase, requests });
  }

  add(rows: number, requests?: number): void {
    this.bar?.increment(rows, requests === undefined ? {} : { requests });
  }

  stop(): void {
    this.bar?.stop();
  }
}

// ---------------------------------------------------------------- the import

export interface ImportOptions {
  /** The items file (CSV or JSON). */
  file: string;
  /** A file of relationships (CSV or a JSON array). */
  relationships?: string;
  /** csv or json, for both files; else each file's extension. */
  format?: string;
  /** The gateway, e.g. http://127.0.0.1:8080. */
  url: string;
  /** An API token or a user's login token. */
  token: string;
  tenant: string;
  /** Only check: the server reports what the import would do and writes nothing. */
  dryRun?: boolean;
  /** At most this many rows (items, or relationships) per request: chunked when there are more. */
  chunkSize?: number;
  /** A progress bar on stderr when it is a terminal (default true). */
  progress?: boolean;
}

export interface ImportSummary {
  created: number;
  updated: number;
  unchanged: number;
  /** null after a chunked dry run: relationships are checked by the server only once their items exist. */
  relationships_created: number | null;
  relationships_unchanged: number | null;
  requests: number;
  seconds: number;
  dry_run: boolean;
}

async function readText(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (e) {
    throw new CmdbImportError(`cannot read ${file}: ${(e as Error).message}`);
  }
}

/** The rows of the files, as read (not yet validated). */
export async function readImportFiles(o: Pick<ImportOptions, 'file' | 'relationships' | 'format'>): Promise<{ items: Located<PlainRow>[]; relationships: Located<PlainRow>[] }> {
  const name = basename(o.file);
  const text = await readText(o.file);
  const parsed = formatOf(o.file, o.format) === 'csv' ? { items: parseItemsCsv(text, name), relationships: [] } : parseItemsJson(text, name);
  let relationships = parsed.relationships;
  if (o.relationships) {
    const relName = basename(o.relationships);
    const relText = await readText(o.relationships);
    const refs = new Set(parsed.items.flatMap((r) => (isObject(r.value) && typeof r.value.ref === 'string' ? [r.value.ref] : [])));
    const more = formatOf(o.relationships, o.format) === 'csv' ? parseRelationshipsCsv(relText, relName, refs) : parseRelationshipsJson(relText, relName);
    relationships = [...relationships, ...more];
  }
  return { items: parsed.items, relationships };
}

function checkOptions(o: ImportOptions): string {
  let url: URL;
  try {
    url = new URL(o.url);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('not http');
  } catch {
    throw new CmdbImportError(`--url must be the gateway's http(s) address (e.g. http://127.0.0.1:8080), not "${o.url}"`);
  }
  if (!o.token) throw new CmdbImportError('no token: pass --token or set OPSPLANE_TOKEN (an API token with write permission, or a login token)');
  if (!o.tenant) throw new CmdbImportError('no tenant: pass --tenant or set OPSPLANE_TENANT (the tenant id)');
  if (o.chunkSize !== undefined && (!Number.isInteger(o.chunkSize) || o.chunkSize < 1 || o.chunkSize > MAX_IMPORT_ITEMS)) {
    throw new CmdbImportError(`--chunk-size must be a whole number from 1 to ${MAX_IMPORT_ITEMS}`);
  }
  return url.origin + url.pathname.replace(/\/+$/, '');
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** What one import run shares: the client, the rows, the running totals, the bar. */
interface Run {
  api: BulkClient;
  base: string;
  items: Located<ImportCiDto>[];
  rels: Located<ImportRelationshipDto>[];
  dryRun: boolean;
  /** Rows per request at most (--chunk-size). */
  perRequest: number;
  totals: { created: number; updated: number; unchanged: number; relationships_created: number; relationships_unchanged: number };
  progress: Progress;
}

function count(run: Run, r: CiImportReportView): void {
  const t = run.totals;
  t.created += r.created;
  t.updated += r.updated;
  t.unchanged += r.unchanged;
  t.relationships_created += r.relationships_created;
  t.relationships_unchanged += r.relationships_unchanged;
}

/** A dry run's answer must say it was one: a server without dry runs would have written it. */
function checked(run: Run, r: CiImportReportView): CiImportReportView {
  if (r.dry_run !== true) {
    throw new CmdbImportError(
      `the server at ${run.base} does not know dry runs (it predates them) and wrote what it was sent to check (created ${r.created}, updated ${r.updated}); upgrade the platform before importing in chunks or with --dry-run`,
    );
  }
  return r;
}

/** Everything in one request: the server writes it all or nothing (or, in a dry run, checks it all). */
async function importAtOnce(run: Run, body: BulkBody): Promise<void> {
  run.progress.phase(run.dryRun ? 'checking' : 'importing', 0);
  let report: CiImportReportView;
  try {
    report = await run.api.post(run.dryRun ? { ...body, dry_run: true } : body);
  } catch (e) {
    throw failure(e, { items: run.items, relationships: run.rels }, e instanceof RequestFailure && e.nothingWritten ? 'Nothing was written: the import is all or nothing.' : unknownOutcome('the import'));
  }
  if (run.dryRun) checked(run, report);
  count(run, report);
  run.progress.add(run.items.length + run.rels.length, run.api.requests);
}

/**
 * In chunks: a checking pass over every chunk of items (dry runs), then (unless this is a dry run) the items chunk by
 * chunk, keeping each row's id, then the relationships with their ends as ids.
 */
async function importInChunks(run: Run): Promise<void> {
  const { api, items, rels, progress } = run;
  const itemSizes = items.map((r) => Buffer.byteLength(JSON.stringify(withoutRef(r.value))));
  const big = itemSizes.findIndex((size) => size > MAX_REQUEST_BYTES - 100);
  if (big >= 0) throw new CmdbImportError(`${items[big].at}: the item is ${itemSizes[big]} bytes of JSON, more than a request may carry`);
  const itemChunks = chunkRanges(itemSizes, Math.min(run.perRequest, MAX_IMPORT_ITEMS), MAX_REQUEST_BYTES);
  const sendItems = (c: Range, check: boolean) => api.post({ items: items.slice(c.start, c.end).map((r) => withoutRef(r.value)), ...(check ? { dry_run: true as const } : {}) });

  // The checking pass: the server's checks (classes, fields, identities) on every chunk, nothing written.
  const seen = new Map<string, string>();
  for (const [k, c] of itemChunks.entries()) {
    progress.phase(`checking ${k + 1}/${itemChunks.length}`, api.requests);
    let report: CiImportReportView;
    try {
      report = checked(run, await sendItems(c, true));
    } catch (e) {
      throw failure(e, { items: items.slice(c.start, c.end), relationships: [] }, `Nothing was written (this was the checking pass, request ${k + 1} of ${itemChunks.length}).`);
    }
    // Two rows of different chunks that find the same existing item (one request would refuse that).
    report.items.forEach((r, j) => {
      const at = items[c.start + j].at;
      if (r.id !== null && seen.has(r.id)) throw new CmdbImportError(`${at}: identifies item ${r.id}, as ${seen.get(r.id)} does; nothing was written`);
      if (r.id !== null) seen.set(r.id, at);
    });
    if (run.dryRun) count(run, report);
    progress.add(c.end - c.start, api.requests);
  }
  if (run.dryRun) return;

  const ids: string[] = new Array(items.length);
  for (const [k, c] of itemChunks.entries()) {
    progress.phase(`items ${k + 1}/${itemChunks.length}`, api.requests);
    let report: CiImportReportView;
    try {
      report = await sendItems(c, false);
    } catch (e) {
      throw failure(e, { items: items.slice(c.start, c.end), relationships: [] }, written(e, `request ${k + 1} of ${itemChunks.length} for items`, c.start, run.totals, 0));
    }
    report.items.forEach((r, j) => (ids[c.start + j] = r.id!));
    count(run, report);
    progress.add(c.end - c.start, api.requests);
  }

  const rowOfRef = new Map(items.flatMap((r, i) => (r.value.ref !== undefined ? [[r.value.ref, i] as const] : [])));
  const resolved = rels.map((r) => resolveEnds(r.value, (ref) => ids[rowOfRef.get(ref)!]));
  const relChunks = chunkRanges(
    resolved.map((r) => Buffer.byteLength(JSON.stringify(r))),
    Math.min(run.perRequest, MAX_IMPORT_RELATIONSHIPS),
    MAX_REQUEST_BYTES,
  );
  for (const [k, c] of relChunks.entries()) {
    progress.phase(`relationships ${k + 1}/${relChunks.length}`, api.requests);
    let report: CiImportReportView;
    try {
      report = await api.post({ items: [], relationships: resolved.slice(c.start, c.end) });
    } catch (e) {
      throw failure(e, { items: [], relationships: rels.slice(c.start, c.end) }, written(e, `request ${k + 1} of ${relChunks.length} for relationships`, items.length, run.totals, c.start));
    }
    count(run, report);
    progress.add(c.end - c.start, api.requests);
  }
}

/**
 * Imports a file of items (and relationships) through the gateway; answers what was created, updated and left
 * unchanged. Throws a CmdbImportError saying what went wrong, where in the files, and what was written.
 */
export async function importCmdbFile(o: ImportOptions): Promise<ImportSummary> {
  const began = performance.now();
  const base = checkOptions(o);
  const rows = await readImportFiles(o);
  const progress = new Progress(o.progress ?? true);
  progress.grow(rows.items.length + rows.relationships.length, 'checking the files');
  let valid: ValidImport;
  try {
    valid = await validateImport(rows.items, rows.relationships, (n) => progress.add(n));
  } catch (e) {
    progress.stop();
    throw e;
  }
  const { items, relationships: rels } = valid;
  const dryRun = o.dryRun ?? false;
  const perRequest = o.chunkSize ?? Infinity;
  const body: BulkBody = { items: items.map((r) => r.value), ...(rels.length ? { relationships: rels.map((r) => r.value) } : {}) };
  const atOnce =
    items.length <= Math.min(perRequest, MAX_IMPORT_ITEMS) &&
    rels.length <= Math.min(perRequest, MAX_IMPORT_RELATIONSHIPS) &&
    Buffer.byteLength(JSON.stringify(body)) <= MAX_REQUEST_BYTES;
  progress.grow(atOnce ? items.length + rels.length : items.length + (dryRun ? 0 : items.length + rels.length), 'sending');
  const run: Run = {
    api: new BulkClient(base, o.token, o.tenant),
    base,
    items,
    rels,
    dryRun,
    perRequest,
    totals: { created: 0, updated: 0, unchanged: 0, relationships_created: 0, relationships_unchanged: 0 },
    progress,
  };
  try {
    if (!items.length && !rels.length) {
      // Nothing to send.
    } else if (atOnce) await importAtOnce(run, body);
    else await importInChunks(run);
  } finally {
    run.progress.stop();
  }
  // A chunked dry run sends no relationships: the server can check them only once their items exist.
  const relationshipsUnknown = dryRun && !atOnce && rels.length > 0;
  return {
    ...run.totals,
    ...(relationshipsUnknown ? { relationships_created: null, relationships_unchanged: null } : {}),
    requests: run.api.requests,
    seconds: Math.round((performance.now() - began) / 100) / 10,
    dry_run: dryRun,
  };
}

function unknownOutcome(what: string): string {
  return `Whether ${what} was written is not known: running the same command again is safe (items are identified, existing relationships kept, so nothing is duplicated).`;
}

/** What the requests before a failed one wrote, and that running the command again is safe. */
function written(e: unknown, request: string, items: number, t: { created: number; updated: number; unchanged: number }, relationships: number): string {
  const nothing = e instanceof RequestFailure && e.nothingWritten;
  const before = items
    ? `The requests before it wrote ${plural(items, 'item')} (created ${t.created}, updated ${t.updated}, unchanged ${t.unchanged})${relationships ? ` and ${plural(relationships, 'relationship')}` : ''}.`
    : 'Nothing was written before it.';
  const thisOne = nothing ? `${request[0].toUpperCase()}${request.slice(1)} wrote nothing (each request is all or nothing).` : `Whether ${request} was written is not known.`;
  return `${thisOne} ${before} Running the same command again is safe: items are identified and existing relationships kept, so nothing is duplicated.`;
}

/** A failed request as one message: why, which rows of the files, what was written. */
function failure(e: unknown, rows: SentRows, outcome: string): Error {
  if (!(e instanceof RequestFailure)) return e instanceof Error ? e : new Error(String(e));
  const located = locateFieldErrors(e.fields, rows);
  const shown = located.slice(0, MAX_PROBLEMS_SHOWN).join('\n  ') + (located.length > MAX_PROBLEMS_SHOWN ? `\n  ... and ${located.length - MAX_PROBLEMS_SHOWN} more` : '');
  return new CmdbImportError(`${renameRows(e.sentence, rows)}${located.length ? `:\n  ${shown}` : ''}\n${outcome}`);
}
