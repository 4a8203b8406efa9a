export { startPlatform, RunningPlatform, PlatformOptions } from './platform';
export { ensureFirstTenant } from './first-tenant';
