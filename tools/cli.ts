import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { Command, InvalidArgumentError, Option } from 'commander';
import { join } from 'node:path';
import { AuthConfig, authService } from '@opsplane/auth';
import { dataDir, loadConfig, withLocalSecrets } from '@opsplane/config';
import { OwnerInvitationView, RpcSubject, systemActor, systemOperator, TenantView, UserView } from '@opsplane/contracts';
import { ControlPlaneConfig, controlPlaneService } from '@opsplane/control-plane';
import { startEmbeddedPostgres } from '@opsplane/db';
import { createRpcClient, InMemoryEventBus } from '@opsplane/messaging';
import { nestLogger } from '@opsplane/observability';
import { startService } from '@opsplane/runtime';
import { describeFailure } from './cli-errors';
import { importCmdbFile } from './cmdb-import';

/**
 * Operator CLI. `tenant` and `user` run the control plane's and the auth service's own handlers in this process (over
 * the in-process transport), against DATABASE_URL or the embedded database of `npm start`; `cmdb` talks HTTP to a
 * running platform's gateway, as any API client does.
 */
async function withServices<T>(subject: RpcSubject, body: unknown): Promise<T> {
  // The secrets of the all-in-one process beside it (the same runtime-role password, token keys).
  const env: NodeJS.ProcessEnv = { ...withLocalSecrets(process.env), NATS_URL: undefined, LOG_LEVEL: process.env.LOG_LEVEL ?? 'error' };
  Logger.overrideLogger(nestLogger(env.LOG_LEVEL ?? 'error'));
  const config = loadConfig(AuthConfig, env);
  let databaseUrl = config.DATABASE_URL;
  let stopPg: (() => Promise<void>) | undefined;
  if (!databaseUrl) {
    const pg = await startEmbeddedPostgres(join(dataDir(env), 'postgres'), Number(env.EMBEDDED_PG_PORT ?? 54329), env.EMBEDDED_PG_PASSWORD!);
    databaseUrl = pg.url;
    stopPg = pg.stop;
  }
  // The control plane and auth, in this process over the in-process transport: the same path as the API.
  const eventBus = new InMemoryEventBus();
  const cp = await startService(controlPlaneService, { config: loadConfig(ControlPlaneConfig, env), databaseUrl, eventBus });
  const auth = await startService(authService, { config, databaseUrl, eventBus });
  const { client, proxy } = createRpcClient(undefined, 'opsplane-cli', 30_000);
  try {
    return await client.request<T>(subject, { tenant_id: '', actor: systemActor(), operator: systemOperator() }, body, 30_000);
  } finally {
    await proxy.close();
    await auth.close();
    await cp.close();
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
      process.stderr.write(`error: ${describeFailure(e)}\n`);
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
  .option('--admin-password <password>', "the owner's password (at least 8 characters); without it the owner is invited and the invitation token is printed")
  .option('--admin-name <name>', "the owner's display name")
  .option('--plan <plan>', 'plan (default: DEFAULT_PLAN, free)')
  .action((o: { name: string; slug?: string; plan?: string; adminEmail: string; adminPassword?: string; adminName?: string }) =>
    run(async () => {
      const t = await withServices<TenantView & { owner_invitation: OwnerInvitationView | null }>(RpcSubject.CpCreateTenant, {
        name: o.name,
        slug: o.slug,
        plan: o.plan,
        owner_email: o.adminEmail,
        owner_password: o.adminPassword,
        owner_name: o.adminName,
      });
      return { tenant_id: t.id, name: t.name, slug: t.slug, plan: t.plan, status: t.status, owner_email: t.owner_email, owner_invitation: t.owner_invitation };
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
    run(() => withServices<UserView>(RpcSubject.AuthCreateUser, { tenant_id: o.tenant, email: o.email, password: o.password, role: o.role, name: o.name })),
  );

const positiveInt = (v: string) => {
  if (!/^\d+$/.test(v) || Number(v) < 1) throw new InvalidArgumentError('It must be a whole number of at least 1.');
  return Number(v);
};

// Over HTTP to a running platform (the gateway), with a user's or an API token: no service runs in this process.
const cmdb = program.command('cmdb').description('The CMDB, through the API of a running platform');
cmdb
  .command('import')
  .summary('Import items (and relationships) from a CSV or JSON file')
  .description(
    'Import configuration items (and relationships) from a CSV or JSON file through POST /api/cmdb/items/bulk; prints a JSON summary. ' +
      'Items already there are identified (k8s_uid, serial, hostname, else class + name + environment) and updated, so importing a file again changes nothing. ' +
      'Every row is checked before anything is sent; a file too big for one request goes in chunks, after a checking pass over all of them.',
  )
  .argument('<file>', 'items: CSV (header name,class,environment,owner,lifecycle_status,criticality,title,ref, attr.<key>...) or JSON ({items, relationships} or an array of items)')
  .option('--relationships <file>', 'relationships: CSV (source,target,type,criticality; an end is an item ref or an existing item id) or a JSON array')
  .addOption(new Option('--format <format>', "the files' format (default: each file's extension)").choices(['csv', 'json']))
  .option('--url <url>', 'the gateway (default: OPSPLANE_URL, else http://127.0.0.1:8080)')
  .option('--token <token>', 'an API token with write permission, or a login token (default: OPSPLANE_TOKEN)')
  .option('--tenant <id>', 'tenant id (default: OPSPLANE_TENANT)')
  .option('--dry-run', 'only check: report what the import would do, writing nothing')
  .option('--chunk-size <n>', 'at most n items (and n relationships) per request (default: as many as fit in about 900 KB)', positiveInt)
  .option('--no-progress', 'no progress bar on stderr (there is none when stderr is not a terminal)')
  .action((file: string, o: { relationships?: string; format?: string; url?: string; token?: string; tenant?: string; dryRun?: boolean; chunkSize?: number; progress: boolean }) =>
    run(() =>
      importCmdbFile({
        file,
        relationships: o.relationships,
        format: o.format,
        url: o.url ?? process.env.OPSPLANE_URL ?? 'http://127.0.0.1:8080',
        token: o.token ?? process.env.OPSPLANE_TOKEN ?? '',
        tenant: o.tenant ?? process.env.OPSPLANE_TENANT ?? '',
        dryRun: o.dryRun,
        chunkSize: o.chunkSize,
        progress: o.progress,
      }),
    ),
  );

void program.parseAsync(process.argv);
