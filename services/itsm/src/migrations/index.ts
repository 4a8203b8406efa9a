import { ItsmInit1796020437115 } from './1796020437115-itsm-init';
import { ItsmRequests1796030000000 } from './1796030000000-itsm-requests';

/** Every itsm migration, oldest first. */
export const ITSM_MIGRATIONS = [ItsmInit1796020437115, ItsmRequests1796030000000];
