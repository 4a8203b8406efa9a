export * from './template-miner';
export * from './log-analysis';
export * from './trace-logs';
