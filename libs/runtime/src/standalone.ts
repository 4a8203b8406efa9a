import { Logger } from '@nestjs/common';
import { CommonConfig, loadConfig } from '@opsplane/config';
import { nestLogger, stopTelemetry } from '@opsplane/observability';
import { ServiceDefinition, startService } from './service-runtime';

/** Closes `close` once on SIGTERM/SIGINT (Kubernetes sends SIGTERM), then exits. */
export function onShutdown(close: () => Promise<void>): void {
  let closing = false;
  const handler = (signal: string) => {
    if (closing) return;
    closing = true;
    new Logger('Shutdown').log(`${signal}: draining`);
    const force = setTimeout(() => process.exit(1), 15_000);
    force.unref();
    void close()
      .then(() => stopTelemetry())
      .finally(() => process.exit(0));
  };
  process.on('SIGTERM', () => handler('SIGTERM'));
  process.on('SIGINT', () => handler('SIGINT'));
}

/** Entry point of a service running as its own process over NATS and PostgreSQL. */
export async function runStandaloneService<C extends CommonConfig>(def: ServiceDefinition<C>): Promise<void> {
  const log = new Logger(def.name);
  try {
    const config = loadConfig(def.config);
    Logger.overrideLogger(nestLogger(config.LOG_LEVEL));
    if (!config.NATS_URL || !config.DATABASE_URL) throw new Error('DATABASE_URL and NATS_URL are required to run a service on its own (use `npm start` for the all-in-one process)');
    const svc = await startService(def, { config });
    onShutdown(() => svc.close());
  } catch (e) {
    log.error(e instanceof Error ? e.message : String(e));
    process.exit(1);
  }
}
