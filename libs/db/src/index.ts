export * from './urls';
export * from './sql';
export * from './migrate';
export * from './tenant-db';
export * from './outbox';
export * from './data-source';
export * from './embedded-postgres';
