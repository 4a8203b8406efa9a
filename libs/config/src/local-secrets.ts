import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ConfigError } from './load-config';

/** The secrets the all-in-one process makes for itself when the environment does not give them. */
export const LOCAL_SECRETS = ['JWT_SECRET', 'CP_JWT_SECRET', 'DATABASE_APP_PASSWORD', 'EMBEDDED_PG_PASSWORD'] as const;
export type LocalSecret = (typeof LOCAL_SECRETS)[number];

/** Where the all-in-one keeps its data (embedded PostgreSQL, first credentials, secrets). */
export function dataDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.OPSPLANE_DATA_DIR || join(process.cwd(), '.data');
}

/**
 * The all-in-one process (`npm start`, and the CLI beside it) needs no secret from its user: on
 * first start it generates random ones (32 bytes each) and keeps them in `<data>/secrets.json`,
 * readable by its owner only (0600), so that restarts keep tokens and database passwords valid.
 * A value given in the environment always wins. In production (NODE_ENV=production) nothing is
 * generated: every secret must be given, and a missing one stops the start.
 */
export function withLocalSecrets(env: NodeJS.ProcessEnv, file = join(dataDir(env), 'secrets.json')): NodeJS.ProcessEnv {
  const missing = LOCAL_SECRETS.filter((k) => !env[k]);
  if (!missing.length) return env;
  if (env.NODE_ENV === 'production') {
    const needed = missing.filter((k) => k !== 'EMBEDDED_PG_PASSWORD' || !env.DATABASE_URL);
    if (needed.length) throw new ConfigError(`In production every secret must be given: set ${needed.join(', ')} (none is generated or has a default)`);
    return env;
  }
  let kept: Partial<Record<LocalSecret, string>> = {};
  if (existsSync(file)) {
    try {
      kept = JSON.parse(readFileSync(file, 'utf8')) as typeof kept;
    } catch (e) {
      throw new ConfigError(`${file} is not valid JSON (${(e as Error).message}); repair it or move it away to generate new secrets`);
    }
  }
  const fresh = missing.filter((k) => !kept[k]);
  if (fresh.length) {
    for (const k of fresh) kept[k] = randomBytes(32).toString('base64url');
    mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(kept, null, 2) + '\n', { mode: 0o600 });
    renameSync(tmp, file);
  }
  chmodSync(file, 0o600);
  const out = { ...env };
  for (const k of missing) out[k] = kept[k];
  return out;
}
