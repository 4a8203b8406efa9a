import { startTelemetry } from '@opsplane/observability';
startTelemetry({ serviceName: 'opsplane-itsm' });

import 'reflect-metadata';
import { runStandaloneService } from '@opsplane/runtime';
import { itsmService } from './itsm.module';

void runStandaloneService(itsmService);
