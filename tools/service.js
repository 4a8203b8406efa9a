#!/usr/bin/env node
// `npm run service -- <name>`: starts one service of the registry (libs/registry/services.json) as its
// own process, from the compiled code (`npm run build` first), with its settings from the environment.
const path = require('node:path');
const { existsSync } = require('node:fs');
const { services } = require('../libs/registry/services.json');

const runnable = services.filter((s) => s.role !== 'all-in-one');
const entry = runnable.find((s) => s.name === process.argv[2]);
if (!entry) {
  console.error(`usage: npm run service -- <${runnable.map((s) => s.name).join('|')}>`);
  process.exit(2);
}
const main = path.join(__dirname, '..', 'dist', 'services', entry.name, 'src', 'main.js');
if (!existsSync(main)) {
  console.error(`${path.relative(process.cwd(), main)} does not exist: run npm run build first`);
  process.exit(1);
}
require(main);
