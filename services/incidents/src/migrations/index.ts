import { IncidentsInit1763900000000 } from './1763900000000-incidents-init';
import { IncidentsTenantLimits1763900000003 } from './1763900000003-tenant-limits';

export const INCIDENTS_MIGRATIONS = [IncidentsInit1763900000000, IncidentsTenantLimits1763900000003];
