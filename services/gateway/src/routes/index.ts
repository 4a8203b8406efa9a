import { Type } from '@nestjs/common';
import { AuditRoutes } from './audit.controller';
import { AuthRoutes } from './auth.controller';
import { ControlPlaneRoutes } from './control-plane.controller';
import { IncidentsRoutes } from './incidents.controller';
import { AlertsRoutes } from './incidents-alerts.controller';
import { ProblemsRoutes } from './problems.controller';
import { OrganizationRoutes } from './organization.controller';
import { TeamRoutes } from './team.controller';
import { TelemetryRoutes } from './telemetry.controller';
import { OtlpRoutes } from './telemetry-otlp.controller';
import { PromRoutes } from './telemetry-prom.controller';
import { CmdbClassesRoutes, CmdbImpactRoutes, CmdbItemsRoutes, CmdbRelationshipsRoutes } from './cmdb-items.controller';
import { InfraRoutes } from './cmdb-infra.controller';
import { ItsmChangesRoutes, ItsmFreezeWindowsRoutes } from './itsm-changes.controller';
import { ItsmCatalogRoutes, ItsmRequestsRoutes } from './itsm-requests.controller';
import { SlaPoliciesRoutes } from './sla.controller';

/** The HTTP routes of the services behind the gateway (`npm run new-service` adds a service's here). */
export const ROUTE_CONTROLLERS: Type<unknown>[] = [
  AuthRoutes,
  IncidentsRoutes,
  AlertsRoutes,
  ProblemsRoutes,
  TeamRoutes,
  OrganizationRoutes,
  AuditRoutes,
  ControlPlaneRoutes,
  ItsmChangesRoutes,
  ItsmFreezeWindowsRoutes,
  ItsmCatalogRoutes,
  ItsmRequestsRoutes,
  SlaPoliciesRoutes,
  CmdbItemsRoutes,
  CmdbClassesRoutes,
  CmdbRelationshipsRoutes,
  CmdbImpactRoutes,
  InfraRoutes,
  TelemetryRoutes,
  OtlpRoutes,
  PromRoutes,
];
