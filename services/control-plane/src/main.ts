import { startTelemetry } from '@opsplane/observability';
startTelemetry({ serviceName: 'opsplane-control-plane' });

import 'reflect-metadata';
import { loadConfig } from '@opsplane/config';
import { runStandaloneService } from '@opsplane/runtime';
import { ControlPlaneConfig } from './config';
import { controlPlaneService } from './control-plane.module';

void runStandaloneService(controlPlaneService, loadConfig(ControlPlaneConfig));
