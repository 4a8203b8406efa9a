import { startTelemetry } from '@opsplane/observability';
startTelemetry({ serviceName: 'opsplane-incidents' });

import 'reflect-metadata';
import { loadConfig } from '@opsplane/config';
import { runStandaloneService } from '@opsplane/runtime';
import { IncidentsConfig } from './config';
import { incidentsService } from './incidents.module';

void runStandaloneService(incidentsService, loadConfig(IncidentsConfig));
