import { ControlPlaneInit1763900000002 } from './1763900000002-control-plane-init';
import { ControlPlaneUsage1763900000005 } from './1763900000005-usage';
import { ControlPlaneOperatorLoginAttempts1764300000006 } from './1764300000006-operator-login-attempts';
import { ControlPlaneIdempotencyKeys1764400000007 } from './1764400000007-idempotency-keys';
import { ControlPlaneTenantFence1764500000003 } from './1764500000003-tenant-fence';
import { ControlPlaneTelemetryRetention1796800000000 } from './1796800000000-telemetry-retention';

/** Every control-plane migration, oldest first. */
export const CONTROL_PLANE_MIGRATIONS = [ControlPlaneInit1763900000002, ControlPlaneUsage1763900000005, ControlPlaneOperatorLoginAttempts1764300000006, ControlPlaneIdempotencyKeys1764400000007, ControlPlaneTenantFence1764500000003, ControlPlaneTelemetryRetention1796800000000];
