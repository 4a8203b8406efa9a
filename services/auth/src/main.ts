import { startTelemetry } from '@opsplane/observability';
startTelemetry({ serviceName: 'opsplane-auth' });

import 'reflect-metadata';
import { runStandaloneService } from '@opsplane/runtime';
import { authService } from './auth.module';

void runStandaloneService(authService);
