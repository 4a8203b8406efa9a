export * from './app-error';
export * from './http-status';
export * from './envelope';
export * from './validation';
