import { CommonConfig } from '@opsplane/config';

/** The itsm service's settings (environment variables, checked once at start). */
export class ItsmConfig extends CommonConfig {}
