import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { RpcSubject } from '@opsplane/contracts';
import { backendServices, processes, purgeOrder, SERVICES, tokenScopes, usageSources } from '../index';

const root = join(__dirname, '..', '..', '..', '..');
const folders = readdirSync(join(root, 'services'), { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => d.name)
  .sort();

describe('the service registry (libs/registry/services.json)', () => {
  it('lists every folder under services/, and nothing else', () => {
    expect(SERVICES.map((s) => s.name).sort()).toEqual(folders);
  });

  it('names each service by its package, and each name and schema once', () => {
    for (const s of SERVICES) {
      const pkg = JSON.parse(readFileSync(join(root, 'services', s.name, 'package.json'), 'utf8')) as { name: string };
      expect([s.name, pkg.name]).toEqual([s.name, s.package]);
      expect(existsSync(join(root, 'services', s.name, 'src', 'index.ts'))).toBe(true);
    }
    expect(new Set(SERVICES.map((s) => s.name)).size).toBe(SERVICES.length);
    const schemas = backendServices().map((s) => s.schema);
    expect(schemas.every((x) => typeof x === 'string' && /^[a-z_]+$/.test(x))).toBe(true);
    expect(new Set(schemas).size).toBe(schemas.length);
  });

  it('gives each service its definition, a health subject and request subjects that exist', () => {
    const subjects = new Set<string>(Object.values(RpcSubject));
    for (const s of backendServices()) {
      expect([s.name, typeof s.definition, typeof s.subjects?.health]).toEqual([s.name, 'string', 'string']);
      for (const subject of Object.values(s.subjects ?? {})) expect([s.name, subjects.has(subject)]).toEqual([s.name, true]);
      if (s.subjects?.usage) expect(s.usageMetric).toMatch(/^[a-z_]+$/);
      // The export names a ServiceDefinition of this name and schema.
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const def = require(s.package)[s.definition!] as { name: string; schema: string; config: unknown };
      expect([def.name, def.schema, typeof def.config]).toEqual([s.name, s.schema, 'function']);
    }
    expect(SERVICES.filter((s) => s.role === 'gateway')).toHaveLength(1);
    expect(SERVICES.filter((s) => s.role === 'all-in-one')).toHaveLength(1);
  });

  it('derives the lists the platform needs', () => {
    const services = backendServices().map((s) => s.name);
    expect(processes().map((s) => s.name)).toEqual(['gateway', ...services]);
    expect(services.slice(0, 3)).toEqual(['control-plane', 'auth', 'incidents']);
    // A tenant is purged in the reverse of start order, by every service that keeps tenant rows.
    expect(purgeOrder().map((s) => s.name)).toEqual(services.filter((n) => SERVICES.find((s) => s.name === n)!.subjects!.purge).reverse());
    expect(purgeOrder().map((s) => s.name).slice(-2)).toEqual(['incidents', 'auth']);
    expect(usageSources().map((s) => s.usageMetric).slice(0, 2)).toEqual(['users_created', 'incidents_created']);
    expect(tokenScopes()).toEqual(['full', ...SERVICES.filter((s) => s.tokenScope).map((s) => s.tokenScope)]);
    expect(tokenScopes().slice(0, 3)).toEqual(['full', 'auth', 'incidents']);
  });
});
