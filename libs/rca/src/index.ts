export * from './logs';
export * from './case';
export * from './metrics/anomaly';
export * from './metrics/robust';
export * from './rank';
export * from './synthetic';
