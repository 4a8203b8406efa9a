import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ts from 'typescript';

const root = join(__dirname, '..', '..');

/** Types generated from docs/openapi.json with openapi-typescript, and a small client checked against them. */
function typecheck(client: string): string[] {
  const dir = mkdtempSync(join(tmpdir(), 'opsplane-openapi-'));
  const gen = spawnSync(process.execPath, [join(root, 'node_modules/openapi-typescript/bin/cli.js'), join(root, 'docs/openapi.json'), '-o', join(dir, 'api.d.ts')], { encoding: 'utf8' });
  if (gen.status !== 0) throw new Error(`openapi-typescript failed: ${gen.stderr}`);
  writeFileSync(join(dir, 'client.ts'), client);
  const program = ts.createProgram([join(dir, 'client.ts')], { strict: true, noEmit: true, target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.CommonJS, skipLibCheck: true, types: [] });
  return ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, ' '));
}

const CLIENT = `
import type { paths, components } from './api';

type Json<R> = R extends { content: { 'application/json': infer B } } ? B : never;
type Created = Json<paths['/api/incidents']['post']['responses']['201']>;
type Listed = Json<paths['/api/incidents']['get']['responses']['200']>;
type Failed = Json<paths['/api/incidents']['post']['responses']['422']>;
type Body = NonNullable<paths['/api/incidents']['post']['requestBody']>['content']['application/json'];

export function summary(created: Created, listed: Listed, failed: Failed): string {
  const incident: components['schemas']['IncidentView'] = created.data;
  // Nullable fields are nullable, required ones are there.
  const assignee: string | null = incident.assigned_to;
  const total: number = listed.data.total;
  const first = listed.data.items[0]?.reference;
  return [incident.reference, incident.status, assignee ?? '-', total, first, failed.code, failed.trace_id].join(' ');
}

export const body: Body = { title: 'Database down', severity: 'P1', tags: ['db'] };
export const login: NonNullable<paths['/api/auth/token']['post']['requestBody']>['content']['application/json'] = { email: 'a@b.c', password: 'x' };
export const publicLogin: paths['/api/auth/token']['post']['parameters']['header'] = { 'x-tenant-id': '00000000-0000-0000-0000-000000000000' };
`;

describe('the OpenAPI document, used by a typed client', () => {
  it('generates types (openapi-typescript) that a client type-checks against', () => {
    expect(typecheck(CLIENT)).toEqual([]);
  }, 60_000);

  it('catches a client that misreads it: a missing field, a wrong type, a required field left out', () => {
    const wrong = CLIENT.replace('incident.reference, incident.status', 'incident.ref, incident.status')
      .replace("const total: number = listed.data.total;", "const total: string = listed.data.total;")
      .replace("{ title: 'Database down', severity: 'P1', tags: ['db'] }", "{ severity: 'P1' }");
    const errors = typecheck(wrong);
    expect(errors.join('\n')).toMatch(/Property 'ref' does not exist/);
    expect(errors.join('\n')).toMatch(/Type 'number' is not assignable to type 'string'/);
    expect(errors.join('\n')).toMatch(/'title' is missing/);
  }, 60_000);
});
