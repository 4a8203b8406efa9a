import { randomUUID } from 'node:crypto';

/**
 * Hostile requests generated from the OpenAPI document: every operation, every path and query
 * parameter and every body property gets values from each class of bad input (types, sizes,
 * nesting, unicode, control characters, extreme numbers, odd date formats, injection strings,
 * prototype keys), and every body gets malformed whole bodies (bad JSON, duplicate keys, wrong
 * content types). A route added to the gateway is fuzzed the day it appears in the document.
 */

type Schema = Record<string, any>;
export interface OpenApiDoc {
  paths: Record<string, Record<string, { parameters?: Schema[]; requestBody?: Schema }>>;
  components?: { schemas?: Record<string, Schema> };
}

export interface Operation {
  method: string;
  /** The document's path, with `{name}` parameters. */
  template: string;
  pathParams: string[];
  queryParams: { name: string; schema: Schema }[];
  body?: Schema;
}

export interface FuzzCase {
  op: Operation;
  label: string;
  path: string;
  /** Already encoded. */
  query: string;
  body?: string;
  contentType?: string;
  headers?: Record<string, string>;
}

/** A value, or raw JSON text for what JSON.stringify cannot write (huge numbers, duplicate keys). */
export type Hostile = { label: string; value: unknown } | { label: string; raw: string };

const deepObject = (levels: number): unknown => {
  let v: unknown = 'bottom';
  for (let i = 0; i < levels; i++) v = { a: v };
  return v;
};

/** Values of every class, for a body property. */
export const HOSTILE_VALUES: Hostile[] = [
  // types
  { label: 'null', value: null },
  { label: 'true', value: true },
  { label: 'zero', value: 0 },
  { label: 'negative', value: -1 },
  { label: 'fraction', value: 1.5 },
  { label: 'empty string', value: '' },
  { label: 'empty array', value: [] },
  { label: 'empty object', value: {} },
  { label: 'array of null', value: [null] },
  { label: 'object', value: { a: 1 } },
  { label: 'array of objects', value: [{ a: [] }] },
  // sizes
  { label: '100k string', value: 'x'.repeat(100_000) },
  { label: '10k array', value: Array.from({ length: 10_000 }, (_, i) => `v${i}`) },
  { label: 'long word', value: 'a'.repeat(5000) },
  // nesting
  { label: '40-level object', value: deepObject(40) },
  { label: '5000-level array', raw: '['.repeat(5000) + ']'.repeat(5000) },
  // unicode and control characters
  { label: 'lone high surrogate', raw: '"\\ud800"' },
  { label: 'lone low surrogate', raw: '"x\\udc00y"' },
  { label: 'NUL', raw: '"a\\u0000b"' },
  { label: 'control characters', raw: '"\\u0001\\u0007\\u001b[31m\\u001f"' },
  { label: 'right-to-left override', value: '\u202eevil' },
  { label: 'emoji', value: '🔥💥 incident' },
  { label: 'byte order mark', value: '\ufeffbom' },
  { label: 'combining marks', value: 'Z\u0351\u0363\u0334' },
  { label: 'non-latin', value: 'Ошибка 数据库 خطأ' },
  // extreme numbers
  { label: '1e21', value: 1e21 },
  { label: '-1e21', value: -1e21 },
  { label: '20 nines', raw: '99999999999999999999' },
  { label: '1e400', raw: '1e400' },
  { label: '-1e400', raw: '-1e400' },
  { label: '2^53+1', raw: '9007199254740993' },
  { label: 'negative zero', raw: '-0' },
  { label: 'tiny', value: 5e-324 },
  { label: 'numeric string', value: '1e21' },
  { label: 'NaN string', value: 'NaN' },
  // dates
  { label: 'ISO week date', value: '2026-W01-1' },
  { label: 'ISO ordinal date', value: '2026-001' },
  { label: 'month 13', value: '2026-13-45T00:00:00Z' },
  { label: 'February 30', value: '2026-02-30T00:00:00Z' },
  { label: 'hour 24', value: '2026-11-30T24:00:00Z' },
  { label: 'offset +25:00', value: '2026-11-30T08:15:00+25:00' },
  { label: 'year 0', value: '0000-01-01T00:00:00Z' },
  { label: 'year -1', value: '-000001-01-01T00:00:00Z' },
  { label: 'year 99999', value: '+099999-01-01T00:00:00Z' },
  { label: 'epoch seconds', value: '1700000000' },
  { label: 'no offset', value: '2026-11-30T08:15:00' },
  // injection and identifiers
  { label: 'SQL', value: "' OR '1'='1' --" },
  { label: 'percent NUL', value: '%00' },
  { label: 'path traversal', value: '../../etc/passwd' },
  { label: 'template', value: '${jndi:ldap://x}{{7*7}}' },
  { label: 'html', value: '<script>alert(1)</script>' },
  { label: 'huge reference', value: 'INC-99999999999999999999' },
  { label: 'nil uuid', value: '00000000-0000-0000-0000-000000000000' },
  // prototype keys
  { label: '__proto__ object', raw: '{"__proto__":{"polluted":true}}' },
  { label: 'constructor.prototype', raw: '{"constructor":{"prototype":{"polluted":true}}}' },
];

