import { CommonConfig } from '@opsplane/config';

export class IncidentsConfig extends CommonConfig {}
