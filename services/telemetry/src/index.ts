export { telemetryService, TelemetryModule } from './telemetry.module';
export { TelemetryConfig } from './config';
