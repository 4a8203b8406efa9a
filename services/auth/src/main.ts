import { startTelemetry } from '@opsplane/observability';
startTelemetry({ serviceName: 'opsplane-auth' });

import 'reflect-metadata';
import { loadConfig } from '@opsplane/config';
import { runStandaloneService } from '@opsplane/runtime';
import { authService } from './auth.module';
import { AuthConfig } from './config';

void runStandaloneService(authService, loadConfig(AuthConfig));
