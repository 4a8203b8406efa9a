import { startTelemetry } from '@opsplane/observability';
startTelemetry({ serviceName: 'opsplane-telemetry' });

import 'reflect-metadata';
import { runStandaloneService } from '@opsplane/runtime';
import { telemetryService } from './telemetry.module';

void runStandaloneService(telemetryService);
