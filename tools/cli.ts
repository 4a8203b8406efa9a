import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { Command } from 'commander';
import { join } from 'node:path';
import { AuthConfig, authService } from '@opsplane/auth';
import { loadConfig } from '@opsplane/config';
import { ProvisionedTenantView, RpcSubject, systemActor } from '@opsplane/contracts';
import { startEmbeddedPostgres } from '@opsplane/db';
import { AppError } from '@opsplane/errors';
import { createRpcClient, InMemoryEventBus } from '@opsplane/messaging';
import { startService } from '@opsplane/runtime';

/**
 * Operator CLI. `tenant create` provisions a tenant and its owner through the auth service's
 * own provisioning handler (run in this process, against DATABASE_URL or the embedded database).
 */
async function createTenant(opts: { name: string; slug?: string; adminEmail: string; adminPassword: string; adminName?: string }) {
  Logger.overrideLogger(['error']);
  const config = loadConfig(AuthConfig, { ...process.env, NATS_URL: undefined, LOG_LEVEL: 'error' });
  let databaseUrl = config.DATABASE_URL;
  let stopPg: (() => Promise<void>) | undefined;
  if (!databaseUrl) {
    const pg = await startEmbeddedPostgres(join(process.cwd(), '.data', 'postgres'), Number(process.env.EMBEDDED_PG_PORT ?? 54329));
    databaseUrl = pg.url;
    stopPg = pg.stop;
  }
  const svc = await startService(authService, { config, databaseUrl, eventBus: new InMemoryEventBus() });
  const { client, proxy } = createRpcClient(undefined, 'opsplane-cli', 30_000);
  try {
    const t = await client.request<ProvisionedTenantView>(
      RpcSubject.AuthProvisionTenant,
      { tenant_id: '', actor: systemActor() },
      { name: opts.name, slug: opts.slug, admin_email: opts.adminEmail, admin_password: opts.adminPassword, admin_name: opts.adminName },
    );
    process.stdout.write(JSON.stringify({ tenant_id: t.tenant_id, name: t.name, slug: t.slug, owner: t.owner }, null, 2) + '\n');
  } finally {
    await proxy.close();
    await svc.close();
    await stopPg?.();
  }
}

const program = new Command('opsplane').description('Opsplane operator CLI');
const tenant = program.command('tenant').description('Tenants');
tenant
  .command('create')
  .description('Provision a tenant and its owner; prints JSON with tenant_id')
  .requiredOption('--name <name>', 'organization name')
  .option('--slug <slug>', 'URL-safe short name (default: from the name)')
  .requiredOption('--admin-email <email>', "the owner's e-mail")
  .requiredOption('--admin-password <password>', "the owner's password (at least 8 characters)")
  .option('--admin-name <name>', "the owner's display name")
  .action(async (opts: { name: string; slug?: string; adminEmail: string; adminPassword: string; adminName?: string }) => {
    try {
      await createTenant(opts);
      process.exit(0);
    } catch (e) {
      const msg = e instanceof AppError ? `${e.code}: ${e.message}${e.details?.fields ? ' ' + JSON.stringify(e.details.fields) : ''}` : String(e);
      process.stderr.write(`error: ${msg}\n`);
      process.exit(1);
    }
  });

void program.parseAsync(process.argv);
