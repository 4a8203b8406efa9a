import { SetMetadata } from '@nestjs/common';

export const IS_PUBLIC = 'opsplane:public';
export const ACCESS = 'opsplane:access';
export const AREA = 'opsplane:area';

/** No credential needed (login, refresh, health). */
export const Public = () => SetMetadata(IS_PUBLIC, true);
/** Overrides the method-based default (GET/HEAD read, others write). */
export const Access = (level: 'read' | 'write') => SetMetadata(ACCESS, level);
/** The area an API token's scope must cover (`full` covers all). */
export const Area = (area: string) => SetMetadata(AREA, area);
