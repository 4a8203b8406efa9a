import { startTelemetry } from '@opsplane/observability';
startTelemetry({ serviceName: 'opsplane-control-plane' });

import 'reflect-metadata';
import { runStandaloneService } from '@opsplane/runtime';
import { controlPlaneService } from './control-plane.module';

void runStandaloneService(controlPlaneService);
