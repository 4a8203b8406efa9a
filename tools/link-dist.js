#!/usr/bin/env node
// After `tsc`, makes the compiled workspace packages resolvable from dist/: writes
// dist/node_modules/@opsplane/<name>/package.json pointing at the package's compiled index.
// Node looks in dist/node_modules before the root node_modules, so compiled code imports compiled code.
const { readdirSync, readFileSync, mkdirSync, writeFileSync, existsSync } = require('node:fs');
const { join } = require('node:path');

const root = join(__dirname, '..');
for (const group of ['libs', 'services']) {
  for (const dir of readdirSync(join(root, group))) {
    const pkgFile = join(root, group, dir, 'package.json');
    if (!existsSync(pkgFile)) continue;
    const { name } = JSON.parse(readFileSync(pkgFile, 'utf8'));
    const target = join(root, 'dist', 'node_modules', ...name.split('/'));
    mkdirSync(target, { recursive: true });
    writeFileSync(join(target, 'package.json'), JSON.stringify({ name, main: `../../../${group}/${dir}/src/index.js` }, null, 2) + '\n');
  }
}
