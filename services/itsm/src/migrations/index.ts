import { ItsmInit1796020437115 } from './1796020437115-itsm-init';
import { ItsmRequests1796030000000 } from './1796030000000-itsm-requests';
import { ItsmSla1796060000000 } from './1796060000000-itsm-sla';
import { ItsmSlaDueIndex1796070000000 } from './1796070000000-sla-due-index';
import { ItsmChangeCiLinks1796700000000 } from './1796700000000-change-cis';

/** Every itsm migration, oldest first. */
export const ITSM_MIGRATIONS = [ItsmInit1796020437115, ItsmRequests1796030000000, ItsmSla1796060000000, ItsmSlaDueIndex1796070000000, ItsmChangeCiLinks1796700000000];
