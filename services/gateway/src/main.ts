import { startTelemetry } from '@opsplane/observability';
startTelemetry({ serviceName: 'opsplane-gateway' });

import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { loadConfig } from '@opsplane/config';
import { nestLogger } from '@opsplane/observability';
import { onShutdown } from '@opsplane/runtime';
import { startGateway } from './app';
import { GatewayConfig } from './config';

async function main() {
  const config = loadConfig(GatewayConfig);
  Logger.overrideLogger(nestLogger(config.LOG_LEVEL));
  if (!config.NATS_URL) throw new Error('NATS_URL is required to run the gateway on its own (use `npm start` for the all-in-one process)');
  const gw = await startGateway(config).catch((e: unknown) => {
    const code = (e as { code?: string })?.code;
    if (code === 'CONNECTION_REFUSED') throw new Error(`cannot reach NATS at ${config.NATS_URL}: is nats-server running (with -js)?`);
    throw e;
  });
  onShutdown(() => gw.close());
}

main().catch((e: unknown) => {
  new Logger('gateway').error(e instanceof Error ? e.message : String(e));
  process.exit(1);
});
