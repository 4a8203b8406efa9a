import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { Command } from 'commander';
import { join } from 'node:path';
import { AuthConfig, authService } from '@opsplane/auth';
import { loadConfig } from '@opsplane/config';
import { ProvisionedTenantView, RpcSubject, systemActor, UserView } from '@opsplane/contracts';
import { startEmbeddedPostgres } from '@opsplane/db';
import { AppError } from '@opsplane/errors';
import { createRpcClient, InMemoryEventBus } from '@opsplane/messaging';
import { startService } from '@opsplane/runtime';

/**
 * Operator CLI. Commands run the auth service's own handlers in this process (over the
 * in-process transport), against DATABASE_URL or the embedded database of `npm start`.
 */
async function withAuth<T>(subject: RpcSubject, body: unknown): Promise<T> {
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
    return await client.request<T>(subject, { tenant_id: '', actor: systemActor() }, body);
  } finally {
    await proxy.close();
    await svc.close();
    await stopPg?.();
  }
}

function run(action: () => Promise<unknown>): Promise<void> {
  return action()
    .then((out) => {
      process.stdout.write(JSON.stringify(out, null, 2) + '\n');
      process.exit(0);
    })
    .catch((e: unknown) => {
      const msg = e instanceof AppError ? `${e.code}: ${e.message}${e.details?.fields ? ' ' + JSON.stringify(e.details.fields) : ''}` : String(e);
      process.stderr.write(`error: ${msg}\n`);
      process.exit(1);
    });
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
  .action((o: { name: string; slug?: string; adminEmail: string; adminPassword: string; adminName?: string }) =>
    run(async () => {
      const t = await withAuth<ProvisionedTenantView>(RpcSubject.AuthProvisionTenant, {
        name: o.name,
        slug: o.slug,
        admin_email: o.adminEmail,
        admin_password: o.adminPassword,
        admin_name: o.adminName,
      });
      return { tenant_id: t.tenant_id, name: t.name, slug: t.slug, owner: t.owner };
    }),
  );

const user = program.command('user').description('Users');
user
  .command('create')
  .description("Add a user with a role to a tenant; prints the user's JSON")
  .requiredOption('--tenant <id>', 'tenant id')
  .requiredOption('--email <email>', 'e-mail')
  .requiredOption('--password <password>', 'password (at least 8 characters)')
  .option('--role <role>', 'owner | admin | member | viewer', 'member')
  .option('--name <name>', 'display name')
  .action((o: { tenant: string; email: string; password: string; role: string; name?: string }) =>
    run(() => withAuth<UserView>(RpcSubject.AuthCreateUser, { tenant_id: o.tenant, email: o.email, password: o.password, role: o.role, name: o.name })),
  );

void program.parseAsync(process.argv);
