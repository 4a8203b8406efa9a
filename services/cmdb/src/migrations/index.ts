import { CmdbInit1796646078391 } from './1796646078391-cmdb-init';
import { CmdbImpactGraphLog1796700000000 } from './1796700000000-impact-graph-log';

/** Every cmdb migration, oldest first. */
export const CMDB_MIGRATIONS = [CmdbInit1796646078391, CmdbImpactGraphLog1796700000000];
