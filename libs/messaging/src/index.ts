export * from './in-process.transport';
export * from './rpc-client';
export * from './rpc-handler';
export * from './event-bus';
export * from './transport';
export * from './access-bus';
export * from './ingest-queue';
