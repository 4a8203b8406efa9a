import { TelemetryInit1796800000000 } from './1796800000000-telemetry-init';

export const TELEMETRY_MIGRATIONS = [TelemetryInit1796800000000];
