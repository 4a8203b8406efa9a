import { ItsmInit1796020437115 } from './1796020437115-itsm-init';

/** Every itsm migration, oldest first. */
export const ITSM_MIGRATIONS = [ItsmInit1796020437115];
