import { SlaServiceConfig } from '@opsplane/sla';

/** The incidents service's settings (environment variables, checked once at start); it keeps SLA timers. */
export class IncidentsConfig extends SlaServiceConfig {}