/** Whole bodies that are not what any route accepts. */
export const HOSTILE_BODIES: { label: string; body: string; contentType?: string }[] = [
  { label: 'invalid JSON', body: '{"a":' },
  { label: 'JSON null', body: 'null' },
  { label: 'JSON string', body: '"just a string"' },
  { label: 'JSON number', body: '42' },
  { label: 'JSON array', body: '[]' },
  { label: 'BOM before JSON', body: '\ufeff{}' },
  { label: '5000-level nesting', body: '['.repeat(5000) + ']'.repeat(5000) },
  { label: '5000-level objects', body: '{"a":'.repeat(5000) + '1' + '}'.repeat(5000) },
  { label: '__proto__ at the top', body: '{"__proto__":{"polluted":true}}' },
  { label: 'constructor.prototype at the top', body: '{"constructor":{"prototype":{"polluted":true}}}' },
  { label: 'form content type', body: '{"a":1}', contentType: 'application/x-www-form-urlencoded' },
  { label: 'text content type', body: '{"a":1}', contentType: 'text/plain' },
  { label: 'xml content type', body: '<a>1</a>', contentType: 'application/xml' },
  { label: 'utf-16 charset', body: '{"a":1}', contentType: 'application/json; charset=utf-16' },
  { label: 'over the body limit', body: JSON.stringify({ a: 'x'.repeat(2 * 1024 * 1024) }) },
];

/** Header values (HTTP headers carry bytes, not JSON: latin-1 only). */
export const HOSTILE_HEADERS: [string, string][] = [
  ['x-tenant-id', 'not-a-uuid'],
  ['x-tenant-id', '00000000-0000-0000-0000-000000000000'],
  ['x-tenant-id', "' OR '1'='1"],
  ['x-tenant-id', 'a'.repeat(2000)],
  ['idempotency-key', 'has spaces in it'],
  ['idempotency-key', 'k'.repeat(300)],
  ['idempotency-key', '\u00e9t\u00e9'],
];

/** Path parameter values (already encoded where they must be). */
export const HOSTILE_IDS: string[] = [
  'not-a-uuid',
  'INC-',
  'INC-99999999999999999999',
  '00000000-0000-0000-0000-000000000000',
  '%00',
  encodeURIComponent("1' OR '1'='1"),
  '%ED%A0%80', // an encoded lone surrogate: not UTF-8
  '%E0%A4%A', // truncated percent-encoding
  '%FF',
  'a'.repeat(150),
  'a'.repeat(5000),
  '..%2F..%2Fetc%2Fpasswd',
  encodeURIComponent('🔥'),
  encodeURIComponent('{{7*7}}'),
];

/** Query values, already encoded: every class, plus what only a query string can carry. */
export const HOSTILE_QUERY_VALUES: string[] = [
  ...HOSTILE_VALUES.filter((h): h is { label: string; value: unknown } => 'value' in h && (typeof h.value === 'string' || typeof h.value === 'number'))
    .map((h) => encodeURIComponent(String(h.value)).slice(0, 12_000)),
  '',
  '99999999999999999999',
  '1e400',
  '-1',
  '%ED%A0%80',
  '%FF%FE',
  '%',
  '%zz',
  '%00',
  'x'.repeat(14_000), // a request line near Node's 16 KiB header limit
];

/** Follows `$ref`s into the document's components. */
export function resolve(doc: OpenApiDoc, schema: Schema | undefined): Schema | undefined {
  let s = schema;
  for (let i = 0; s && s.$ref && i < 10; i++) s = doc.components?.schemas?.[String(s.$ref).split('/').pop()!];
  return s;
}

export function operations(doc: OpenApiDoc): Operation[] {
  const out: Operation[] = [];
  for (const [template, methods] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(methods)) {
      const params = op.parameters ?? [];
      out.push({
        method: method.toUpperCase(),
        template,
        pathParams: params.filter((p) => p.in === 'path').map((p) => p.name),
        queryParams: params.filter((p) => p.in === 'query').map((p) => ({ name: p.name, schema: p.schema ?? {} })),
        body: resolve(doc, op.requestBody?.content?.['application/json']?.schema),
      });
    }
  }
  return out;
}

/** A value the schema accepts, as far as it says (required properties only, for objects). */
export function plausible(doc: OpenApiDoc, schema: Schema | undefined, depth = 0): unknown {
  const s = resolve(doc, schema) ?? {};
  if (Array.isArray(s.enum) && s.enum.length) return s.enum[0];
  if (s.oneOf?.length) return plausible(doc, s.oneOf[0], depth + 1);
  const type = Array.isArray(s.type) ? s.type[0] : s.type;
  switch (type ?? (s.properties ? 'object' : 'string')) {
    case 'integer':
    case 'number':
      return typeof s.minimum === 'number' ? Math.max(s.minimum, 1) : 1;
    case 'boolean':
      return true;
    case 'array':
      return s.minItems ? Array.from({ length: s.minItems }, () => plausible(doc, s.items, depth + 1)) : [];
    case 'object': {
      if (depth > 5) return {};
      const out: Record<string, unknown> = {};
      for (const name of s.required ?? []) out[name] = plausible(doc, s.properties?.[name], depth + 1);
      return out;
    }
    default:
      if (s.format === 'email') return `fuzz-${randomUUID().slice(0, 8)}@example.com`;
      if (s.format === 'uuid') return randomUUID();
      if (s.format === 'date-time') return new Date().toISOString();
      if (s.format === 'date') return new Date().toISOString().slice(0, 10);
      return 'x'.repeat(Math.max(8, s.minLength ?? 1));
  }
}

