import { Logger } from '@nestjs/common';
import { Client } from 'pg';
import { DataSource, MixedList } from 'typeorm';
import { appRoleOf } from './urls';

export interface MigrateOptions {
  schema: string;
  ownerUrl: string;
  appPassword: string;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  migrations: MixedList<Function>;
  /** false when DATABASE_APP_URL names an existing role managed outside the platform. */
  manageAppRole?: boolean;
}

function lockKey(schema: string): number {
  let h = 0;
  for (const c of `opsplane-migrate:${schema}`) h = (Math.imul(h, 31) + c.charCodeAt(0)) | 0;
  return h;
}

/**
 * Runs a service's migrations as the owner, once across concurrent starters (advisory lock):
 * creates the schema and the runtime role, applies pending migrations, and grants the role
 * DML on the schema's tables (never ownership, so row-level security binds it).
 */
export async function runMigrations(opts: MigrateOptions): Promise<string[]> {
  const log = new Logger(`Migrate:${opts.schema}`);
  const role = appRoleOf(opts.schema);
  const admin = new Client({ connectionString: opts.ownerUrl });
  await admin.connect();
  const key = lockKey(opts.schema);
  try {
    await admin.query('SELECT pg_advisory_lock($1)', [key]);
    await admin.query(`CREATE SCHEMA IF NOT EXISTS "${opts.schema}"`);
    if (opts.manageAppRole !== false) {
      const exists = await admin.query<{ rolbypassrls: boolean }>('SELECT rolbypassrls FROM pg_roles WHERE rolname = $1', [role]);
      const pw = admin.escapeLiteral(opts.appPassword);
      if (!exists.rowCount) {
        try {
          await admin.query(`CREATE ROLE "${role}" LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE PASSWORD ${pw}`);
        } catch (e) {
          if ((e as { code?: string }).code !== '42710') throw e; // created by a concurrent starter
        }
      } else {
        // Changing BYPASSRLS needs a superuser: only do it when the role somehow has it.
        const bypass = exists.rows[0].rolbypassrls ? ' NOBYPASSRLS' : '';
        await admin.query(`ALTER ROLE "${role}" LOGIN${bypass} PASSWORD ${pw}`);
      }
    }
    const ds = new DataSource({
      type: 'postgres',
      url: opts.ownerUrl,
      schema: opts.schema,
      migrations: opts.migrations,
      migrationsTableName: 'migrations',
      migrationsTransactionMode: 'each',
      synchronize: false,
      logging: ['error'],
    });
    await ds.initialize();
    try {
      const applied = await ds.runMigrations();
      if (applied.length) log.log(`applied ${applied.map((m) => m.name).join(', ')}`);
      if (opts.manageAppRole !== false) {
        await admin.query(`GRANT USAGE ON SCHEMA "${opts.schema}" TO "${role}"`);
        await admin.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA "${opts.schema}" TO "${role}"`);
        await admin.query(`GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA "${opts.schema}" TO "${role}"`);
        await admin.query(`REVOKE ALL ON "${opts.schema}"."migrations" FROM "${role}"`);
      }
      return applied.map((m) => m.name);
    } finally {
      await ds.destroy();
    }
  } finally {
    await admin.query('SELECT pg_advisory_unlock($1)', [key]).catch(() => undefined);
    await admin.end();
  }
}
