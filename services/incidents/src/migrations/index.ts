import { IncidentsInit1763900000000 } from './1763900000000-incidents-init';
import { IncidentsTenantLimits1763900000003 } from './1763900000003-tenant-limits';
import { IncidentsIdempotencyKeys1764400000004 } from './1764400000004-idempotency-keys';
import { IncidentsTenantFence1764500000001 } from './1764500000001-tenant-fence';
import { IncidentsProblems1796040000000 } from './1796040000000-problems';
import { IncidentsStatsIndexes1796050000000 } from './1796050000000-stats-indexes';
import { IncidentsSla1796060000000 } from './1796060000000-sla';
import { IncidentsSlaDueIndex1796070000000 } from './1796070000000-sla-due-index';
import { IncidentsStatsRollup1796070000001 } from './1796070000001-stats-rollup';
import { IncidentsCiLinks1796700000000 } from './1796700000000-incident-cis';
import { IncidentsAlerts1796900000000 } from './1796900000000-alerts';

export const INCIDENTS_MIGRATIONS = [IncidentsInit1763900000000, IncidentsTenantLimits1763900000003, IncidentsIdempotencyKeys1764400000004, IncidentsTenantFence1764500000001, IncidentsProblems1796040000000, IncidentsStatsIndexes1796050000000, IncidentsSla1796060000000, IncidentsSlaDueIndex1796070000000, IncidentsStatsRollup1796070000001, IncidentsCiLinks1796700000000, IncidentsAlerts1796900000000];
