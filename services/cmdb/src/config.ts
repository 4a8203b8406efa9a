import { CommonConfig } from '@opsplane/config';

/** The cmdb service's settings (environment variables, checked once at start). */
export class CmdbConfig extends CommonConfig {}