/** `body` with `name` set to the hostile value, as JSON text. */
function withField(base: Record<string, unknown>, name: string, h: Hostile): string {
  if ('value' in h) return JSON.stringify({ ...base, [name]: h.value });
  const marker = `__fuzz_raw_${randomUUID()}__`;
  return JSON.stringify({ ...base, [name]: marker }).replace(`"${marker}"`, h.raw);
}

/** Picks `n` items of `list` spread over it, starting at `offset` (so that different fields get different values). */
function spread<T>(list: T[], n: number, offset: number): T[] {
  if (list.length <= n) return list;
  const step = list.length / n;
  return Array.from({ length: n }, (_, i) => list[(offset + Math.floor(i * step)) % list.length]);
}

export interface FuzzOptions {
  /** A real id for each parameter name of a path, so that bodies and queries are checked against a real record. */
  validParam(op: Operation, name: string): string | undefined;
  /** Hostile values tried per body property and per query parameter (spread over every class). */
  perField?: number;
}

/** Every case for one operation. */
export function casesFor(doc: OpenApiDoc, op: Operation, o: FuzzOptions): FuzzCase[] {
  const perField = o.perField ?? 16;
  const out: FuzzCase[] = [];
  const fill = (values: Record<string, string>) => op.template.replace(/\{(\w+)\}/g, (_, n: string) => values[n] ?? 'missing');
  const valid: Record<string, string> = {};
  for (const n of op.pathParams) valid[n] = o.validParam(op, n) ?? '00000000-0000-0000-0000-000000000000';
  const validPath = fill(valid);
  const hasBody = ['POST', 'PUT', 'PATCH'].includes(op.method);
  const base = hasBody ? ((plausible(doc, op.body) as Record<string, unknown>) ?? {}) : undefined;
  const baseBody = base === undefined ? undefined : JSON.stringify(base);

  // Path parameters: each hostile id in each parameter, the others valid.
  for (const n of op.pathParams) {
    for (const id of HOSTILE_IDS) out.push({ op, label: `path ${n}=${id.slice(0, 40)}`, path: fill({ ...valid, [n]: id }), query: '', body: baseBody });
  }
  // Query parameters: each one alone with hostile values, then repeated and nested forms.
  op.queryParams.forEach((q, i) => {
    for (const v of spread(HOSTILE_QUERY_VALUES, perField, i * 5)) out.push({ op, label: `query ${q.name}=${v.slice(0, 40)}`, path: validPath, query: `${q.name}=${v}`, body: baseBody });
    out.push({ op, label: `query ${q.name} repeated`, path: validPath, query: `${q.name}=1&${q.name}=2`, body: baseBody });
    out.push({ op, label: `query ${q.name}[a]`, path: validPath, query: `${q.name}[a]=1&${q.name}[__proto__]=x`, body: baseBody });
  });
  if (!op.queryParams.length) out.push({ op, label: 'unknown query parameters', path: validPath, query: '__proto__[x]=1&constructor[prototype]=1&q=%ED%A0%80' });
  // Headers the gateway reads: the tenant and the idempotency key.
  for (const [name, value] of HOSTILE_HEADERS) out.push({ op, label: `header ${name}: ${value.slice(0, 30)}`, path: validPath, query: '', body: baseBody, headers: { [name]: value } });
  if (hasBody && base) {
    const props = Object.keys(resolve(doc, op.body)?.properties ?? {});
    props.forEach((name, i) => {
      for (const h of spread(HOSTILE_VALUES, perField, i * 7)) out.push({ op, label: `body ${name}: ${h.label}`, path: validPath, query: '', body: withField(base, name, h) });
    });
    const first = props[0] ?? 'a';
    out.push({ op, label: 'duplicate keys', path: validPath, query: '', body: `{"${first}":"first","${first}":{"second":[1]}}` });
    for (const b of HOSTILE_BODIES) out.push({ op, label: `whole body: ${b.label}`, path: validPath, query: '', body: b.body, contentType: b.contentType });
  } else if (op.method === 'DELETE' || op.method === 'POST') {
    // Body-less routes still receive bodies from careless clients.
    out.push({ op, label: 'unexpected JSON body', path: validPath, query: '', body: '{"__proto__":{"x":1},"a":' + '['.repeat(100) + ']'.repeat(100) + '}' });
    out.push({ op, label: 'empty JSON body', path: validPath, query: '', body: '' });
  }
  return out;
}
