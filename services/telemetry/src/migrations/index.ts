import { TelemetryInit1796800000000 } from './1796800000000-telemetry-init';
import { TelemetryUsage1796800000001 } from './1796800000001-telemetry-usage';
import { TelemetryPartitionLock1796800000002 } from './1796800000002-telemetry-partition-lock';
import { TelemetryMetrics1796800000003 } from './1796800000003-telemetry-metrics';
import { TelemetryAnalyze1796800000004 } from './1796800000004-telemetry-analyze';

export const TELEMETRY_MIGRATIONS = [TelemetryInit1796800000000, TelemetryUsage1796800000001, TelemetryPartitionLock1796800000002, TelemetryMetrics1796800000003, TelemetryAnalyze1796800000004];
