import { CmdbInit1796646078391 } from './1796646078391-cmdb-init';

/** Every cmdb migration, oldest first. */
export const CMDB_MIGRATIONS = [CmdbInit1796646078391];
