export * from './template-miner';
export * from './log-analysis';
