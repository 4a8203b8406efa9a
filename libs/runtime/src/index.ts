export * from './service-runtime';
export * from './standalone';
export * from './health.controller';
export * from './purge.controller';
export * from './tenant-limits';
export * from './usage.controller';
export * from './consumer';
export * from './cmdb-refs';
