import 'reflect-metadata';
export * from './common/context';
export * from './common/subjects';
export * from './common/pagination';
export * from './common/event';
export * from './auth/auth.dto';
export * from './incidents/incident.model';
export * from './incidents/incident.dto';
