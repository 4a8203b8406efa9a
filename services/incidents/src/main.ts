import { startTelemetry } from '@opsplane/observability';
startTelemetry({ serviceName: 'opsplane-incidents' });

import 'reflect-metadata';
import { runStandaloneService } from '@opsplane/runtime';
import { incidentsService } from './incidents.module';

void runStandaloneService(incidentsService);
