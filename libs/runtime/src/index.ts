export * from './service-runtime';
export * from './standalone';
