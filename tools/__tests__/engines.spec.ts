import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { minVersion, satisfies } from 'semver';

const root = join(__dirname, '..', '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { engines: { node: string } };
const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8')) as { packages: Record<string, { engines?: unknown }> };

describe('supported Node.js versions', () => {
  it('every installed package supports the oldest Node the project promises (so `npm ci` prints no engine warning)', () => {
    const oldest = minVersion(pkg.engines.node)!.version;
    expect(oldest).toBe('20.19.0');
    const refusing = Object.entries(lock.packages)
      .map(([path, p]) => [path, typeof p.engines === 'object' && p.engines ? (p.engines as { node?: unknown }).node : undefined] as const)
      .filter((e): e is readonly [string, string] => typeof e[1] === 'string' && !satisfies(oldest, e[1]))
      .map(([path, range]) => `${path} needs node ${range}`);
    expect(refusing).toEqual([]);
  });

  it('the README names that same Node version', () => {
    expect(readFileSync(join(root, 'README.md'), 'utf8')).toMatch(/Node 20/);
  });
});
