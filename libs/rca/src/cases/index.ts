export * from './case-folder';
export * from './csv';
