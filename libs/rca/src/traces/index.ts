export * from './trace-analysis';
