import 'reflect-metadata';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createGenerator } from 'ts-json-schema-generator';
import { openApiDocument } from '@opsplane/gateway';

/**
 * `npm run openapi`: writes the OpenAPI document offline (no database, no NATS) to
 * docs/openapi.json, after generating the answers' schemas from the view types of
 * libs/contracts (every exported `...View`) into services/gateway/src/openapi/view-schemas.json,
 * which the gateway serves them from. `--check` writes nothing and fails when either file is stale.
 */
const root = join(__dirname, '..', '..');
const VIEWS_FILE = join(root, 'services/gateway/src/openapi/view-schemas.json');
const DOC_FILE = join(root, 'docs/openapi.json');

type Schema = Record<string, unknown>;

export function generateViewSchemas(): Record<string, Schema> {
  const source = join(root, 'libs/contracts/src/index.ts');
  const generator = createGenerator({
    path: source,
    tsconfig: join(root, 'tsconfig.json'),
    type: '*',
    expose: 'export',
    topRef: true,
    jsDoc: 'extended',
    skipTypeCheck: true,
    additionalProperties: true,
  });
  const all = generator.createSchema('*') as { definitions?: Record<string, Schema> };
  const names = Object.keys(all.definitions ?? {}).filter((n) => n.endsWith('View'));
  const out: Record<string, Schema> = {};
  const add = (name: string) => {
    if (out[name]) return;
    const def = all.definitions![name];
    if (!def) throw new Error(`no type ${name} in libs/contracts`);
    out[name] = def;
    for (const m of JSON.stringify(def).matchAll(/"#\/definitions\/([^"]+)"/g)) add(decodeURIComponent(m[1]));
  };
  names.forEach(add);
  const json = JSON.stringify(Object.fromEntries(Object.entries(out).sort(([a], [b]) => a.localeCompare(b)))).replace(/#\/definitions\//g, '#/components/schemas/');
  return JSON.parse(json) as Record<string, Schema>;
}

async function main() {
  const check = process.argv.includes('--check');
  const views = generateViewSchemas();
  const doc = await openApiDocument(views);
  const files: [string, string][] = [
    [VIEWS_FILE, JSON.stringify(views, null, 2) + '\n'],
    [DOC_FILE, JSON.stringify(doc, null, 2) + '\n'],
  ];
  const stale = files.filter(([f, text]) => {
    try {
      return readFileSync(f, 'utf8') !== text;
    } catch {
      return true;
    }
  });
  if (check) {
    if (stale.length) {
      process.stderr.write(`stale: ${stale.map(([f]) => f.slice(root.length + 1)).join(', ')} — run npm run openapi\n`);
      process.exit(1);
    }
    process.stdout.write(`openapi: ${Object.keys(doc.paths).length} paths, ${Object.keys(doc.components?.schemas ?? {}).length} schemas, up to date\n`);
  } else {
    for (const [f, text] of files) writeFileSync(f, text);
    process.stdout.write(`openapi: wrote ${files.map(([f]) => f.slice(root.length + 1)).join(' and ')}\n`);
  }
  process.exit(0);
}

if (require.main === module) {
  main().catch((e: unknown) => {
    process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exit(1);
  });
}
