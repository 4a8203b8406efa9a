export * from './business-time';
export * from './timer';
export * from './policy';
export * from './store';
export * from './scheduler';
export * from './service';
