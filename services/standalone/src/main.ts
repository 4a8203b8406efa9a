import { startTelemetry } from '@opsplane/observability';
startTelemetry({ serviceName: 'opsplane' });

import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { join } from 'node:path';
import { dataDir, withLocalSecrets } from '@opsplane/config';
import { onShutdown } from '@opsplane/runtime';
import { ensureFirstTenant, firstOperator, FirstOperator } from './first-tenant';
import { startPlatform } from './platform';

async function main() {
  // Secrets not given in the environment are generated on first start and kept with the data (0600).
  const env = withLocalSecrets(process.env);
  const data = dataDir(env);
  const bootstrap = !env.DATABASE_URL || env.OPSPLANE_BOOTSTRAP_TENANT === 'true';
  let operator: FirstOperator | undefined;
  if (bootstrap && !env.CP_ADMIN_EMAIL) {
    operator = firstOperator(join(data, 'first-operator.json'));
    env.CP_ADMIN_EMAIL = operator.email;
    env.CP_ADMIN_PASSWORD = operator.password;
  }
  const platform = await startPlatform({ env });
  onShutdown(() => platform.close());
  const lines = [``, `Opsplane is running at ${platform.url}  (API docs: ${platform.url}/api/docs)`];
  if (bootstrap) {
    const file = join(data, 'first-tenant.json');
    const t = await ensureFirstTenant(platform.rpc, file);
    lines.push(
      `  tenant "${t.name}": ${t.tenant_id}`,
      `  owner: ${t.email} / ${t.password}   (kept in ${file})`,
      `  log in:`,
      `    curl -s -X POST ${platform.url}/api/auth/token -H 'content-type: application/json' -H 'x-tenant-id: ${t.tenant_id}' \\`,
      `      -d '{"email":"${t.email}","password":"${t.password}"}'`,
    );
  }
  if (operator) {
    lines.push(
      `  control plane operator: ${operator.email} / ${operator.password}   (kept in ${join(data, 'first-operator.json')})`,
      `    curl -s -X POST ${platform.url}/cp/api/auth/token -H 'content-type: application/json' -d '{"email":"${operator.email}","password":"${operator.password}"}'`,
    );
  }
  if (!bootstrap) {
    lines.push(`  create a tenant: npm run cli -- tenant create --name Acme --admin-email you@example.com --admin-password '...'`);
  }
  // eslint-disable-next-line no-console
  console.log(lines.join('\n') + '\n');
}

main().catch((e: unknown) => {
  new Logger('opsplane').error(e instanceof Error ? (e.stack ?? e.message) : String(e));
  process.exit(1);
});
