export { startPlatform, RunningPlatform, PlatformOptions } from './platform';
export { ensureFirstTenant } from './first-tenant';
export { serviceDefinitions } from './service-definitions';
