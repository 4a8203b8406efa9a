export { incidentsService, IncidentsModule } from './incidents.module';
export { IncidentsConfig } from './config';
