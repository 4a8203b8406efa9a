export * from './logs';
export * from './traces';
export * from './case';
export * from './changes';
export * from './metrics/anomaly';
export * from './metrics/robust';
export * from './rank';
export * from './summary';
export * from './synthetic';
// The file loader of the evaluation tools (case folders, CSV): the only part of the library that does I/O.
export * from './cases';
