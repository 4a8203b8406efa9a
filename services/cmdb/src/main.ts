import { startTelemetry } from '@opsplane/observability';
startTelemetry({ serviceName: 'opsplane-cmdb' });

import 'reflect-metadata';
import { runStandaloneService } from '@opsplane/runtime';
import { cmdbService } from './cmdb.module';

void runStandaloneService(cmdbService);
