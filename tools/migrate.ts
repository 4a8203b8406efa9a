import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { CommonConfig, loadConfig } from '@opsplane/config';
import { runMigrations } from '@opsplane/db';
import { serviceDefinitions } from '@opsplane/standalone';

/** Runs every service's migrations (the Helm pre-install/pre-upgrade hook, CI, operators). */
export async function migrateAll(ownerUrl: string, appPassword: string, manageAppRole = true): Promise<void> {
  for (const def of serviceDefinitions()) {
    await runMigrations({ schema: def.schema, ownerUrl, appPassword, migrations: def.migrations, manageAppRole });
  }
}

if (require.main === module) {
  const config = loadConfig(CommonConfig);
  if (!config.DATABASE_URL) {
    new Logger('migrate').error('DATABASE_URL is required');
    process.exit(1);
  }
  migrateAll(config.DATABASE_URL, config.DATABASE_APP_PASSWORD, !config.DATABASE_APP_URL)
    .then(() => process.exit(0))
    .catch((e: unknown) => {
      new Logger('migrate').error(e instanceof Error ? e.message : String(e));
      process.exit(1);
    });
}
