import { startTelemetry } from '@opsplane/observability';

// As in every service's main.ts: the SDK is on, so trace context crosses NATS in the tests too.
startTelemetry({ serviceName: 'opsplane-test' });
