import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { eventSchemas, schemaPath } from '@opsplane/contracts';

/** `node dist/tools/proto.js --write` regenerates proto/ from the contract classes; without it, checks. */
const root = join(__dirname, '..', '..', 'proto');
const write = process.argv.includes('--write');
let drift = 0;
for (const [subject, schema] of Object.entries(eventSchemas())) {
  const file = join(root, schemaPath(subject));
  const text = JSON.stringify(schema, null, 2) + '\n';
  if (write) {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, text);
  } else if (!existsSync(file) || readFileSync(file, 'utf8') !== text) {
    drift++;
    process.stderr.write(`proto/${schemaPath(subject)} does not match the contract class of ${subject}\n`);
  }
}
if (drift) {
  process.stderr.write('Run `npm run proto:generate` (and bump the version if the change is not backward compatible).\n');
  process.exit(1);
}
