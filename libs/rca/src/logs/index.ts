export * from './template-miner';
