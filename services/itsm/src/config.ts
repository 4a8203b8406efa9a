import { SlaServiceConfig } from '@opsplane/sla';

/** The itsm service's settings (environment variables, checked once at start); it keeps SLA timers. */
export class ItsmConfig extends SlaServiceConfig {}
